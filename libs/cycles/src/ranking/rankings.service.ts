import { Inject, Injectable } from '@nestjs/common';
import { rank, RankingEntry, RankingService } from '@app/assessment';
import { NotFound, Principal, ValidationFailed } from '@app/platform';
import { Units } from '@app/org';
import { DataSource } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service';
import { isPeriod } from '../calendar/period';
import { BulletinRules } from '../steps/bulletin-rules';
import { TaskListService } from '../tasks/task-list.service';
import { rankingInputs, TeamMetricsService } from './team-metrics.service';

/**
 * GET /rankings: a month's ranking as the report step stored it (or, before that step has run,
 * computed now and marked provisional), or a year's roll-up (`period=2026`).
 */
@Injectable()
export class RankingsQuery {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly rankings: RankingService,
    private readonly metrics: TeamMetricsService,
    private readonly calendars: CalendarService,
    private readonly lists: TaskListService,
    private readonly bulletin: BulletinRules,
  ) {}

  async get(principal: Principal, unitId: string, period: string): Promise<RankingEntry[]> {
    const unit = await Units.byId(this.db, unitId);
    // A township's ranking is addressed to the teams it ranks, as its bulletin is.
    if (!unit || !(principal.scope.canRead(unit) || principal.scope.worksWithin(unit))) throw new NotFound('Org unit', unitId);
    if (unit.kind !== 'township') throw ValidationFailed.field('unitId', 'rankings are kept per township');
    if (/^\d{4}$/.test(period)) return this.rankings.year(unit.id, Number(period));
    if (!isPeriod(period)) throw ValidationFailed.field('period', 'must be a month YYYY-MM or a year YYYY');
    const stored = await this.rankings.month(unit.id, period);
    if (stored.length) return stored;
    const cal = await this.calendars.forTownship(unit.id);
    const teams = await this.metrics.forMonth(
      this.db.manager,
      cal,
      period,
      this.lists.today(cal.config.timezone),
      this.bulletin.rules.overdueDaysLimit,
    );
    return rank(rankingInputs(teams), this.rankings.rules).map((r) => ({ ...r, provisional: true }));
  }
}
