import { Injectable } from '@nestjs/common';
import { gradeOf, rank, RankingService } from '@app/assessment';
import { Units } from '@app/org';
import { closeOutRate } from '@app/tickets';
import type { BulletinProblemFacts, BulletinTeamFacts } from '../runs/output-data';
import { rankingInputs, TeamMetricsService, TeamMonth } from '../ranking/team-metrics.service';
import type { StepContext, StepHandler } from '../runs/step-handler';
import { TaskListService } from '../tasks/task-list.service';
import { MonthIntegrity, TicketFacts } from '@app/tickets';
import { BulletinRules } from './bulletin-rules';

/** The facts the bulletin words a team's praise or criticism from. */
function factsOf(t: TeamMonth): BulletinTeamFacts {
  return {
    tasks: t.tasks,
    closedOut: t.closeOuts.closed,
    closedOnTime: t.closeOuts.onTime,
    overdue: t.overdue,
    overdueBeyondLimit: t.tickets.overdueBeyondLimit,
    returned: t.returned,
    selfCheck: t.selfCheck,
  };
}

/**
 * 月督导 + 考评清单, at month end: the supervision bulletin's data (基本情况, 通报表扬 and
 * 通报批评 with their reasons, 存在问题, 下步要求) and the evaluation list that feeds the
 * year-end assessment.
 */
@Injectable()
export class SupervisionStep implements StepHandler {
  readonly step = 'supervision' as const;

  constructor(
    private readonly metrics: TeamMetricsService,
    private readonly rankings: RankingService,
    private readonly tickets: TicketFacts,
    private readonly lists: TaskListService,
    private readonly bulletin: BulletinRules,
  ) {}

