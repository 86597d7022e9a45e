import { Inject, Injectable } from '@nestjs/common';
import { Clock, Conflict, Forbidden, NotFound, Principal, ValidationFailed } from '@app/platform';
import { mayRunSteps } from '../calendar/calendar-access';
import { UnitRef, Units } from '@app/org';
import { DataSource } from 'typeorm';
import { STEP_LABELS, STEPS, StepName } from '../calendar/calendar-config';
import { CalendarService, TownshipCalendar } from '../calendar/calendar.service';
import { isPeriod, Period, periodAt } from '../calendar/period';
import { occurrences } from '../calendar/schedule';
import { RunRow, RunState, StepRunner } from './step-runner.service';
import { beforeCalendar, earlierSteps } from './step-order';

export interface StepView {
  step: StepName;
  label: string;
  state: RunState;
  dueAt: string | null;
  startedAt: string | null;
  ranAt: string | null;
  attempts: number;
  trigger: 'schedule' | 'manual' | null;
  error: string | null;
  /** Due before the township's calendar began: skipped by the schedule (a leader may still run it). */
  beforeCalendar: boolean;
  /** Earlier steps of the month that must be done before this one can run. */
  waitingFor: StepName[];
  produced: Record<string, unknown> | null;
  outputs: Array<{ id: string; kind: string; subjectUnitId: string | null }>;
}

export interface CycleView {
  unitId: string;
  unitName: string;
  period: Period;
  timezone: string;
  steps: StepView[];
  events: Array<{ key: string; title: string; state: RunState; dueAt: string | null; ranAt: string | null }>;
}

/** The months a cycle can be about. */
export const FIRST_PERIOD = '2000-01';
export const LAST_PERIOD = '2100-12';

/** A township's cycle for a month: each step's state, when it ran and what it produced. */
@Injectable()
export class CycleService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly calendars: CalendarService,
    private readonly runner: StepRunner,
    private readonly clock: Clock,
  ) {}

  private async township(principal: Principal, unitId: string): Promise<UnitRef> {
    const unit = await Units.byId(this.db, unitId);
    if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', unitId);
    if (unit.kind !== 'township') throw ValidationFailed.field('unitId', 'cycles belong to townships');
    return unit;
  }

  async view(principal: Principal, unitId: string, period: Period): Promise<CycleView> {
    if (!isPeriod(period)) throw ValidationFailed.field('period', 'must be a month YYYY-MM');
    const unit = await this.township(principal, unitId);
    const cal = await this.calendars.forTownship(unitId);
    const planned = occurrences(cal.config, period, this.calendars.workingDays);
    const runs = new Map((await this.runner.runs(unitId, period)).map((r) => [r.key, r]));
    const steps: StepView[] = [];
    for (const step of STEPS) {
      const run = runs.get(`step:${step}`);
      const due = planned.find((o) => o.key === `step:${step}`)?.dueAt ?? run?.due_at ?? null;
      const waitingFor = run?.state === 'done' ? [] : this.missingBefore(cal, period, step, runs);
      steps.push(await this.stepView(step, run, due, { beforeCalendar: !run && beforeCalendar(cal, due), waitingFor }));
    }
    const events = planned
      .filter((o) => o.kind === 'event')
      .map((o) => {
        const run = runs.get(o.key);
        return {
          key: o.key,
          title: o.title,
          state: run?.state ?? ('pending' as const),
          dueAt: o.dueAt.toISOString(),
          ranAt: run?.finished_at ? new Date(run.finished_at).toISOString() : null,
        };
      });
    return { unitId, unitName: unit.name, period, timezone: cal.config.timezone, steps, events };
  }

  /** The earlier steps of the month, due once the calendar existed, that are not done. */
  private missingBefore(cal: TownshipCalendar, period: Period, step: StepName, runs: Map<string, RunRow>): StepName[] {
    return earlierSteps(cal, period, step, this.calendars.workingDays).filter((s) => runs.get(`step:${s}`)?.state !== 'done');
  }

  private async stepView(
    step: StepName,
    run: RunRow | undefined,
    due: Date | null,
    order: Pick<StepView, 'beforeCalendar' | 'waitingFor'> = { beforeCalendar: false, waitingFor: [] },
  ): Promise<StepView> {
    return {
      step,
      label: STEP_LABELS[step].zh,
      state: run?.state ?? 'pending',
      dueAt: due ? new Date(due).toISOString() : null,
      startedAt: run?.started_at ? new Date(run.started_at).toISOString() : null,
      ranAt: run?.finished_at ? new Date(run.finished_at).toISOString() : null,
      attempts: run?.attempts ?? 0,
      trigger: run?.trigger ?? null,
      error: run?.error ?? null,
      ...order,
      produced: run?.summary ?? null,
      outputs: run ? await this.runner.outputs(run.id) : [],
    };
  }

  /** Runs a step now (a leader's hand); a step already done answers with what it produced. */
  async runNow(principal: Principal, unitId: string, period: Period, step: StepName): Promise<StepView> {
    if (!isPeriod(period)) throw ValidationFailed.field('period', 'must be a month YYYY-MM');
    if (period < FIRST_PERIOD || period > LAST_PERIOD)
      throw ValidationFailed.field('period', `must be a month from ${FIRST_PERIOD} to ${LAST_PERIOD}`);
    const unit = await this.township(principal, unitId);
    if (!mayRunSteps(principal.scope, unit)) throw new Forbidden('Only a township leader runs a step by hand');
    const cal = await this.calendars.forTownship(unitId);
    const current = periodAt(this.clock.now(), cal.config.timezone);
    if (period > current)
      throw new Conflict(`${period} has not begun in ${cal.config.timezone} (it is ${current} there): a month's steps run during it`, {
        period,
        current,
      });
    const runs = new Map((await this.runner.runs(unitId, period)).map((r) => [r.key, r]));
    const missing = runs.get(`step:${step}`)?.state === 'done' ? [] : this.missingBefore(cal, period, step, runs);
    if (missing.length)
      throw new Conflict(`${period} ${step} waits for ${missing.join(', ')}: run ${missing[0]} first`, {
        missing,
        allowed: [missing[0]],
      });
    const run = await this.runner.run(unitId, period, `step:${step}`, { kind: 'manual', userId: principal.userId });
    return this.stepView(step, run, run.due_at);
  }
}
