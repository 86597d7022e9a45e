import { Controller, Get, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CHECKLIST_STATES, ChecklistItem, DEFAULT_CHECKLIST, SelfCheckService, TaskService } from '@app/cycles';
import { UserService } from '@app/org';
import { AppConfig, CurrentPrincipal, Principal, Public, readUploadedFile, ValidationFailed } from '@app/platform';
import {
  Action,
  ACTIVE_STATUSES,
  EvidenceService,
  STATUSES,
  Status,
  TicketQueryService,
  TicketService,
  TransitionService,
} from '@app/tickets';
import { DateTime } from 'luxon';
import { sendStoredFile } from '../common/downloads';
import { IdPipe } from '../common/id.pipe';
import { ConsoleErrorFilter, safeNext } from './console-error.filter';
import { ProgressDto } from '../cycles/cycles.dto';
import { FileSelfCheckDto } from '../cycles/self-checks.controller';
import { TransitionDto } from '../tickets/tickets.dto';
import {
  checkedForm,
  ConsolePages,
  dateField,
  field,
  FormBody,
  fields,
  formOf,
  numberField,
  pageOf,
  pager,
  unitsWithRole,
} from './console-page';
import { errorsByField, FieldError, fieldErrors } from './form-errors';
import { LANG_COOKIE, langOf } from './i18n';

