import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  CategoryList,
  EvidenceService,
  EvidenceView,
  FindingsImportService,
  parseEvidenceRole,
  HistoryEntry,
  ImportResult,
  inReaderLang,
  InspectionService,
  InspectionView,
  TicketCounts,
  TicketDetail,
  TicketEditService,
  TicketPage,
  TicketQueryService,
  TicketService,
  TransitionService,
  readerLang,
} from '@app/tickets';
import { AppConfig, Clock, CurrentPrincipal, ImportRejected, Principal, readUploadedFile, readUploadedForm } from '@app/platform';
import { sendStoredFile } from '../common/downloads';
import { IdPipe } from '../common/id.pipe';
import {
  CountsQuery,
  CreateInspectionDto,
  CreateIssueDto,
  EditIssueDto,
  EvidenceDto,
  EvidenceUploadQuery,
  ImportFindingsQuery,
  ListInspectionsQuery,
  ListIssuesQuery,
  TransitionDto,
} from './tickets.dto';
import { ApiErrors, ApiFile, ApiResult, MULTIPART_FILE_BODY } from '../common/openapi';
import { ApiIdempotent, IdempotencyKey } from '../common/idempotency-key';
import { EVIDENCE_FORM_FIELDS, EVIDENCE_UPLOAD_BODY, reportedFacts } from './evidence-form';

const ticketId = new IdPipe('Ticket');

interface Reply {
  header(name: string, value: string): Reply;
  send(payload: unknown): unknown;
}