  async run(ctx: StepContext): Promise<Record<string, unknown>> {
    const { m, township, period } = ctx;
    const rules = this.bulletin.rules;
    const today = this.lists.today(township.config.timezone);
    const teams = await this.metrics.forMonth(m, township, period, today, rules.overdueDaysLimit);
    // The month's ranking is the report step's; computed afresh only when that step has not run.
    const stored = await this.rankings.month(township.unitId, period, m);
    const scoring = this.rankings.rules;
    const fresh = rank(rankingInputs(teams), scoring);
    const ranked = stored.length ? stored : fresh;
    const byId = new Map(teams.map((t) => [t.unitId, t]));
    const emptyIds = new Set(fresh.filter((r) => r.nothingToShow).map((r) => r.unitId));
    const ordered = ranked.filter((r) => byId.has(r.unitId));

    // A team with a ticket overdue past the limit is criticised, and so never praised; a team
    // with nothing to show this month (no tasks, no tickets) is never praised either.
    const praised = ordered
      .filter((r) => r.score >= rules.praiseMinScore && !byId.get(r.unitId)!.tickets.overdueBeyondLimit && !emptyIds.has(r.unitId))
      .slice(0, rules.praiseTop)
      .map((r) => ({ unitId: r.unitId, unitName: r.unitName, score: r.score, rank: r.rank, facts: factsOf(byId.get(r.unitId)!) }));
    // An empty team's low score says nothing of its work: it is criticised only for a missing self-check.
    const below = ordered.filter(
      (r) => r.score < rules.criticiseBelowScore && (!emptyIds.has(r.unitId) || byId.get(r.unitId)!.selfCheck === 'missing'),
    );
    const worst = rules.criticiseBottom ? below.slice(Math.max(0, below.length - rules.criticiseBottom)) : [];
    const criticisedIds = new Set([
      ...worst.map((r) => r.unitId),
      ...teams.filter((t) => t.tickets.overdueBeyondLimit > 0).map((t) => t.unitId),
    ]);
    const praisedIds = new Set(praised.map((p) => p.unitId));
    const criticised = ordered
      .filter((r) => criticisedIds.has(r.unitId) && !praisedIds.has(r.unitId))
      .map((r) => ({
        unitId: r.unitId,
        unitName: r.unitName,
        score: r.score,
        rank: r.rank,
        facts: factsOf(byId.get(r.unitId)!),
      }));

    // The year so far, counted as the ledger counts: the tickets found this year, and of those closed out.
    const year = await this.tickets.totals(m, township.unitId, { from: `${today.slice(0, 4)}-01-01`, to: today });
    const sum = (f: (t: TeamMonth) => number) => teams.reduce((a, t) => a + f(t), 0);
    const figures = {
      teams: teams.length,
      ticketsFound: sum((t) => t.tickets.opened),
      ticketsClosed: sum((t) => t.closeOuts.closed),
      ticketsClosedOnTime: sum((t) => t.closeOuts.onTime),
      overdue: sum((t) => t.overdue),
      tasks: sum((t) => t.tasks.total),
      tasksDone: sum((t) => t.tasksDone),
      selfChecksFiled: teams.filter((t) => t.selfCheck !== 'missing').length,
      yearFound: year.found,
      yearClosed: year.closed,
      yearClosureRate: closeOutRate(year),
    };
    const problems: BulletinProblemFacts = {
      missingSelfCheck: teams.filter((t) => t.selfCheck === 'missing').map((t) => t.unitName),
      overdue: { tickets: figures.overdue, teams: teams.filter((t) => t.overdue).length },
      lowTaskCompletion: teams.filter((t) => t.tasks.total && t.tasks.completion < scoring.lowTaskCompletion).map((t) => t.unitName),
      lateCloseOuts: figures.ticketsClosed - figures.ticketsClosedOnTime,
      repeats: teams.flatMap((t) =>
        t.findings.repeats.map((c) => ({ team: t.unitName, code: c.code, title: c.title, repeatOf: c.repeatOf })),
      ),
      selfCheckMissed: teams
        .filter((t) => t.findings.selfCheckMissed.length)
        .map((t) => ({ team: t.unitName, codes: t.findings.selfCheckMissed.map((c) => c.code) })),
      paperCloseOuts: teams.flatMap((t) =>
        t.findings.paperCloseOuts.map((c) => ({ team: t.unitName, code: c.code, title: c.title, warnings: c.warnings })),
      ),
    };
    await MonthIntegrity.flagSelfCheckMissed(m, new Map(teams.map((t) => [t.unitId, t.findings])), period, ctx.now);

    // Each team's close-out rate of the month: of the tickets it found this month, the share closed out.
    const closeOutRates = teams.map((t) => {
      const counts = { found: t.tickets.opened, closed: t.tickets.foundClosed, cancelled: t.tickets.foundCancelled };
      return { unitId: t.unitId, unitName: t.unitName, ...counts, rate: closeOutRate(counts) };
    });
    const [group] = await Units.childrenOf(m, township.unitId, ['inspection_group']);
    await ctx.output('bulletin', {
      township: { id: township.unitId, name: township.unitName },
      period,
      issuer: group?.name ?? `${township.unitName}脱贫攻坚领导小组办公室`,
      figures,
      praised,
      criticised,
      problems,
      thresholds: { overdueDaysLimit: rules.overdueDaysLimit, lowTaskCompletion: scoring.lowTaskCompletion },
      nextSteps: rules.nextSteps,
      closeOutRates,
    });
    const evaluation = ordered.map((r) => ({
      unitId: r.unitId,
      unitName: r.unitName,
      rank: r.rank,
      score: r.score,
      grade: r.grade ?? gradeOf(r.score, scoring),
      breakdown: r.breakdown,
      praised: praisedIds.has(r.unitId),
      criticised: criticisedIds.has(r.unitId) && !praisedIds.has(r.unitId),
      integrity: byId.get(r.unitId)!.integrity,
    }));
    await ctx.output('evaluation_list', { township: { id: township.unitId, name: township.unitName }, period, rows: evaluation });
    return { praised: praised.map((p) => p.unitName), criticised: criticised.map((c) => c.unitName), rankingFromReport: stored.length > 0 };
  }
}
