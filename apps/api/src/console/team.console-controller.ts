import { Controller, Get, Logger, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AppConfig, Clock, CurrentPrincipal, Principal, Public, readUploadedForm, ValidationFailed } from '@app/platform';
import {
  Action,
  ACTIVE_STATUSES,
  EvidenceService,
  STATUSES,
  Status,
  parseEvidenceRole,
  TicketQueryService,
  TicketService,
  TransitionService,
} from '@app/tickets';
import { DateTime } from 'luxon';
import { DossierService } from '@app/documents';
import { sendRendition, sendStoredFile, streamFile } from '../common/downloads';
import { IdPipe } from '../common/id.pipe';
import { ConsoleErrorFilter, safeNext } from './console-error.filter';
import { TransitionDto } from '../tickets/tickets.dto';
import { EVIDENCE_FORM_FIELDS, reportedFacts } from '../tickets/evidence-form';
import { checkedForm, ConsolePages, dateField, field, fields, formOf, pageOf, pager } from './console-page';

import { ConsoleAuthGuard, ConsoleReply, ConsoleRequest } from './session';

const ticketId = new IdPipe('Ticket');
const PAGE_SIZE = 50;

/**
 * The `Idempotency-Key` of a write the phone queued: what it sends again after a lost answer
 * carries the same key, and the write happens once. Absent for an ordinary form post.
 */
export function idempotencyKeyOf(req: ConsoleRequest): string | undefined {
  const raw = req.headers['idempotency-key'];
  const key = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!key) return undefined;
  if (!/^[A-Za-z0-9_-]{8,100}$/.test(key)) throw ValidationFailed.field('Idempotency-Key', 'must be 8 to 100 letters, digits, - or _');
  return key;
}

/** The village team's pages: tickets with close-out, evidence from the camera, tasks, the self-check. */
@ApiExcludeController()
@Public()
@UseGuards(ConsoleAuthGuard)
@UseFilters(ConsoleErrorFilter)
@Controller()
export class TeamConsoleController {
  private readonly logger = new Logger('ConsoleDossier');

  constructor(
    private readonly tickets: TicketService,
    private readonly queries: TicketQueryService,
    private readonly transitions: TransitionService,
    private readonly evidence: EvidenceService,
    private readonly dossiers: DossierService,
    private readonly pages: ConsolePages,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  @Get('tickets')
  async list(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Query('status') status?: string,
    @Query('page') pageText?: string,
    @Query('q') q?: string,
  ): Promise<void> {
    const text = q?.trim().slice(0, 100) || undefined;
    const chosen = STATUSES.includes(status as Status) ? [status as Status] : [...ACTIVE_STATUSES];
    const page = pageOf(pageText);
    // Sorted by deadline, the overdue tickets (the earliest deadlines) come first.
    const result = await this.queries.list(p, { status: chosen, q: text, sort: 'deadline', order: 'asc', page, pageSize: PAGE_SIZE });
    const t = this.pages.t(req);
    this.pages.show(req, reply, 'tickets', {
      title: t.nav.tickets,
      items: this.pages.withDue(req, result.items),
      total: result.total,
      status: status ?? '',
      q: text ?? '',
      statuses: STATUSES,
      ...pager(page, PAGE_SIZE, result.total),
    });
  }

  @Get('tickets/:id')
  async ticket(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', ticketId) id: string,
  ) {
    const ticket = await this.tickets.get(p, id);
    const [history, evidence, repeated] = await Promise.all([
      this.tickets.history(p, id),
      this.evidence.list(p, id),
      Promise.all(
        ticket.repeatOf.map((r) =>
          this.tickets.get(p, r).then(
            (x) => ({ id: x.id, code: x.code }),
            () => ({ id: r, code: r }),
          ),
        ),
      ),
    ]);
    const [withDue] = this.pages.withDue(req, [ticket]);
    const allowed = ticket.allowedActions;
    const head = history.length ? history[history.length - 1].id : 0;
    this.pages.show(req, reply, 'ticket', {
      title: `${ticket.code} ${ticket.title}`,
      ticket: withDue,
      children: ticket.children,
      repeated,
      history: [...history].reverse(),
      head,
      evidence: evidence.map((e) => ({ ...e, image: e.mediaType.startsWith('image/') })),
      actions: allowed,
      canUpload: allowed.includes('submit') || allowed.includes('start'),
      maxMb: this.config.EVIDENCE_MAX_MB,
    });
  }

  @Post('tickets/:id/evidence')
  async upload(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', ticketId) id: string,
  ) {
    const key = idempotencyKeyOf(req);
    const { file, fields } = await readUploadedForm(req, this.evidence.maxBytes, EVIDENCE_FORM_FIELDS);
    await this.evidence.upload(p, id, file, {
      idempotencyKey: key,
      role: parseEvidenceRole(fields.role),
      reported: reportedFacts(fields, this.clock.now()),
    });
    this.pages.redirect(reply, `/tickets/${id}#evidence`);
  }

  /**
   * What a phone that queued work offline needs before sending it: the ticket's state now and
   * what others did to it after the entry the phone last saw (`since`: a history id), so that
   * a ticket returned, reassigned or closed meanwhile is the user's decision, not a silent send.
   */
  @Get('tickets/:id/state')
  async state(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', ticketId) id: string,
    @Query('since') sinceText?: string,
  ): Promise<void> {
    const since = Math.max(0, Math.trunc(Number(sinceText)) || 0);
    const [ticket, history] = await Promise.all([this.tickets.get(p, id), this.tickets.history(p, id)]);
    const t = this.pages.t(req);
    const changes = history
      .filter((h) => h.id > since && h.actor.id !== p.userId)
      .map((h) => ({
        at: h.at,
        atLabel: DateTime.fromISO(h.at, { zone: 'utc' }).setZone(this.config.TZ_DEFAULT).toFormat('yyyy-MM-dd HH:mm'),
        actor: h.actor.name,
        what: h.action ? ((t.action as Record<string, string>)[h.action] ?? h.action) : (t.event[h.kind] ?? h.kind),
        to: h.to && h.to !== h.from ? t.status[h.to] : null,
        comment: h.comment,
      }));
    reply
      .code(200)
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        JSON.stringify({
          status: ticket.status,
          statusLabel: t.status[ticket.status],
          unitName: ticket.unitName,
          head: history.length ? history[history.length - 1].id : 0,
          allowed: ticket.allowedActions,
          changes,
        }),
      );
  }

