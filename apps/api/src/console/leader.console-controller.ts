import { LedgerService } from '@app/documents';
import { Controller, Get, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  AccountabilityService,
  CalendarService,
  CalendarView,
  CycleService,
  mayEditCalendar,
  mayReadAnyCalendar,
  mayRunSteps,
  RankingsQuery,
  periodDays,
  shiftPeriod,
  STEP_LABELS,
  STEPS,
  StepName,
} from '@app/cycles';
import { SCORE_PARTS, ScorePart } from '@app/assessment';
import { NotificationService } from '@app/notifications';
import { UnitView } from '@app/org';
import { Clock, Conflict, CurrentPrincipal, Forbidden, NotFound, Principal, Public, ValidationFailed } from '@app/platform';
import { TicketQueryService } from '@app/tickets';
import {
  CalendarFormText,
  calendarFormText,
  calendarFromText,
  CalendarProblemView,
  calendarProblems,
  postedCalendarText,
  versionOf,
  withBlankRow,
} from './calendar-form';
import { closeRateChart, overdueTrendChart } from './charts';
import { ConsoleErrorFilter } from './console-error.filter';
import { ConsolePages, field, formOf } from './console-page';
import { stepCards, upcomingRows } from './cycle-steps';
import { fill } from './i18n';
import { ConsoleTownships } from './townships';
import { ConsoleAuthGuard, ConsoleReply, ConsoleRequest } from './session';

const TREND_MONTHS = 6;

/** The township leader's pages: dashboard, rankings, calendar, accountability, notifications. */
@ApiExcludeController()
@Public()
@UseGuards(ConsoleAuthGuard)
@UseFilters(ConsoleErrorFilter)
@Controller()
export class LeaderConsoleController {
  constructor(
    private readonly townships: ConsoleTownships,
    private readonly queries: TicketQueryService,
    private readonly cycles: CycleService,
    private readonly rankings: RankingsQuery,
    private readonly calendars: CalendarService,
    private readonly accountability: AccountabilityService,
    private readonly notifications: NotificationService,
    private readonly pages: ConsolePages,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
  ) {}

  @Get('dashboard')
  async dashboard(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Query('unitId') unitId?: string,
    @Query('period') periodText?: string,
  ): Promise<void> {
    const { township, choices } = await this.townships.choose(p, unitId);
    const period = this.pages.periodOf(periodText);
    const t = this.pages.t(req);
    const villages = (await this.townships.teams(p, township.id)).filter((u) => u.kind === 'village');
    // The month's figures are the ledger's: the tickets found in the month, counted by its rules.
    const month = periodDays(period);
    const totals = await this.ledger.totals(
      await this.ledger.select(p, { unitId: township.id, subtree: true, from: month.from, to: month.to }),
    );
    const byUnit = new Map(totals.byUnit.map((u) => [u.unitId, u]));
    const rates = villages.map((v) => {
      const u = byUnit.get(v.id);
      return {
        name: v.name,
        rate: u?.closureRate ?? 1,
        closed: u?.closed ?? 0,
        total: u ? u.found - u.cancelled : 0,
        overdue: u?.overdue ?? 0,
        light: u?.light ?? 'green',
      };
    });
    // Villages with nothing to close come last: they are not the best, they have no problems.
    rates.sort((a, b) => Number(b.total > 0) - Number(a.total > 0) || b.rate - a.rate || a.name.localeCompare(b.name, 'zh'));
    const cycle = await this.cycles.view(p, township.id, period);
    this.pages.show(req, reply, 'dashboard', {
      title: `${t.nav.dashboard} · ${township.name}`,
      township,
      townships: choices,
      period,
      rates,
      rateChart: rates.length ? closeRateChart(rates, t.closeRate, t.noTickets) : '',
      trendChart: overdueTrendChart(await this.overdueTrend(p, township.id, period), t.overdueTrend),
      steps: stepCards(cycle.steps, t),
      // The cycles lib's rule: the button shows only to those it lets run a step.
      mayRun: mayRunSteps(p.scope, { id: township.id, path: (await this.calendars.forTownship(township.id)).unitPath }),
    });
  }

