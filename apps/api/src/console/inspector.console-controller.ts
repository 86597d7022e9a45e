import { Controller, Get, Inject, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { OrgUnitService, Units } from '@app/org';
import { AppConfig, CurrentPrincipal, ImportRejected, Principal, Public, readUploadedFile } from '@app/platform';
import {
  CategoryList,
  CLASS_LABELS,
  CLASSES,
  FINDING_COLUMNS,
  FindingsImportService,
  inReaderLang,
  InspectionService,
  RectificationClass,
  SOURCE_LABELS,
  SOURCES,
  Source,
  TicketQueryService,
  TicketService,
} from '@app/tickets';
import { DataSource } from 'typeorm';
import { IdPipe } from '../common/id.pipe';
import { ConsoleErrorFilter } from './console-error.filter';
import { CreateInspectionDto, CreateIssueDto } from '../tickets/tickets.dto';
import { checkedForm, ConsolePages, dateField, field, fields, formOf } from './console-page';
import { langOf, LANG_COOKIE } from './i18n';
import { carried, mappingOf, preview } from './import-preview';
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
    private readonly tickets: TicketService,
    private readonly categories: CategoryList,
    @Inject(DataSource) private readonly db: DataSource,
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
    const inspected = await Units.byId(this.db, inspection.unitId);
    // The units a finding raised by hand may name: the inspected unit and those under it where the caller raises tickets.
    const units = (inspected ? await Units.subtree(this.db, inspected.path) : []).filter((u) =>
      p.scope.hasRoleOver(u, 'inspector', 'leader', 'admin'),
    );
    this.pages.show(req, reply, 'inspection', {
      title: inspection.title,
      inspection,
      tickets: this.pages.withDue(req, tickets.items),
      units: units.map((u) => ({ id: u.id, name: u.name, inspected: u.id === inspection.unitId })),
      members: units.filter((u) => u.id !== inspection.unitId).map((u) => ({ id: u.id, name: u.name })),
      categories: this.categories.list,
      classes: CLASSES.map((c) => ({ value: c, label: CLASS_LABELS[c], selected: c === 'deadline' })),
    });
  }

  /** A finding raised by hand in the inspection; with several units ticked, a common problem (共性问题), as POST /issues with unitIds. */
  @Post('findings/:id/tickets')
  async raise(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', inspectionId) id: string,
  ) {
    const body = formOf(req);
    const unitIds = fields(body, 'unitIds');
    const input = await checkedForm(CreateIssueDto, {
      inspectionId: id,
      title: field(body, 'title'),
      description: field(body, 'description') || undefined,
      category: field(body, 'category') || undefined,
      unitId: field(body, 'unitId'),
      unitIds: unitIds.length ? unitIds : undefined,
      responsible: field(body, 'responsible') || undefined,
      supervisingLeader: field(body, 'supervisingLeader') || undefined,
      measures: field(body, 'measures') || undefined,
      rectificationClass: (field(body, 'rectificationClass') || undefined) as RectificationClass | undefined,
      deadline: dateField(body, 'deadline') as string,
    });
    const created = await this.tickets.create(p, input);
    this.pages.redirect(reply, `/tickets/${created.id}`);
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
    // The first check uploads the file; a check with a column mapping posts back the carried file.
    const upload = (req as { isMultipart?: () => boolean }).isMultipart?.();
    const file = upload ? await readUploadedFile(req, this.config.IMPORT_MAX_MB * 1024 * 1024) : carried(req);
    const mapping = upload ? undefined : mappingOf(formOf(req), FINDING_COLUMNS);
    const result = await preview(
      () => this.importer.import(p, id, file, { dryRun: true, mapping }),
      file,
      langOf(req.cookies?.[LANG_COOKIE]),
      { columns: FINDING_COLUMNS, given: mapping },
    );
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
    const upload = (req as { isMultipart?: () => boolean }).isMultipart?.();
    const file = upload ? await readUploadedFile(req, this.config.IMPORT_MAX_MB * 1024 * 1024) : carried(req);
    const mapping = upload ? undefined : mappingOf(formOf(req), FINDING_COLUMNS);
    try {
      const result = await this.importer.import(p, id, file, { dryRun: false, mapping });
      this.pages.show(req, reply, 'import-preview', { title: inspection.title, inspection, imported: result.created });
    } catch (e) {
      if (!(e instanceof ImportRejected)) throw e;
      const rows = inReaderLang(e, langOf(req.cookies?.[LANG_COOKIE])).rows;
      this.pages.show(req, reply, 'import-preview', { title: inspection.title, inspection, preview: { ok: false, rows } }, 422);
    }
  }
}