  /** The ticket's 整改档案 as a PDF, or with `?format=zip` the PDF and the original files. */
  @Get('tickets/:id/dossier')
  async dossier(
    @CurrentPrincipal() p: Principal,
    @Res() reply: ConsoleReply,
    @Param('id', ticketId) id: string,
    @Query('format') format?: string,
  ): Promise<void> {
    if (format === 'zip') {
      const zip = await this.dossiers.zip(p, id);
      return streamFile(reply, { name: zip.filename, type: 'application/zip' }, zip.write, this.logger);
    }
    sendRendition(reply, await this.dossiers.renderPdf(p, id));
  }

  @Get('tickets/:id/evidence/:evidenceId')
  async evidenceFile(
    @CurrentPrincipal() p: Principal,
    @Res() reply: ConsoleReply,
    @Param('id', ticketId) id: string,
    @Param('evidenceId', new IdPipe('Evidence')) evidenceId: string,
  ): Promise<void> {
    const { view, stream } = await this.evidence.open(p, id, evidenceId);
    sendStoredFile(reply, view, stream);
  }

  @Post('tickets/:id/transitions')
  async transition(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', ticketId) id: string,
  ) {
    const body = formOf(req);
    const action = field(body, 'action') as Action;
    const picked = fields(body, 'evidenceIds');
    const input = await checkedForm(TransitionDto, {
      action,
      comment: field(body, 'comment') || undefined,
      reason: field(body, 'reason') || undefined,
      deadline: action === 'extend' ? dateField(body, 'deadline') : undefined,
      evidenceIds: picked.length ? picked : undefined,
    });
    // Submitting attaches every piece of evidence uploaded unless the team picked some.
    if (input.action === 'submit' && !input.evidenceIds) {
      const all = (await this.evidence.list(p, id)).map((e) => e.id);
      if (all.length) input.evidenceIds = all;
    }
    await this.transitions.apply(p, id, input, { idempotencyKey: idempotencyKeyOf(req) });
    const back = field(body, 'back');
    this.pages.redirect(reply, back ? safeNext(back) : `/tickets/${id}`);
  }
}