@ApiTags('tickets')
@ApiBearerAuth()
@Controller()
export class TicketsController {
  constructor(
    private readonly inspections: InspectionService,
    private readonly importer: FindingsImportService,
    private readonly tickets: TicketService,
    private readonly queries: TicketQueryService,
    private readonly transitions: TransitionService,
    private readonly edits: TicketEditService,
    private readonly evidence: EvidenceService,
    private readonly categories: CategoryList,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  @Post('inspections')
  @ApiResult('Inspection', 201)
  @ApiErrors(403, 404)
  @ApiOperation({ summary: 'Record an inspection (巡察, 督查, 自查, 审计, 上级反馈, 专项核查) of a unit' })
  createInspection(@CurrentPrincipal() p: Principal, @Body() body: CreateInspectionDto): Promise<InspectionView> {
    return this.inspections.create(p, body);
  }

  @Get('inspections')
  @ApiResult('InspectionPage')
  listInspections(@CurrentPrincipal() p: Principal, @Query() q: ListInspectionsQuery) {
    return this.inspections.list(p, q);
  }

  @Get('inspections/:id')
  @ApiResult('Inspection')
  getInspection(@CurrentPrincipal() p: Principal, @Param('id', new IdPipe('Inspection')) id: string): Promise<InspectionView> {
    return this.inspections.get(p, id);
  }

  @Post('inspections/:id/findings/import')
  @ApiBody(MULTIPART_FILE_BODY)
  @ApiResult('ImportResult')
  @ApiErrors(403, 409, 422)
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiIdempotent()
  @ApiOperation({
    summary:
      'Import a findings list (.xlsx, .xls, WPS .et, .ods or .csv — UTF-8, GBK or UTF-16 — with 序号, 问题描述, 问题类别, 责任单位, 责任人, 整改措施, 整改时限; the header row is found among the first 30 rows, section and note rows are skipped): all rows or none; 422 lists every bad row',
  })
  async importFindings(
    @CurrentPrincipal() p: Principal,
    @Param('id', new IdPipe('Inspection')) id: string,
    @Query() q: ImportFindingsQuery,
    @IdempotencyKey() key: string | undefined,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Req() req: unknown,
  ): Promise<ImportResult> {
    const file = await readUploadedFile(req, this.config.IMPORT_MAX_MB * 1024 * 1024);
    try {
      return await this.importer.import(p, id, file, {
        dryRun: q.dryRun ?? false,
        idempotencyKey: key,
        sheet: q.sheet,
        mapping: q.mapping,
      });
    } catch (e) {
      // Row problems are told in the caller's language: Chinese when Accept-Language prefers it.
      throw e instanceof ImportRejected ? inReaderLang(e, readerLang(acceptLanguage)) : e;
    }
  }

  @Get('ticket-categories')
  @ApiResult('TextItems')
  @ApiOperation({ summary: 'The configured problem categories' })
  categoryList(): { items: string[] } {
    return { items: this.categories.list };
  }

  @Post('issues')
  @ApiResult('TicketDetail', 201)
  @ApiErrors(403, 404, 409)
  @ApiIdempotent()
  @ApiOperation({ summary: 'Raise a ticket; with unitIds a common problem (共性问题): a parent and one child per unit' })
  create(@CurrentPrincipal() p: Principal, @Body() body: CreateIssueDto, @IdempotencyKey() key: string | undefined): Promise<TicketDetail> {
    return this.tickets.create(p, body, { idempotencyKey: key });
  }

  @Get('issues')
  @ApiResult('TicketPage')
  @ApiOperation({ summary: 'Tickets in your scope, filtered, searched (q: any part of the text) and paged' })
  list(@CurrentPrincipal() p: Principal, @Query() q: ListIssuesQuery): Promise<TicketPage> {
    return this.queries.list(p, q);
  }

  @Get('issues/counts')
  @ApiResult('TicketCounts')
  @ApiOperation({ summary: 'Ticket counts of a unit’s subtree by status, with overdue and on-time close-outs' })
  counts(@CurrentPrincipal() p: Principal, @Query() q: CountsQuery): Promise<TicketCounts> {
    return this.queries.counts(p, q.unitId);
  }

  @Get('issues/:id')
  @ApiResult('TicketDetail')
  get(@CurrentPrincipal() p: Principal, @Param('id', ticketId) id: string): Promise<TicketDetail> {
    return this.tickets.get(p, id);
  }

  @Get('issues/:id/history')
  @ApiResult('History')
  @ApiOperation({ summary: 'Every change of the ticket: actor, from, to, comment, time' })
  history(@CurrentPrincipal() p: Principal, @Param('id', ticketId) id: string): Promise<HistoryEntry[]> {
    return this.tickets.history(p, id);
  }

  @Patch('issues/:id')
  @ApiResult('TicketDetail', 200, 'the ticket as edited, at its new version')
  @ApiOperation({
    summary:
      'Edit responsible, supervisingLeader, measures, category, description or title: a leader above the owner unit, an inspector in scope or an admin any of them, the owner team responsible and measures; each changed field is one history entry (kind updated, data { field, from, to })',
  })
  @ApiOkResponse({ description: 'the ticket as edited, at its new version' })
  @ApiBadRequestResponse({ description: 'a malformed field, an unknown category, an empty title or a missing version' })
  @ApiForbiddenResponse({ description: 'a field the caller may not change (details.fields)' })
  @ApiNotFoundResponse({ description: 'no such ticket in the caller’s scope' })
  @ApiConflictResponse({
    description:
      'the ticket changed since `version` (details.version is the current one: reload and edit again), or it is closed or cancelled',
  })
  edit(@CurrentPrincipal() p: Principal, @Param('id', ticketId) id: string, @Body() body: EditIssueDto): Promise<TicketDetail> {
    return this.edits.edit(p, id, body);
  }

  @Post('issues/:id/transitions')
  @ApiResult('TicketDetail', 200, 'the ticket after the action')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'start, submit, approve, return, reopen, cancel, extend, request_extension, approve_extension or reject_extension; 409 names the actions allowed now; approve and approve_extension follow four eyes (403 with details.reason: owner_unit, submitted, started or requested)',
  })
  @ApiOkResponse({ description: 'the ticket after the action' })
  @ApiForbiddenResponse({ description: 'the caller may not take this action; for four eyes details.reason says why' })
  @ApiConflictResponse({
    description: 'the state does not allow the action (details.allowed), or the Idempotency-Key was used for another request',
  })
  @ApiIdempotent()
  transition(
    @CurrentPrincipal() p: Principal,
    @Param('id', ticketId) id: string,
    @Body() body: TransitionDto,
    @IdempotencyKey() key: string | undefined,
  ): Promise<TicketDetail> {
    return this.transitions.apply(p, id, body, { idempotencyKey: key });
  }

  @Post('issues/:id/evidence')
  @ApiErrors(403, 409)
  @ApiConsumes('multipart/form-data')
  @ApiIdempotent()
  @ApiOperation({
    summary:
      'Upload evidence (photo, PDF, Word, Excel; decided by content); 413 above the size limit, 415 for other types. role marks a photo before (整改前) or after (整改后) the work. takenAt, lat and lon, as the phone read them before compressing, stand in for a photo without its own EXIF time or GPS (exif.fromClient names them)',
  })
  @ApiBody(EVIDENCE_UPLOAD_BODY)
  @ApiCreatedResponse({ type: EvidenceDto, description: 'the stored evidence, its EXIF and the warnings of the checks against 纸面销号' })
  async upload(
    @CurrentPrincipal() p: Principal,
    @Param('id', ticketId) id: string,
    @IdempotencyKey() key: string | undefined,
    @Req() req: unknown,
    @Query() q: EvidenceUploadQuery,
  ): Promise<Pick<EvidenceView, 'id' | 'sha256' | 'size' | 'mediaType'> & EvidenceView> {
    const { file, fields } = await readUploadedForm(req, this.evidence.maxBytes, EVIDENCE_FORM_FIELDS);
    return this.evidence.upload(p, id, file, {
      idempotencyKey: key,
      role: parseEvidenceRole(q.role ?? fields.role),
      reported: reportedFacts(fields, this.clock.now()),
    });
  }

  @Get('issues/:id/evidence')
  @ApiOkResponse({ type: [EvidenceDto] })
  listEvidence(@CurrentPrincipal() p: Principal, @Param('id', ticketId) id: string): Promise<EvidenceView[]> {
    return this.evidence.list(p, id);
  }

  @Get('issues/:id/evidence/:evidenceId')
  @ApiFile(
    ['application/octet-stream', 'image/jpeg', 'image/png', 'application/pdf'],
    'the stored file, as an attachment (images and PDFs the console shows get a sandbox policy)',
  )
  @ApiOperation({ summary: 'Download a piece of evidence' })
  async download(
    @CurrentPrincipal() p: Principal,
    @Param('id', ticketId) id: string,
    @Param('evidenceId', new IdPipe('Evidence')) evidenceId: string,
    @Res() reply: Reply,
  ): Promise<void> {
    const { view, stream } = await this.evidence.open(p, id, evidenceId);
    sendStoredFile(reply, view, stream);
  }
}
