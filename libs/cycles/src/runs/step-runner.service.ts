import { Inject, Injectable, Logger } from '@nestjs/common';
import { WebhookOutbox } from '@app/notifications';
import { AppConfig, Clock } from '@app/platform';
import { DataSource, EntityManager } from 'typeorm';
import { STEPS, StepName } from '../calendar/calendar-config';
import { CalendarService, TownshipCalendar } from '../calendar/calendar.service';
import { Period } from '../calendar/period';
import { occurrences } from '../calendar/schedule';
import { CATCH_UP_MONTHS } from '../scheduler/catch-up';
import { EventRunner } from './event-runner';
import { CycleOutputListeners, CycleOutputOf, CycleOutputRecord } from './output-listeners';
import type { OutputData } from './output-data';
import { OutputKind, STEP_HANDLERS, StepContext, StepHandler } from './step-handler';
import { runsFirst } from './step-order';

export type RunState = 'pending' | 'running' | 'done' | 'failed';

export interface RunRow {
  id: string;
  unit_id: string;
  period: Period;
  key: string;
  state: RunState;
  due_at: Date | null;
  attempts: number;
  started_at: Date | null;
  finished_at: Date | null;
  error: string | null;
  summary: Record<string, unknown> | null;
  trigger: 'schedule' | 'manual';
}

export interface Trigger {
  kind: 'schedule' | 'manual';
  userId?: string;
}

/**
 * Runs a step (or calendar event) of a township's period exactly once. The run row, unique per
 * (township, period, key), is the guard: the work and "done" commit in one transaction under
 * the row's lock, so a retry, a second worker or a manual re-run finds it done and changes
 * nothing. BullMQ may deliver a job twice; this row decides.
 */