/** A progress report the console refused, shown again in its task's form. */
interface RefusedProgress {
  id: string;
  actual: string;
  comment: string;
  errors: Record<string, string>;
  list: FieldError[];
}
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
  constructor(
    private readonly tickets: TicketService,
    private readonly queries: TicketQueryService,
    private readonly transitions: TransitionService,
    private readonly evidence: EvidenceService,
    private readonly tasks: TaskService,
    private readonly selfChecks: SelfCheckService,
    private readonly users: UserService,
    private readonly pages: ConsolePages,
    private readonly config: AppConfig,
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
    const [history, evidence] = await Promise.all([this.tickets.history(p, id), this.evidence.list(p, id)]);
    const [withDue] = this.pages.withDue(req, [ticket]);
    const allowed = ticket.allowedActions;
    const head = history.length ? history[history.length - 1].id : 0;
    this.pages.show(req, reply, 'ticket', {
      title: `${ticket.code} ${ticket.title}`,
      ticket: withDue,
      children: ticket.children,
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
    const file = await readUploadedFile(req, this.evidence.maxBytes);
    await this.evidence.upload(p, id, file, { idempotencyKey: key });
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

  /** The teams (units) the principal works in, to choose from when there are several. */
  private async teamUnits(p: Principal): Promise<Array<{ id: string; name: string }>> {
    // The caller's own memberships carry the unit names: one read, not one per team.
    const { memberships } = await this.users.view(p.userId);
    const names = new Map(memberships.map((m) => [m.unitId, m.unitName ?? '']));
    return unitsWithRole(p, 'member', 'leader').map((id) => ({ id, name: names.get(id) ?? '' }));
  }

  /** The teams to choose from, the one asked for (the first by default) and this month. */
  private async chosenTeam(p: Principal, wanted?: string) {
    const units = await this.teamUnits(p);
    return { units, unit: units.find((u) => u.id === wanted) ?? units[0], period: this.pages.period() };
  }

  @Get('my-tasks')
  async taskList(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Query('unitId') unitId?: string,
  ): Promise<void> {
    await this.showTasks(p, req, reply, unitId);
  }

  private async showTasks(
    p: Principal,
    req: ConsoleRequest,
    reply: ConsoleReply,
    unitId?: string,
    failed?: RefusedProgress,
  ): Promise<void> {
    const { units, unit, period } = await this.chosenTeam(p, unitId);
    const items = unit ? await this.tasks.list(p, { unitId: unit.id, period, subtree: true }) : [];
    const t = this.pages.t(req);
    const rows = items.map((i) => (failed && i.id === failed.id ? { ...i, actual: failed.actual, typed: failed } : i));
    this.pages.show(req, reply, 'tasks', { title: t.nav.tasks, units, unit, period, items: rows, failed }, failed ? 400 : 200);
  }

  @Post('my-tasks/:id/progress')
  async progress(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', new IdPipe('Task')) id: string,
  ): Promise<void> {
    const body = formOf(req);
    const key = idempotencyKeyOf(req);
    try {
      const actual = numberField(body, 'actual');
      if (actual === undefined) throw ValidationFailed.field('actual', 'enter how many are done (0 or more)');
      const input = await checkedForm(ProgressDto, {
        actual,
        comment: field(body, 'comment') || undefined,
        done: field(body, 'done') === 'on' || undefined,
      });
      await this.tasks.reportProgress(p, id, input, { idempotencyKey: key });
    } catch (e) {
      if (!(e instanceof ValidationFailed)) throw e;
      // The list again, this task's form with what was typed and what is wrong, in the reader's words.
      const t = this.pages.t(req);
      const errors = fieldErrors(e, t, langOf(req.cookies?.[LANG_COOKIE]));
      await this.showTasks(p, req, reply, field(body, 'unitId') || undefined, {
        id,
        actual: field(body, 'actual'),
        comment: field(body, 'comment'),
        errors: errorsByField(errors),
        list: errors,
      });
      return;
    }
    this.pages.redirect(reply, `/my-tasks${field(body, 'unitId') ? `?unitId=${encodeURIComponent(field(body, 'unitId'))}` : ''}`);
  }

  @Get('self-check')
  async selfCheck(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Query('unitId') unitId?: string,
  ): Promise<void> {
    await this.showSelfCheck(p, req, reply, unitId);
  }

  /** The self-check page; after a refused filing, the form again with what was typed and what is wrong. */
  private async showSelfCheck(
    p: Principal,
    req: ConsoleRequest,
    reply: ConsoleReply,
    unitId: string | undefined,
    refused?: { body: FormBody; errors: FieldError[] },
  ): Promise<void> {
    const { units, unit, period } = await this.chosenTeam(p, unitId);
    const filed = unit ? await this.selfChecks.list(p, { unitId: unit.id, period }) : [];
    const t = this.pages.t(req);
    const typed = (name: string) => (refused ? field(refused.body, name) : '');
    const byField = refused ? errorsByField(refused.errors) : {};
    this.pages.show(
      req,
      reply,
      'self-check',
      {
        title: t.nav.selfCheck,
        units,
        unit,
        period,
        filed: filed.filter((f) => f.unitId === unit?.id),
        checklist: DEFAULT_CHECKLIST.map((item, i) => ({
          item,
          i,
          note: typed(`note${i}`),
          error: byField[`status${i}`] ?? byField[`checklist.${i}.status`] ?? byField[`checklist.${i}.note`],
          states: CHECKLIST_STATES.map((s) => ({
            value: s,
            checked: refused ? typed(`status${i}`) === s : s === 'done',
          })),
        })),
        summary: typed('summary'),
        problems: typed('problems'),
        deadline: typed('deadline'),
        errors: byField,
        problemList: refused?.errors,
      },
      refused ? 400 : 200,
    );
  }

  @Post('self-check')
  async fileSelfCheck(@CurrentPrincipal() p: Principal, @Req() req: ConsoleRequest, @Res() reply: ConsoleReply): Promise<void> {
    const body = formOf(req);
    const unitId = field(body, 'unitId');
    try {
      const deadline = dateField(body, 'deadline', false);
      const checklist = DEFAULT_CHECKLIST.map((item, i) => {
        // Named as the form names it, which the DTO (checklist.N.status) cannot.
        const status = field(body, `status${i}`) as ChecklistItem['status'];
        if (!CHECKLIST_STATES.includes(status)) throw ValidationFailed.field(`status${i}`, 'choose done, partial or not done');
        return { item, status, note: field(body, `note${i}`) || undefined };
      });
      const problems = field(body, 'problems')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean)
        .map((title) => ({ title: title.slice(0, 500), deadline }));
      const input = await checkedForm(FileSelfCheckDto, {
        unitId,
        period: this.pages.period(),
        summary: field(body, 'summary'),
        checklist,
        problems,
      });
      await this.selfChecks.file(p, input, { idempotencyKey: idempotencyKeyOf(req) });
    } catch (e) {
      if (!(e instanceof ValidationFailed)) throw e;
      const t = this.pages.t(req);
      const errors = fieldErrors(e, t, langOf(req.cookies?.[LANG_COOKIE]));
      await this.showSelfCheck(p, req, reply, unitId || undefined, { body, errors });
      return;
    }
    this.pages.redirect(reply, `/self-check?unitId=${encodeURIComponent(unitId)}`);
  }
}
