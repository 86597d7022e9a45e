import type { EntityManager } from 'typeorm';
import type { StepName } from '../calendar/calendar-config';
import type { Period } from '../calendar/period';
import type { TownshipCalendar } from '../calendar/calendar.service';

import type { OutputData, OutputKind } from './output-data';

export type { OutputKind } from './output-data';

/** What a step gets: the open transaction of its run, and where it stands. */
export interface StepContext {
  m: EntityManager;
  township: TownshipCalendar;
  period: Period;
  runId: string;
  now: Date;
  /** Records data the step produced (a list its document is made of), in the run's transaction. */
  output<K extends OutputKind>(kind: K, data: OutputData[K], subjectUnitId?: string): Promise<void>;
  /** Webhook deliveries created by the step's notifications, sent once the run commits. */
  deliveries: string[];
}

/**
 * One of the five steps. `run` writes everything the step produces through `ctx.m`, so that
 * outputs and "done" commit together; it returns a short summary of what it produced.
 */
export interface StepHandler {
  readonly step: StepName;
  run(ctx: StepContext): Promise<Record<string, unknown>>;
}

export const STEP_HANDLERS = Symbol('STEP_HANDLERS');
