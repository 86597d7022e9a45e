import { DateTime } from 'luxon';
import { CalendarConfig, DayOfMonth, NonWorkingDayRule, StepName, STEPS } from './calendar-config';
import { daysInPeriod, parsePeriod, Period, shiftPeriod } from './period';
import type { Day, WorkingDays } from './working-days';

/** Something the calendar makes happen in a period: one of the five steps, or a reminder event. */
export interface Occurrence {
  /** `step:<name>` or `event:<kind>:<detail>`; unique within a township and period. */
  key: string;
  kind: 'step' | 'event';
  step?: StepName;
  dueAt: Date;
  /** The local day it falls on, after moving off non-working days. */
  day: Day;
  /** The day the calendar names, before moving. */
  nominalDay: Day;
  title: string;
  detail?: { name?: string; forDay?: Day; checklist?: string[] };
}

/** The calendar day a DayOfMonth names in a period: `last`, or a day past the end, is the last day. */
export function resolveDay(period: Period, day: DayOfMonth): number {
  const last = daysInPeriod(period);
  return day === 'last' ? last : Math.min(day, last);
}

function dayText(period: Period, dayOfMonth: number): Day {
  return `${period}-${String(dayOfMonth).padStart(2, '0')}`;
}

/**
 * Moves a day off weekends and public holidays, as the rule says, without leaving the period:
 * when moving one way would leave the month, it moves the other way.
 */
export function moveToWorkingDay(period: Period, dayOfMonth: number, rule: NonWorkingDayRule, wd: WorkingDays): number {
  if (rule === 'keep' || wd.isWorkingDay(dayText(period, dayOfMonth))) return dayOfMonth;
  const last = daysInPeriod(period);
  const search = (step: 1 | -1): number | undefined => {
    for (let d = dayOfMonth + step; d >= 1 && d <= last; d += step) if (wd.isWorkingDay(dayText(period, d))) return d;
    return undefined;
  };
  const first = rule === 'before' ? search(-1) : search(1);
  return first ?? (rule === 'before' ? search(1) : search(-1)) ?? dayOfMonth;
}

function at(period: Period, dayOfMonth: number, time: string, zone: string): Date {
  const { year, month } = parsePeriod(period);
  const [hour, minute] = time.split(':').map(Number);
  return DateTime.fromObject({ year, month, day: dayOfMonth, hour, minute }, { zone }).toJSDate();
}

/** When a step is due in a period, in the calendar's time zone. */
export function stepDue(cal: CalendarConfig, period: Period, step: StepName, wd: WorkingDays): Occurrence {
  const s = cal.steps[step];
  const nominal = resolveDay(period, s.day);
  const day = moveToWorkingDay(period, nominal, cal.nonWorkingDays, wd);
  return {
    key: `step:${step}`,
    kind: 'step',
    step,
    dueAt: at(period, day, s.time, cal.timezone),
    day: dayText(period, day),
    nominalDay: dayText(period, nominal),
    title: step,
  };
}

/** Everything the calendar schedules in a period, in time order. */
export function occurrences(cal: CalendarConfig, period: Period, wd: WorkingDays): Occurrence[] {
  const out: Occurrence[] = [];
  for (const step of STEPS) if (cal.steps[step].enabled) out.push(stepDue(cal, period, step, wd));

  if (cal.halfMonthly.enabled) {
    const days = new Set(cal.halfMonthly.days.map((d) => resolveDay(period, d)));
    for (const nominal of days) {
      const day = moveToWorkingDay(period, nominal, cal.nonWorkingDays, wd);
      out.push({
        key: `event:scheduling:${nominal}`,
        kind: 'event',
        dueAt: at(period, day, cal.halfMonthly.time, cal.timezone),
        day: dayText(period, day),
        nominalDay: dayText(period, nominal),
        title: '半月调度',
      });
    }
  }

  for (const f of cal.fixedDays) {
    for (const nominal of new Set(f.days.map((d) => resolveDay(period, d)))) {
      // The reminder goes out the configured number of days before; it may fall in the previous month.
      const target = DateTime.fromISO(dayText(period, nominal), { zone: cal.timezone });
      const remind = target.minus({ days: f.remindDaysBefore });
      const [hour, minute] = f.time.split(':').map(Number);
      out.push({
        key: `event:${f.key}:${nominal}`,
        kind: 'event',
        dueAt: remind.set({ hour, minute }).toJSDate(),
        day: remind.toISODate()!,
        nominalDay: dayText(period, nominal),
        title: f.name,
        detail: { name: f.name, forDay: dayText(period, nominal), checklist: f.checklist },
      });
    }
  }

  const { month } = parsePeriod(period);
  if (cal.quarterly.enabled && (month - 1) % 3 === cal.quarterly.monthOfQuarter - 1) {
    const nominal = resolveDay(period, cal.quarterly.day);
    const day = moveToWorkingDay(period, nominal, cal.nonWorkingDays, wd);
    out.push({
      key: 'event:quarterly',
      kind: 'event',
      dueAt: at(period, day, cal.quarterly.time, cal.timezone),
      day: dayText(period, day),
      nominalDay: dayText(period, nominal),
      title: cal.quarterly.title,
    });
  }
  return out.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.key.localeCompare(b.key));
}

/**
 * What is due by `now` and not yet done, from `from` (the calendar's first period) up to the
 * current period: the catch-up after a worker was down is this same list.
 */
export function dueOccurrences(
  cal: CalendarConfig,
  now: Date,
  from: Period,
  done: ReadonlySet<string>,
  wd: WorkingDays,
): Array<Occurrence & { period: Period }> {
  const local = DateTime.fromJSDate(now, { zone: cal.timezone });
  // Fixed-day reminders can be due in the month before their day.
  const until = shiftPeriod(`${local.year}-${String(local.month).padStart(2, '0')}`, 1);
  const out: Array<Occurrence & { period: Period }> = [];
  for (let p = from; p <= until; p = shiftPeriod(p, 1)) {
    for (const o of occurrences(cal, p, wd)) {
      if (o.dueAt.getTime() <= now.getTime() && !done.has(`${p}|${o.key}`)) out.push({ ...o, period: p });
    }
  }
  return out;
}
