import { Controller, Get, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { OrgUnitService } from '@app/org';
import { AppConfig, CurrentPrincipal, ImportRejected, Principal, Public, readUploadedFile } from '@app/platform';
import { FindingsImportService, inReaderLang, InspectionService, SOURCE_LABELS, SOURCES, Source, TicketQueryService } from '@app/tickets';
import { IdPipe } from '../common/id.pipe';
import { ConsoleErrorFilter } from './console-error.filter';
import { CreateInspectionDto } from '../tickets/tickets.dto';
import { checkedForm, ConsolePages, dateField, field, formOf } from './console-page';
import { langOf, LANG_COOKIE } from './i18n';
import { carried, preview } from './import-preview';
import { ConsoleAuthGuard, ConsoleReply, ConsoleRequest } from './session';

const inspectionId = new IdPipe('Inspection');
/** The inspection group's pages: the verification queue and the findings import. */
@ApiExcludeController()
@Public()
@UseGuards(ConsoleAuthGuard)
@UseFilters(ConsoleErrorFilter)
@Controller()
export class InspectorConsoleController {
  constructor(
    private readonly queries: TicketQueryService,
    private readonly inspections: InspectionService,
    private readonly importer: FindingsImportService,
    private readonly units: OrgUnitService,
    private readonly pages: ConsolePages,
    private readonly config: AppConfig,
  ) {}

  @Get('verify')
  async queue(@CurrentPrincipal() p: Principal, @Req() req: ConsoleRequest, @Res() reply: ConsoleReply): Promise<void> {
    const result = await this.queries.list(p, {
      status: ['pending_review'],
      approvable: true,
      sort: 'deadline',
      order: 'asc',
      page: 1,
      pageSize: 100,
    });
    const items = result.items;
    const t = this.pages.t(req);
    this.pages.show(req, reply, 'verify', { title: t.nav.verify, items: this.pages.withDue(req, items) });
  }

  @Get('findings')
  async inspectionList(@CurrentPrincipal() p: Principal, @Req() req: ConsoleRequest, @Res() reply: ConsoleReply): Promise<void> {
    const [list, townships] = await Promise.all([
      this.inspections.list(p, { page: 1, pageSize: 50 }),
      this.units.list(p, { kind: 'township', page: 1, pageSize: 200 }),
    ]);
    const t = this.pages.t(req);
    this.pages.show(req, reply, 'inspections', {
      title: t.nav.import,
      items: list.items,
      townships: townships.items,
      sources: SOURCES.map((s) => ({ value: s, label: SOURCE_LABELS[s] })),
    });
  }

  @Post('findings')
  async createInspection(@CurrentPrincipal() p: Principal, @Req() req: ConsoleRequest, @Res() reply: ConsoleReply): Promise<void> {
    const body = formOf(req);
    const input = await checkedForm(CreateInspectionDto, {
      source: field(body, 'source') as Source,
      title: field(body, 'title'),
      issuedBy: field(body, 'issuedBy'),
      docNumber: field(body, 'docNumber') || undefined,
      docDate: dateField(body, 'docDate', false),
      round: field(body, 'round') || undefined,
      date: dateField(body, 'date') as string,
      unitId: field(body, 'unitId'),
    });
    const created = await this.inspections.create(p, input);
    this.pages.redirect(reply, `/findings/${created.id}`);
  }

  @Get('findings/:id')
  async inspection(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', inspectionId) id: string,
  ) {
    const inspection = await this.inspections.get(p, id);
    const tickets = await this.queries.list(p, { inspectionId: id, sort: 'deadline', order: 'asc', page: 1, pageSize: 100 });
    this.pages.show(req, reply, 'inspection', {
      title: inspection.title,
      inspection,
      tickets: this.pages.withDue(req, tickets.items),
    });
  }

  /** Step one: check the uploaded list and show every bad row; nothing is written. */
  @Post('findings/:id/check')
  async check(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', inspectionId) id: string,
  ) {
    const inspection = await this.inspections.get(p, id);
    const file = await readUploadedFile(req, this.config.IMPORT_MAX_MB * 1024 * 1024);
    const result = await preview(() => this.importer.import(p, id, file, { dryRun: true }), file, langOf(req.cookies?.[LANG_COOKIE]));
    this.pages.show(req, reply, 'import-preview', { title: inspection.title, inspection, preview: result }, result.ok ? 200 : 422);
  }

  /** Step two: import the checked list (carried by the preview page, or chosen again). */
  @Post('findings/:id/import')
  async import(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', inspectionId) id: string,
  ) {
    const inspection = await this.inspections.get(p, id);
    const file = (req as { isMultipart?: () => boolean }).isMultipart?.()
      ? await readUploadedFile(req, this.config.IMPORT_MAX_MB * 1024 * 1024)
      : carried(req);
    try {
      const result = await this.importer.import(p, id, file, { dryRun: false });
      this.pages.show(req, reply, 'import-preview', { title: inspection.title, inspection, imported: result.created });
    } catch (e) {
      if (!(e instanceof ImportRejected)) throw e;
      const rows = inReaderLang(e, langOf(req.cookies?.[LANG_COOKIE])).rows;
      this.pages.show(req, reply, 'import-preview', { title: inspection.title, inspection, preview: { ok: false, rows } }, 422);
    }
  }
}
