import { Controller, Get, Logger, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CycleService } from '@app/cycles';
import { DocumentRenditions, DocumentService, isListKind, KIND_LABELS } from '@app/documents';
import { OrgUnitService } from '@app/org';
import { Conflict, CurrentPrincipal, Principal, Public } from '@app/platform';
import { IdPipe } from '../common/id.pipe';
import { sendDocumentHtml, sendRendition, streamListSheet } from '../common/downloads';
import { ConsoleErrorFilter } from './console-error.filter';
import { ConsolePages, field, formOf, pageOf, pager } from './console-page';
import { ConsoleAuthGuard, ConsoleReply, ConsoleRequest, frameOf } from './session';

const documentId = new IdPipe('Document');
const PAGE_SIZE = 50;

/**
 * Documents of record in the console: the list, downloads through the session (the same
 * scope checks as the API's document routes), and issuing the month's supervision bulletin.
 */
@ApiExcludeController()
@Public()
@UseGuards(ConsoleAuthGuard)
@UseFilters(ConsoleErrorFilter)
@Controller()
export class DocsConsoleController {
  private readonly logger = new Logger('Console');

  constructor(
    private readonly documents: DocumentService,
    private readonly renditions: DocumentRenditions,
    private readonly cycles: CycleService,
    private readonly units: OrgUnitService,
    private readonly pages: ConsolePages,
  ) {}

  @Get('docs')
  async list(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Query('page') pageText?: string,
  ): Promise<void> {
    const page = pageOf(pageText);
    const [result, townships] = await Promise.all([
      this.documents.list(p, { page, pageSize: PAGE_SIZE }),
      this.units.list(p, { kind: 'township', page: 1, pageSize: 200 }),
    ]);
    const lang = frameOf(req, reply).lang;
    const t = this.pages.t(req);
    this.pages.show(req, reply, 'docs', {
      title: t.nav.documents,
      items: result.items.map((d) => ({ ...d, kindLabel: KIND_LABELS[d.kind][lang], xlsx: isListKind(d.kind) })),
      total: result.total,
      ...pager(page, PAGE_SIZE, result.total),
      // Leaders and inspectors issue bulletins; the documents lib checks the unit.
      townships: p.scope.holdsAny('leader', 'inspector', 'admin') ? townships.items : [],
      period: this.pages.period(),
    });
  }

  @Get('docs/:id/html')
  async html(@CurrentPrincipal() p: Principal, @Res() reply: ConsoleReply, @Param('id', documentId) id: string): Promise<void> {
    sendDocumentHtml(reply, await this.documents.html(p, id));
  }

  @Get('docs/:id/pdf')
  async pdf(@CurrentPrincipal() p: Principal, @Res() reply: ConsoleReply, @Param('id', documentId) id: string): Promise<void> {
    sendRendition(reply, await this.renditions.toPdf(p, id));
  }

  @Get('docs/:id/xlsx')
  async xlsx(@CurrentPrincipal() p: Principal, @Res() reply: ConsoleReply, @Param('id', documentId) id: string): Promise<void> {
    streamListSheet(reply, await this.documents.snapshot(p, id), 'xlsx', this.logger);
  }

  /**
   * Issues the month's supervision bulletin (督查通报). The supervision step issues it when it
   * runs; before that, a leader's press runs the step now. Once issued, the list shows it.
   */
  @Post('bulletin')
  async bulletin(@CurrentPrincipal() p: Principal, @Req() req: ConsoleRequest, @Res() reply: ConsoleReply): Promise<void> {
    const body = formOf(req);
    const unitId = field(body, 'unitId');
    const period = this.pages.periodOf(field(body, 'period'));
    const locale = frameOf(req, reply).lang;
    try {
      await this.documents.issue(p, { kind: 'bulletin', unitId, period, locale });
    } catch (e) {
      if (!(e instanceof Conflict)) throw e;
      const alreadyIssued = typeof e.details?.documentId === 'string';
      // Not yet issued because the month's supervision step has not run: whoever may run the
      // township's steps runs it now (the cycles lib decides who), which issues the bulletin.
      if (!alreadyIssued) await this.cycles.runNow(p, unitId, period, 'supervision');
    }
    this.pages.redirect(reply, '/docs');
  }
}
