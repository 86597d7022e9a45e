import { Injectable } from '@nestjs/common';
import { TeamMetrics } from '@app/assessment';
import { EntityManager } from 'typeorm';
import { TownshipCalendar } from '../calendar/calendar.service';
import { Period, periodBounds, periodDays } from '../calendar/period';
import { completionOf } from '../tasks/task-list.service';
import { teamsOf } from '../tasks/teams';
import { MonthIntegrity, TeamIntegrity, TeamTicketStats, TicketFacts } from '@app/tickets';

export interface TeamMonth extends TeamMetrics {
  kind: 'village' | 'office';
  tasksDone: number;
  tickets: TeamTicketStats;
  /** The month's repeat problems, problems the self-check missed and suspect close-outs, by ticket. */
  findings: TeamIntegrity;
}

/** The teams as the ranking scores and stores them: their counts, without the cases behind them. */
export function rankingInputs(teams: readonly TeamMonth[]): TeamMetrics[] {
  return teams.map(({ findings: _cases, ...team }) => team);
}

/** Gathers what each team of a township did in a month: the inputs of ranking and the progress list. */
@Injectable()
export class TeamMetricsService {
  constructor(private readonly tickets: TicketFacts) {}

  async forMonth(
    m: EntityManager,
    township: TownshipCalendar,
    period: Period,
    today: string,
    overdueLimitDays: number,
  ): Promise<TeamMonth[]> {
    const teams = await teamsOf(m, township.unitId);
    const tasks = await m.query<Array<{ unit_id: string; target: number | null; actual: number; done: boolean }>>(
      `SELECT t.assignee_unit_id AS unit_id, t.target::float8 AS target, t.actual::float8 AS actual, t.done
         FROM task t JOIN task_list l ON l.id = t.task_list_id
        WHERE l.unit_id = $1 AND l.period = $2 AND l.status = 'dispatched'`,
      [township.unitId, period],
    );
    const selfChecks = await m.query<Array<{ unit_id: string; on_time: boolean; inspection_id: string | null }>>(
      `SELECT unit_id, on_time, inspection_id FROM self_check WHERE township_id = $1 AND period = $2`,
      [township.unitId, period],
    );
    const bounds = periodBounds(period, township.config.timezone);
    const stats = await this.tickets.teamStats(m, township.unitId, bounds, periodDays(period), today, overdueLimitDays);
    const integrity = await MonthIntegrity.forTownship(
      m,
      township.unitId,
      bounds,
      periodDays(period),
      new Map(selfChecks.map((s) => [s.unit_id, s.inspection_id])),
    );
    const none: TeamTicketStats = {
      opened: 0,
      foundClosed: 0,
      foundCancelled: 0,
      active: 0,
      closed: 0,
      closedOnTime: 0,
      returned: 0,
      overdue: 0,
      overdueBeyondLimit: 0,
    };
    return teams.map((team) => {
      const mine = tasks.filter((t) => t.unit_id === team.id);
      const completion = mine.length ? mine.reduce((a, t) => a + completionOf(t.actual, t.target, t.done), 0) / mine.length : 0;
      const sc = selfChecks.find((s) => s.unit_id === team.id);
      const s = stats.get(team.id) ?? none;
      const findings = integrity.get(team.id) ?? { repeats: [], selfCheckMissed: [], paperCloseOuts: [] };
      return {
        unitId: team.id,
        unitName: team.name,
        unitCode: team.code,
        kind: team.kind,
        tasks: { total: mine.length, completion: Math.round(completion * 10000) / 10000 },
        tasksDone: mine.filter((t) => t.done).length,
        closeOuts: { closed: s.closed, onTime: s.closedOnTime },
        overdue: s.overdue,
        active: s.active,
        returned: s.returned,
        selfCheck: sc ? (sc.on_time ? 'on_time' : 'late') : 'missing',
        tickets: s,
        integrity: {
          repeats: findings.repeats.length,
          selfCheckMissed: findings.selfCheckMissed.length,
          paperCloseOuts: findings.paperCloseOuts.length,
        },
        findings,
      };
    });
  }
}
