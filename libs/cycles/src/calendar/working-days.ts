import { getSolarDateFromLunar, getSolarTermDate } from 'chinese-days';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** A day as `YYYY-MM-DD` in the township's own calendar. */
export type Day = string;

interface PackageData {
  holidays: Record<Day, string>;
  workdays: Record<Day, string>;
  inLieuDays: Record<Day, string>;
}

export interface DayOverride {
  day: Day;
  working: boolean;
  name?: string;
}

/**
 * China's official holidays and make-up working days (调休), from the maintained
 * `chinese-days` package, corrected or extended by `config/holidays.yaml` (next year's schedule
 * is announced each winter; a county adds it there without a code change).
 */
export class WorkingDays {
  private readonly overrides = new Map<Day, DayOverride>();
  /** Years whose official schedule is known: the package's, and any year holidays.yaml names a day off in. */
  private readonly official = new Set<number>();
  private readonly estimates = new Map<number, Map<Day, string>>();

  constructor(
    private readonly data: PackageData,
    overrides: DayOverride[] = [],
  ) {
    for (const o of overrides) this.overrides.set(o.day, o);
    for (const day of Object.keys(data.holidays)) this.official.add(Number(day.slice(0, 4)));
    for (const o of overrides) if (!o.working) this.official.add(Number(o.day.slice(0, 4)));
  }

  /** Whether the official schedule (with its 调休) of `year` is loaded; if not, the statutory days are estimated. */
  hasOfficialSchedule(year: number): boolean {
    return this.official.has(year);
  }

  /** The days off estimated for a year whose schedule is not announced (day → holiday name). */
  estimatedDaysOff(year: number): Map<Day, string> {
    if (this.hasOfficialSchedule(year)) return new Map();
    let days = this.estimates.get(year);
    if (!days) this.estimates.set(year, (days = estimateDaysOff(year)));
    return days;
  }

  static load(configDir: string): WorkingDays {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const data = require('chinese-days/dist/chinese-days.json') as PackageData;
    return new WorkingDays(data, readOverrides(join(configDir, 'holidays.yaml')));
  }

  isWorkingDay(day: Day): boolean {
    const o = this.overrides.get(day);
    if (o) return o.working;
    if (this.data.workdays[day]) return true;
    if (this.data.holidays[day] || this.data.inLieuDays[day]) return false;
    if (this.estimatedDaysOff(Number(day.slice(0, 4))).has(day)) return false;
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** The holiday's name, or the override's, when the day is not worked for a holiday. */
  holidayName(day: Day): string | undefined {
    const o = this.overrides.get(day);
    if (o) return o.working ? undefined : o.name;
    const entry = this.data.holidays[day] ?? this.data.inLieuDays[day];
    return entry?.split(',')[1] ?? this.estimatedDaysOff(Number(day.slice(0, 4))).get(day);
  }
}

const addDays = (day: Day, n: number): Day => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/**
 * The days off of a year whose official schedule is not out yet: the statutory holidays and the
 * breaks they have always made, without the make-up working days (调休), which only the announcement
 * gives. 元旦 1 January; 春节 from New Year's Eve (除夕) to the 7th of the first lunar month;
 * 清明 on its solar term; 劳动节 1 to 5 May; 端午 the 5th of the fifth lunar month; 中秋 the 15th
 * of the eighth; 国庆 1 to 7 October.
 */
export function estimateDaysOff(year: number): Map<Day, string> {
  const days = new Map<Day, string>();
  const span = (from: Day, count: number, name: string) => {
    for (let i = 0; i < count; i++) days.set(addDays(from, i), name);
  };
  const lunar = (month: number, day: number) =>
    getSolarDateFromLunar(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`).date;
  span(`${year}-01-01`, 1, '元旦');
  span(addDays(lunar(1, 1), -1), 8, '春节');
  span(getSolarTermDate(year, 4, 'pure_brightness'), 1, '清明');
  span(`${year}-05-01`, 5, '劳动节');
  span(lunar(5, 5), 1, '端午');
  span(lunar(8, 15), 1, '中秋');
  span(`${year}-10-01`, 7, '国庆');
  return days;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `holidays.yaml`:
 *   holidays: [{ day: 2027-01-01, name: 元旦 }]   # days off
 *   workdays: [{ day: 2027-02-07, name: 春节调休 }] # make-up working days
 */
export function readOverrides(file: string): DayOverride[] {
  if (!existsSync(file)) return [];
  const doc = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  const out: DayOverride[] = [];
  const take = (key: 'holidays' | 'workdays', working: boolean) => {
    const list = doc[key] ?? [];
    if (!Array.isArray(list)) throw new Error(`${file}: ${key} must be a list`);
    for (const [i, item] of list.entries()) {
      const entry = typeof item === 'string' ? { day: item } : (item as { day?: unknown; name?: unknown });
      const day = entry.day instanceof Date ? entry.day.toISOString().slice(0, 10) : typeof entry.day === 'string' ? entry.day : '';
      if (!DAY.test(day)) throw new Error(`${file}: ${key}[${i}].day must be a date such as 2027-01-01`);
      out.push({ day, working, name: typeof entry.name === 'string' ? entry.name : undefined });
    }
  };
  take('holidays', false);
  take('workdays', true);
  return out;
}
