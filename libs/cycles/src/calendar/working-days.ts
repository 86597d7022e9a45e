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

  constructor(
    private readonly data: PackageData,
    overrides: DayOverride[] = [],
  ) {
    for (const o of overrides) this.overrides.set(o.day, o);
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
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** The holiday's name, or the override's, when the day is not worked for a holiday. */
  holidayName(day: Day): string | undefined {
    const o = this.overrides.get(day);
    if (o) return o.working ? undefined : o.name;
    const entry = this.data.holidays[day] ?? this.data.inLieuDays[day];
    return entry?.split(',')[1];
  }
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