  /** Tickets that ran late (still open past the deadline, or closed after it), by deadline month. */
  private async overdueTrend(p: Principal, townshipId: string, period: string): Promise<Array<{ period: string; count: number }>> {
    const months = Array.from({ length: TREND_MONTHS }, (_, i) => shiftPeriod(period, i - TREND_MONTHS + 1));
    const late = await this.queries.lateByDeadlineMonth(p, townshipId, `${months[0]}-01`, `${shiftPeriod(period, 1)}-01`);
    return months.map((m) => ({ period: m, count: late.get(m) ?? 0 }));
  }

  @Post('cycle/:step/run')
  async runStep(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('step') step: string,
  ): Promise<void> {
    if (!(STEPS as readonly string[]).includes(step)) throw new NotFound('Step', step);
    const { township } = await this.townships.posted(p, field(formOf(req), 'unitId'));
    await this.cycles.runNow(p, township.id, this.pages.period(), step as StepName);
    this.pages.redirect(reply, `/dashboard?unitId=${township.id}`);
  }

  @Get('ranking')
  async ranking(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Query('unitId') unitId?: string,
    @Query('period') periodText?: string,
  ): Promise<void> {
    const { township, choices } = await this.townships.addressedTo(p, unitId);
    const period = this.pages.periodOf(periodText);
    const ranked = await this.rankings.get(p, township.id, period);
    const t = this.pages.t(req);
    // A month's rows show the points of each part as the ranking lib gave them; a year's, its mean.
    const monthly = ranked.some((e) => !('months' in e.breakdown));
    const entries = ranked.map((e) => {
      const b = e.breakdown as Partial<Record<ScorePart, number | null>>;
      const parts = monthly
        ? SCORE_PARTS.map((part) => ({ label: t.scorePart[part], applies: typeof b[part] === 'number', points: b[part] }))
        : [];
      return { ...e, parts };
    });
    this.pages.show(req, reply, 'rankings', {
      title: `${t.nav.rankings} · ${township.name} · ${period}`,
      township,
      townships: choices,
      period,
      prev: shiftPeriod(period, -1),
      entries,
      provisional: entries.some((e) => e.provisional),
    });
  }

  @Get('calendar')
  async calendar(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Query('unitId') unitId?: string,
    @Query('saved') saved?: string,
  ): Promise<void> {
    LeaderConsoleController.mayReadCalendars(p);
    const { township, choices } = await this.townships.choose(p, unitId);
    const view = await this.calendars.view(p, township.id);
    await this.showCalendar(req, reply, p, township, choices, view, calendarFormText(view.config, this.pages.t(req).lastDay), {
      saved: saved !== undefined && saved === String(view.version),
    });
  }

  /** Saves the whole calendar; CalendarService validates it and refuses a stale version. */
  @Post('calendar')
  async saveCalendar(@CurrentPrincipal() p: Principal, @Req() req: ConsoleRequest, @Res() reply: ConsoleReply): Promise<void> {
    LeaderConsoleController.mayReadCalendars(p);
    const body = formOf(req);
    const { township, choices } = await this.townships.posted(p, field(body, 'unitId'));
    const current = await this.calendars.view(p, township.id);
    const text = postedCalendarText(body);
    try {
      const saved = await this.calendars.put(p, township.id, calendarFromText(text, current.config), versionOf(body));
      this.pages.redirect(reply, `/calendar?unitId=${township.id}&saved=${saved.version}`);
    } catch (e) {
      if (e instanceof Conflict) {
        const latest = await this.calendars.view(p, township.id);
        await this.showCalendar(
          req,
          reply,
          p,
          township,
          choices,
          latest,
          calendarFormText(latest.config, this.pages.t(req).lastDay),
          { stale: true },
          409,
        );
        return;
      }
      if (!(e instanceof ValidationFailed) || !e.details?.fields) throw e;
      const t = this.pages.t(req);
      const problems = calendarProblems(e, t, t.htmlLang === 'en' ? 'en' : 'zh');
      // The form keeps the version it was shown with, so fixing it cannot overwrite a change made meanwhile.
      const version = Number(field(body, 'version'));
      await this.showCalendar(req, reply, p, township, choices, current, withBlankRow(text), { problems, version }, 400);
    }
  }

