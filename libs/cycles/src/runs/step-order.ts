import { STEPS, StepName } from '../calendar/calendar-config';
import type { TownshipCalendar } from '../calendar/calendar.service';
import { Period, periodAt, shiftPeriod } from '../calendar/period';
import { occurrences } from '../calendar/schedule';
import type { WorkingDays } from '../calendar/working-days';

/** A run of a township's period, by its key (`step:<name>` or `event:...`). */
export interface RunRef {
  period: Period;
  key: string;
}

/** Whether something was due before the township's calendar began: such a step was skipped, not missed. */
export function beforeCalendar(cal: TownshipCalendar, dueAt: Date | null | undefined): boolean {
  return !!dueAt && dueAt.getTime() < cal.startsAt.getTime();
}

/** The step a run key names, or undefined for a calendar event. */
export function stepOfKey(key: string): StepName | undefined {
  const name = key.startsWith('step:') ? key.slice(5) : '';
  return (STEPS as readonly string[]).includes(name) ? (name as StepName) : undefined;
}

/**
 * The enabled steps of the month that come before `step` and must be done first, in step order.
 * Steps that were due before the calendar began were skipped and are not asked for.
 */
export function earlierSteps(cal: TownshipCalendar, period: Period, step: StepName, wd: WorkingDays): StepName[] {
  const position = STEPS.indexOf(step);
  const due = new Map(occurrences(cal.config, period, wd).map((o) => [o.key, o.dueAt]));
  return STEPS.slice(0, position).filter((s) => {
    const at = due.get(`step:${s}`);
    return at !== undefined && !beforeCalendar(cal, at);
  });
}

/**
 * What a scheduled run of (period, key) runs before itself, oldest month first: the steps of
 * earlier months in the catch-up window that are due and not done (so that bulletin numbers
 * follow the months), then the earlier steps of its own month that are not done.
 */
export function runsFirst(
  cal: TownshipCalendar,
  target: RunRef,
  now: Date,
  done: ReadonlySet<string>,
  wd: WorkingDays,
  catchUpMonths: number,
): RunRef[] {
  const step = stepOfKey(target.key);
  if (!step) return [];
  const started = periodAt(cal.startsAt, cal.config.timezone);
  const window = shiftPeriod(periodAt(now, cal.config.timezone), -catchUpMonths);
  const out: RunRef[] = [];
  for (let p = started > window ? started : window; p < target.period; p = shiftPeriod(p, 1)) {
    const due = occurrences(cal.config, p, wd).filter(
      (o) => o.kind === 'step' && !beforeCalendar(cal, o.dueAt) && o.dueAt.getTime() <= now.getTime() && !done.has(`${p}|${o.key}`),
    );
    for (const s of STEPS) if (due.some((o) => o.step === s)) out.push({ period: p, key: `step:${s}` });
  }
  for (const s of earlierSteps(cal, target.period, step, wd))
    if (!done.has(`${target.period}|step:${s}`)) out.push({ period: target.period, key: `step:${s}` });
  return out;
}
