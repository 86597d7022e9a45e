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
import { sendStoredFile } from '../common/downloads';
import { IdPipe } from '../common/id.pipe';
import { ConsoleErrorFilter, safeNext } from './console-error.filter';
import { ProgressDto } from '../cycles/cycles.dto';
import { FileSelfCheckDto } from '../cycles/self-checks.controller';
import { TransitionDto } from '../tickets/tickets.dto';
import { checkedForm, ConsolePages, dateField, field, fields, formOf, numberField, pageOf, pager, unitsWithRole } from './console-page';
import { ConsoleAuthGuard, ConsoleReply, ConsoleRequest } from './session';

const ticketId = new IdPipe('Ticket');
const PAGE_SIZE = 50;

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
    this.pages.show(req, reply, 'ticket', {
      title: `${ticket.code} ${ticket.title}`,
      ticket: withDue,
      children: ticket.children,
      history: [...history].reverse(),
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
    const file = await readUploadedFile(req, this.evidence.maxBytes);
    await this.evidence.upload(p, id, file);
    this.pages.redirect(reply, `/tickets/${id}#evidence`);
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
    await this.transitions.apply(p, id, input);
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
    const { units, unit, period } = await this.chosenTeam(p, unitId);
    const items = unit ? await this.tasks.list(p, { unitId: unit.id, period, subtree: true }) : [];
    const t = this.pages.t(req);
    this.pages.show(req, reply, 'tasks', { title: t.nav.tasks, units, unit, period, items });
  }

  @Post('my-tasks/:id/progress')
  async progress(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', new IdPipe('Task')) id: string,
  ): Promise<void> {
    const body = formOf(req);
    const actual = numberField(body, 'actual');
    if (actual === undefined) throw ValidationFailed.field('actual', 'enter how many are done (0 or more)');
    const input = await checkedForm(ProgressDto, {
      actual,
      comment: field(body, 'comment') || undefined,
      done: field(body, 'done') === 'on' || undefined,
    });
    await this.tasks.reportProgress(p, id, input);
    this.pages.redirect(reply, `/my-tasks${field(body, 'unitId') ? `?unitId=${encodeURIComponent(field(body, 'unitId'))}` : ''}`);
  }

  @Get('self-check')
  async selfCheck(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Query('unitId') unitId?: string,
  ): Promise<void> {
    const { units, unit, period } = await this.chosenTeam(p, unitId);
    const filed = unit ? await this.selfChecks.list(p, { unitId: unit.id, period }) : [];
    const t = this.pages.t(req);
    this.pages.show(req, reply, 'self-check', {
      title: t.nav.selfCheck,
      units,
      unit,
      period,
      filed: filed.filter((f) => f.unitId === unit?.id),
      checklist: DEFAULT_CHECKLIST.map((item, i) => ({ item, i })),
      states: CHECKLIST_STATES,
    });
  }

  @Post('self-check')
  async fileSelfCheck(@CurrentPrincipal() p: Principal, @Req() req: ConsoleRequest, @Res() reply: ConsoleReply): Promise<void> {
    const body = formOf(req);
    const unitId = field(body, 'unitId');
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
    await this.selfChecks.file(p, input);
    this.pages.redirect(reply, `/self-check?unitId=${encodeURIComponent(unitId)}`);
  }
}
