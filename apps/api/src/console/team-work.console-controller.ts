import { Controller, Get, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CHECKLIST_STATES, ChecklistItem, DEFAULT_CHECKLIST, SelfCheckService, TaskService } from '@app/cycles';
import { UserService } from '@app/org';
import { CurrentPrincipal, Principal, Public, ValidationFailed } from '@app/platform';
import { IdPipe } from '../common/id.pipe';
import { ConsoleErrorFilter } from './console-error.filter';
import { ProgressDto } from '../cycles/cycles.dto';
import { FileSelfCheckDto } from '../cycles/self-checks.controller';
import { checkedForm, ConsolePages, dateField, field, FormBody, formOf, numberField, unitsWithRole } from './console-page';
import { errorsByField, FieldError, fieldErrors } from './form-errors';
import { LANG_COOKIE, langOf } from './i18n';
import { idempotencyKeyOf } from './team.console-controller';

import { ConsoleAuthGuard, ConsoleReply, ConsoleRequest } from './session';

/** A progress report the console refused, shown again in its task's form. */
interface RefusedProgress {
  id: string;
  actual: string;
  comment: string;
  errors: Record<string, string>;
  list: FieldError[];
}

/** The village team's work pages: this month's tasks with progress reports, and the self-check. */
@ApiExcludeController()
@Public()
@UseGuards(ConsoleAuthGuard)
@UseFilters(ConsoleErrorFilter)
@Controller()
export class TeamWorkConsoleController {
  constructor(
    private readonly tasks: TaskService,
    private readonly selfChecks: SelfCheckService,
    private readonly users: UserService,
    private readonly pages: ConsolePages,
  ) {}

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
