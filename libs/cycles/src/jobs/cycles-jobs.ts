import type { Period } from '../calendar/period';
import type { StepName } from '../calendar/calendar-config';

export const CYCLES_QUEUE = 'cycles';

/** Every job of the cycles queue and its payload. */
export interface CyclesJobs {
  /** A scheduler's tick: enqueue what is due (and missed) of one step kind, or the calendar events. */
  tick: { what: StepName | 'events' };
  /** Run one step or event of a township's period, exactly once. */
  run: { unitId: string; period: Period; key: string };
  /** Deadline reminders, overdue escalation and accountability records; stray webhook deliveries. */
  sweep: Record<string, never>;
  /** The nightly re-verification of the ticket histories written in the last day. */
  audit: Record<string, never>;
}
