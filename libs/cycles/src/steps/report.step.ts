import { Injectable } from '@nestjs/common';
import { rank, RankingService } from '@app/assessment';
import { shiftPeriod } from '../calendar/period';
import { rankingInputs, TeamMetricsService } from '../ranking/team-metrics.service';
import type { StepContext, StepHandler } from '../runs/step-handler';
import { TaskListService } from '../tasks/task-list.service';
import { BulletinRules } from './bulletin-rules';

/**
 * 月汇报 + 进度清单, around the 25th: per team, were this month's tasks done, how many tickets
 * were closed out, what is overdue, what is planned next month; and the month's ranking.
 */
@Injectable()
export class ReportStep implements StepHandler {
  readonly step = 'report' as const;

  constructor(
    private readonly metrics: TeamMetricsService,
    private readonly rankings: RankingService,
    private readonly lists: TaskListService,
    private readonly rules: BulletinRules,
  ) {}

  async run(ctx: StepContext): Promise<Record<string, unknown>> {
    const { m, township, period } = ctx;
    const today = this.lists.today(township.config.timezone);
    const teams = await this.metrics.forMonth(m, township, period, today, this.rules.rules.overdueDaysLimit);
    const next = await m.query<
      Array<{
        unit_id: string;
        title: string;
        indicator: string | null;
        target: number | null;
        measure_unit: string | null;
        deadline: string;
      }>
    >(
      `SELECT t.assignee_unit_id AS unit_id, t.title, t.indicator, t.target::float8 AS target, t.measure_unit, to_char(t.deadline, 'YYYY-MM-DD') AS deadline
         FROM task t JOIN task_list l ON l.id = t.task_list_id WHERE l.unit_id = $1 AND l.period = $2 ORDER BY t.item_no`,
      [township.unitId, shiftPeriod(period, 1)],
    );
    const ranked = rank(rankingInputs(teams), this.rankings.rules);
    await this.rankings.store(m, township.unitId, period, ctx.runId, ranked);
    const rows = teams.map((t) => ({
      team: { id: t.unitId, name: t.unitName, kind: t.kind },
      tasks: { total: t.tasks.total, done: t.tasksDone, completion: t.tasks.completion },
      tickets: {
        opened: t.tickets.opened,
        closed: t.tickets.closed,
        closedOnTime: t.tickets.closedOnTime,
        overdue: t.tickets.overdue,
        returned: t.tickets.returned,
      },
      selfCheck: t.selfCheck,
      nextMonth: next.filter((n) => n.unit_id === t.unitId).map(({ unit_id: _u, ...task }) => task),
      rank: ranked.find((r) => r.unitId === t.unitId)!.rank,
      score: ranked.find((r) => r.unitId === t.unitId)!.score,
    }));
    // In the ranking's order: equal scores share a rank and keep the documented order of equal teams.
    const position = new Map(ranked.map((r, i) => [r.unitId, i]));
    rows.sort((a, b) => position.get(a.team.id)! - position.get(b.team.id)!);
    await ctx.output('progress_list', {
      township: { id: township.unitId, name: township.unitName },
      period,
      rows,
      ranking: ranked.map((r) => ({ unitId: r.unitId, unitName: r.unitName, score: r.score, rank: r.rank, breakdown: r.breakdown })),
    });
    return { teams: teams.length, leader: ranked[0]?.unitName ?? null, tasksDone: teams.reduce((a, t) => a + t.tasksDone, 0) };
  }
}