  /** The calendars' own rule (the cycles lib), asked before any township is chosen. */
  private static mayReadCalendars(p: Principal): void {
    if (!mayReadAnyCalendar(p.scope)) throw new Forbidden('Only township leaders, viewers and administrators see the calendar');
  }

  private async showCalendar(
    req: ConsoleRequest,
    reply: ConsoleReply,
    p: Principal,
    township: UnitView,
    choices: UnitView[] | undefined,
    view: CalendarView,
    form: CalendarFormText,
    state: { saved?: boolean; stale?: boolean; problems?: CalendarProblemView[]; version?: number },
    status = 200,
  ): Promise<void> {
    // Read already went through the principal's scope (view); the path decides who may edit.
    const { unitPath } = await this.calendars.forTownship(township.id);
    const t = this.pages.t(req);
    const lang = t.htmlLang === 'en' ? 'en' : 'zh';
    const now = this.clock.now().getTime();
    const errors = Object.fromEntries((state.problems ?? []).map((pr) => [pr.input, pr.message]));
    const next = (key: string) => view.upcoming.find((o) => o.key === key && Date.parse(o.dueAt) > now)?.dueAt;
    this.pages.show(
      req,
      reply,
      'calendar',
      {
        title: `${t.nav.calendar} · ${township.name}`,
        township,
        townships: choices,
        calendar: view,
        holidaysEstimated: view.estimatedHolidayYears.length
          ? t.holidaysEstimated.replace('{years}', view.estimatedHolidayYears.join(lang === 'zh' ? '、' : ', '))
          : undefined,
        upcoming: upcomingRows(view, lang),
        editable: mayEditCalendar(p.scope, { id: township.id, path: unitPath }),
        form,
        steps: form.steps.map((s) => ({
          ...s,
          label: STEP_LABELS[s.step][lang],
          stored: view.config.steps[s.step],
          next: next(`step:${s.step}`),
          dayError: errors[`steps.${s.step}.day`],
          timeError: errors[`steps.${s.step}.time`],
        })),
        fixedDays: form.fixedDays.map((f) => ({
          ...f,
          daysError: errors[`fixedDays.${f.i}.days`],
          timeError: errors[`fixedDays.${f.i}.time`],
          keyError: errors[`fixedDays.${f.i}.key`],
          remindError: errors[`fixedDays.${f.i}.remindDaysBefore`],
        })),
        fixedCount: form.fixedDays.length,
        formVersion: state.version ?? view.version,
        rules: (['before', 'after', 'keep'] as const).map((r) => ({
          value: r,
          label: t.nonWorking[r],
          selected: form.nonWorkingDays === r,
        })),
        months: [1, 2, 3].map((m) => ({ value: String(m), selected: form.quarterly.monthOfQuarter === String(m) })),
        errors,
        problems: state.problems,
        saved: state.saved ? fill(t.calendarSaved, { n: view.version }) : undefined,
        stale: state.stale ? fill(t.calendarStale, { n: view.version }) : undefined,
      },
      status,
    );
  }

  @Get('accountability-records')
  async accountabilityRecords(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Query('unitId') unitId?: string,
  ): Promise<void> {
    const { township, choices } = await this.townships.choose(p, unitId);
    const records = await this.accountability.list(p, { unitId: township.id, page: 1, pageSize: 100 });
    const t = this.pages.t(req);
    this.pages.show(req, reply, 'accountability', {
      title: `${t.nav.accountability} · ${township.name}`,
      township,
      townships: choices,
      items: records.items,
      total: records.total,
    });
  }

  @Get('inbox')
  async inbox(@CurrentPrincipal() p: Principal, @Req() req: ConsoleRequest, @Res() reply: ConsoleReply): Promise<void> {
    const result = await this.notifications.list(p, { page: 1, pageSize: 50 });
    const t = this.pages.t(req);
    this.pages.show(req, reply, 'notifications', { title: t.nav.notifications, ...result, robot: p.scope.holdsAny('leader', 'admin') });
  }

  @Post('inbox/read-all')
  async readAll(@CurrentPrincipal() p: Principal, @Res() reply: ConsoleReply): Promise<void> {
    await this.notifications.markAllRead(p);
    this.pages.redirect(reply, '/inbox');
  }
}