@Injectable()
export class StepRunner {
  private readonly logger = new Logger('StepRunner');
  private readonly handlers: Map<StepName, StepHandler>;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly calendars: CalendarService,
    private readonly events: EventRunner,
    private readonly outbox: WebhookOutbox,
    @Inject(STEP_HANDLERS) handlers: StepHandler[],
    private readonly listeners: CycleOutputListeners,
    private readonly config: AppConfig,
  ) {
    this.handlers = new Map(handlers.map((h) => [h.step, h]));
    for (const s of STEPS) if (!this.handlers.has(s)) throw new Error(`no handler for the ${s} step`);
  }

  /**
   * Fault tests only (CYCLE_STEP_PAUSE_MS): a step waits once everything it writes is written,
   * outputs, documents and "done" alike, just before its transaction commits, so that a test can
   * kill the worker there and see that none of it survives.
   */
  private async faultTestPause(key: string, township: string, period: Period): Promise<void> {
    const ms = this.config.CYCLE_STEP_PAUSE_MS;
    if (!ms) return;
    this.logger.warn(`${key} of ${township} ${period} written, pausing ${ms} ms before commit`);
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  async run(unitId: string, period: Period, key: string, trigger: Trigger): Promise<RunRow> {
    const township = await this.calendars.forTownship(unitId);
    const occurrence = occurrences(township.config, period, this.calendars.workingDays).find((o) => o.key === key);
    const now = this.clock.now();
    await this.db.query(
      `INSERT INTO cycle_run (unit_id, period, key, state, due_at, trigger, triggered_by, created_at, updated_at)
       VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $7)
       ON CONFLICT ON CONSTRAINT cycle_run_once DO NOTHING`,
      [unitId, period, key, occurrence?.dueAt ?? null, trigger.kind, trigger.userId ?? null, now],
    );
    // Mark it running in a short transaction of its own, so that the state shows while it works.
    const started = await this.db.transaction(async (m) => {
      const row = await this.lock(m, unitId, period, key);
      if (row.state === 'done') return row;
      await m.query(
        `UPDATE cycle_run SET state = 'running', attempts = attempts + 1, started_at = $2, error = NULL, updated_at = $2,
                trigger = CASE WHEN $3 = 'manual' THEN 'manual' ELSE trigger END, triggered_by = coalesce($4, triggered_by)
          WHERE id = $1`,
        [row.id, now, trigger.kind, trigger.userId ?? null],
      );
      return row;
    });
    if (started.state === 'done') return started;

    const deliveries: string[] = [];
    try {
      const done = await this.db.transaction(async (m) => {
        const row = await this.lock(m, unitId, period, key);
        if (row.state === 'done') return row;
        const produced: CycleOutputRecord[] = [];
        const ctx: StepContext = {
          m,
          township,
          period,
          runId: row.id,
          now: this.clock.now(),
          deliveries,
          output: async <K extends OutputKind>(kind: K, data: OutputData[K], subjectUnitId?: string) => {
            const id = await this.output(m, row.id, unitId, period, kind, data, subjectUnitId);
            const record: CycleOutputOf<K> = { id, runId: row.id, unitId, period, kind, subjectUnitId: subjectUnitId ?? null, data };
            produced.push(record as CycleOutputRecord);
          },
        };
        const summary = await this.execute(key, ctx);
        await this.listeners.emit(m, produced);
        await m.query(`UPDATE cycle_run SET state = 'done', finished_at = $2, summary = $3, updated_at = $2 WHERE id = $1`, [
          row.id,
          this.clock.now(),
          JSON.stringify(summary),
        ]);
        await this.faultTestPause(key, township.unitName, period);
        return this.lock(m, unitId, period, key);
      });
      await this.outbox.enqueue(deliveries);
      return done;
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      await this.db
        .query(`UPDATE cycle_run SET state = 'failed', error = $2, updated_at = $3 WHERE id = $1 AND state <> 'done'`, [
          started.id,
          message,
          this.clock.now(),
        ])
        .catch(() => undefined);
      this.logger.warn(`${township.unitName} ${period} ${key} failed: ${message}`);
      throw e;
    }
  }

  /** The scheduled runs of each township in this process, which take turns. */
  private readonly turns = new Map<string, Promise<unknown>>();

  /**
   * A scheduled run: whatever must come before it runs first, oldest first (the missed steps of
   * earlier months in the catch-up window, then the earlier steps of its own month), so that a
   * month's steps keep their order and bulletin numbers follow the months. A township's
   * scheduled runs take turns, so that one run's earlier steps are not started twice at once.
   */
  async runInOrder(unitId: string, period: Period, key: string, trigger: Trigger): Promise<RunRow> {
    const previous = this.turns.get(unitId) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(() => this.runAfterEarlier(unitId, period, key, trigger));
    this.turns.set(unitId, mine);
    try {
      return await mine;
    } finally {
      if (this.turns.get(unitId) === mine) this.turns.delete(unitId);
    }
  }

  private async runAfterEarlier(unitId: string, period: Period, key: string, trigger: Trigger): Promise<RunRow> {
    const township = await this.calendars.forTownship(unitId);
    const done = new Set(
      (
        await this.db.query<Array<{ period: string; key: string }>>(
          `SELECT period, key FROM cycle_run WHERE unit_id = $1 AND state = 'done' AND period <= $2`,
          [unitId, period],
        )
      ).map((r) => `${r.period}|${r.key}`),
    );
    const first = runsFirst(township, { period, key }, this.clock.now(), done, this.calendars.workingDays, CATCH_UP_MONTHS);
    for (const before of first) {
      this.logger.log(`${township.unitName} ${period} ${key} waits for ${before.period} ${before.key}: running it first`);
      await this.run(unitId, before.period, before.key, trigger);
    }
    return this.run(unitId, period, key, trigger);
  }

  private async execute(key: string, ctx: StepContext): Promise<Record<string, unknown>> {
    if (key.startsWith('step:')) {
      const handler = this.handlers.get(key.slice(5) as StepName);
      if (!handler) throw new Error(`unknown step ${key}`);
      return handler.run(ctx);
    }
    return this.events.run(key, ctx);
  }

  private async lock(m: EntityManager, unitId: string, period: Period, key: string): Promise<RunRow> {
    const [row] = await m.query<RunRow[]>(`SELECT * FROM cycle_run WHERE unit_id = $1 AND period = $2 AND key = $3 FOR UPDATE`, [
      unitId,
      period,
      key,
    ]);
    return row;
  }

  private async output(
    m: EntityManager,
    runId: string,
    unitId: string,
    period: Period,
    kind: OutputKind,
    data: unknown,
    subject?: string,
  ): Promise<string> {
    const [row] = await m.query<Array<{ id: string }>>(
      `INSERT INTO cycle_output (run_id, unit_id, period, kind, subject_unit_id, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [runId, unitId, period, kind, subject ?? null, JSON.stringify(data), this.clock.now()],
    );
    return row.id;
  }

  /** The runs of a township's period, for GET /cycles. */
  async runs(unitId: string, period: Period): Promise<RunRow[]> {
    return this.db.query<RunRow[]>(`SELECT * FROM cycle_run WHERE unit_id = $1 AND period = $2 ORDER BY due_at NULLS LAST, key`, [
      unitId,
      period,
    ]);
  }

  async outputs(runId: string): Promise<Array<{ id: string; kind: OutputKind; subjectUnitId: string | null }>> {
    const rows = await this.db.query<Array<{ id: string; kind: OutputKind; subject_unit_id: string | null }>>(
      `SELECT id, kind, subject_unit_id FROM cycle_output WHERE run_id = $1 ORDER BY kind, subject_unit_id NULLS FIRST`,
      [runId],
    );
    return rows.map((r) => ({ id: r.id, kind: r.kind, subjectUnitId: r.subject_unit_id }));
  }

  townshipOf(unitId: string): Promise<TownshipCalendar> {
    return this.calendars.forTownship(unitId);
  }
}
