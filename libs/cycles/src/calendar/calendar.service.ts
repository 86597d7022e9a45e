import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig, Clock, Conflict, Forbidden, NotFound, Principal, ValidationFailed } from '@app/platform';
import { UnitRef, Units, UnitSql } from '@app/org';
import { DataSource, EntityManager } from 'typeorm';
import { CalendarConfig, defaultCalendar, validateCalendar } from './calendar-config';
import { mayEditCalendar, mayReadCalendar } from './calendar-access';
import { periodAt, shiftPeriod } from './period';
import { occurrences, Occurrence } from './schedule';
import { WorkingDays } from './working-days';

export interface TownshipCalendar {
  unitId: string;
  unitName: string;
  unitPath: string;
  config: CalendarConfig;
  startsAt: Date;
  version: number;
  stored: boolean;
}

export interface CalendarView {
  unitId: string;
  unitName: string;
  config: CalendarConfig;
  version: number;
  startsAt: string;
  updatedAt: string | null;
  /** What the calendar schedules this month and next, after moving off holidays. */
  upcoming: Array<Pick<Occurrence, 'key' | 'kind' | 'title' | 'day' | 'nominalDay'> & { period: string; dueAt: string; holiday?: string }>;
  /**
   * This year and next, where their official holiday schedule (调休) is not loaded: their
   * statutory holidays are estimated and their make-up working days unknown until it is added to
   * config/holidays.yaml.
   */
  estimatedHolidayYears: number[];
}

/** The log line that says a year's holidays are estimated, and how to load the official schedule. */
export function estimatedHolidaysMessage(years: readonly number[]): string {
  return (
    `the official holiday schedule (调休) of ${years.join(', ')} is not loaded: its statutory holidays ` +
    `(元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆) are estimated as days off and its make-up working days are unknown; ` +
    `when the State Council announces it, add it to config/holidays.yaml (see config/holidays.example.yaml) and restart`
  );
}

interface CalendarRow {
  unit_id: string;
  name: string;
  path: string;
  unit_tz: string;
  created_at: Date;
  config: CalendarConfig | null;
  starts_at: Date | null;
  version: number | null;
  updated_at: Date | null;
}

const CALENDAR_SQL = `
  SELECT u.id AS unit_id, u.name, u.path, u.timezone AS unit_tz, u.created_at,
         c.config, c.starts_at, c.version, c.updated_at
    FROM ${UnitSql.from('u')} LEFT JOIN cycle_calendar c ON c.unit_id = u.id
   WHERE u.kind = 'township'`;

/** Township calendars: stored ones, or the default in the township's time zone. */
@Injectable()
export class CalendarService {
  readonly workingDays: WorkingDays;
  private readonly logger = new Logger('CalendarService');

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    appConfig: AppConfig,
  ) {
    this.workingDays = WorkingDays.load(appConfig.configDir);
    const years = this.estimatedYears(appConfig.TZ_DEFAULT);
    if (years.length) this.logger.warn(estimatedHolidaysMessage(years));
  }

  /** This year and next in the zone, where their holidays are estimated. */
  estimatedYears(timezone: string): number[] {
    const year = Number(periodAt(this.clock.now(), timezone).slice(0, 4));
    return [year, year + 1].filter((y) => !this.workingDays.hasOfficialSchedule(y));
  }

  private fromRow(r: CalendarRow): TownshipCalendar {
    return {
      unitId: r.unit_id,
      unitName: r.name,
      unitPath: r.path,
      config: r.config ? { ...defaultCalendar(r.unit_tz), ...r.config } : defaultCalendar(r.unit_tz),
      startsAt: new Date(r.starts_at ?? r.created_at),
      version: r.version ?? 0,
      stored: r.config !== null,
    };
  }

  /** Every township with its calendar: what the scheduler reads at each tick. */
  async all(): Promise<TownshipCalendar[]> {
    const rows = await this.db.query<CalendarRow[]>(`${CALENDAR_SQL} ORDER BY u.path`);
    return rows.map((r) => this.fromRow(r));
  }

  async forTownship(unitId: string, manager: EntityManager = this.db.manager): Promise<TownshipCalendar> {
    const [row] = await manager.query<CalendarRow[]>(`${CALENDAR_SQL} AND u.id = $1`, [unitId]);
    if (!row) throw new NotFound('Township', unitId);
    return this.fromRow(row);
  }

  private async readableTownship(principal: Principal, unitId: string): Promise<UnitRef> {
    const unit = await Units.byId(this.db, unitId);
    if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', unitId);
    if (unit.kind !== 'township') throw ValidationFailed.field('id', 'calendars belong to townships');
    return unit;
  }

  async view(principal: Principal, unitId: string): Promise<CalendarView> {
    const unit = await this.readableTownship(principal, unitId);
    if (!mayReadCalendar(principal.scope, unit)) throw new Forbidden('Only township leaders, viewers and administrators see the calendar');
    return this.toView(await this.forTownship(unitId));
  }

  private async toView(c: TownshipCalendar): Promise<CalendarView> {
    const [row] = await this.db.query<Array<{ updated_at: Date | null }>>(`SELECT updated_at FROM cycle_calendar WHERE unit_id = $1`, [
      c.unitId,
    ]);
    const current = periodAt(this.clock.now(), c.config.timezone);
    const upcoming = [current, shiftPeriod(current, 1)].flatMap((period) =>
      occurrences(c.config, period, this.workingDays).map((o) => ({
        key: o.key,
        kind: o.kind,
        title: o.title,
        day: o.day,
        nominalDay: o.nominalDay,
        period,
        dueAt: o.dueAt.toISOString(),
        holiday: o.day !== o.nominalDay ? (this.workingDays.holidayName(o.nominalDay) ?? '周末') : undefined,
      })),
    );
    return {
      unitId: c.unitId,
      unitName: c.unitName,
      config: c.config,
      version: c.version,
      startsAt: c.startsAt.toISOString(),
      updatedAt: row?.updated_at ? new Date(row.updated_at).toISOString() : null,
      upcoming,
      estimatedHolidayYears: this.estimatedYears(c.config.timezone),
    };
  }

  /** Replaces a township's calendar; the scheduler follows it from its next tick, no restart. */
  async put(principal: Principal, unitId: string, config: CalendarConfig, expectedVersion?: number): Promise<CalendarView> {
    const unit = await this.readableTownship(principal, unitId);
    if (!mayEditCalendar(principal.scope, unit))
      throw new Forbidden('Only a leader or administrator of the township can change its calendar');
    const problems = validateCalendar(config);
    if (problems.length) {
      throw new ValidationFailed(
        `Invalid calendar: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
        problems.map((p) => ({ field: `config.${p.field}`, messages: [p.message] })),
      );
    }
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      const [current] = await m.query<Array<{ version: number }>>(`SELECT version FROM cycle_calendar WHERE unit_id = $1 FOR UPDATE`, [
        unitId,
      ]);
      if (expectedVersion !== undefined && (current?.version ?? 0) !== expectedVersion) {
        throw new Conflict(`The calendar was changed meanwhile (version ${current?.version ?? 0}, not ${expectedVersion}); reload it`);
      }
      await m.query(
        `INSERT INTO cycle_calendar (unit_id, config, starts_at, version, updated_at, updated_by)
         VALUES ($1, $2, $3, 1, $4, $5)
         ON CONFLICT (unit_id) DO UPDATE SET config = $2, version = cycle_calendar.version + 1, updated_at = $4, updated_by = $5`,
        [unitId, JSON.stringify(config), unit.createdAt, now, principal.userId],
      );
    });
    return this.toView(await this.forTownship(unitId));
  }
}
