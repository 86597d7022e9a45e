import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig, Clock, DEFAULT_JOB_OPTIONS, jobId, TypedQueue } from '@app/platform';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { STEPS, StepName } from '../calendar/calendar-config';
import { CalendarService } from '../calendar/calendar.service';
import { periodAt, shiftPeriod } from '../calendar/period';
import { dueOccurrences } from '../calendar/schedule';
import { CYCLES_QUEUE, CyclesJobs } from '../jobs/cycles-jobs';
import { FailedRuns } from '../runs/failed-runs';

import { CATCH_UP_MONTHS } from './catch-up';
import { HISTORY_AUDIT_CRON } from '../audit/history-audit.service';

export { CATCH_UP_MONTHS } from './catch-up';

/**
 * The job schedulers (one tick per step kind, one for the calendar events, the hourly sweep and
 * the nightly history check), each with its time zone, registered again at every start so that a
 * Redis that lost its data loses nothing. A tick reads the calendars from PostgreSQL and enqueues each due (township, period,
 * step) under a deterministic job id, including anything missed.
 */
@Injectable()
export class CycleScheduler {
  private readonly logger = new Logger('CycleScheduler');
  private readonly queue: TypedQueue<CyclesJobs>;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly calendars: CalendarService,
    private readonly config: AppConfig,
    private readonly failedRuns: FailedRuns,
    @InjectQueue(CYCLES_QUEUE) queue: Queue,
  ) {
    this.queue = new TypedQueue<CyclesJobs>(queue);
  }

  /** Registers (or updates) every scheduler and enqueues one catch-up tick of each right away. */
  async register(): Promise<void> {
    const tz = this.config.TZ_DEFAULT;
    const what: Array<StepName | 'events'> = [...STEPS, 'events'];
    // Scheduler jobs bypass TypedQueue.add, so they take its defaults here: trimmed from Redis, retried.
    for (const w of what) {
      await this.queue.queue.upsertJobScheduler(
        `tick-${w}`,
        { pattern: this.config.CYCLE_TICK_CRON, tz },
        { name: 'tick', data: { what: w }, opts: DEFAULT_JOB_OPTIONS },
      );
    }
    await this.queue.queue.upsertJobScheduler(
      'sweep',
      { pattern: '7 * * * *', tz },
      { name: 'sweep', data: {}, opts: DEFAULT_JOB_OPTIONS },
    );
    await this.queue.queue.upsertJobScheduler(
      'audit',
      { pattern: HISTORY_AUDIT_CRON, tz },
      { name: 'audit', data: {}, opts: DEFAULT_JOB_OPTIONS },
    );
    for (const w of what) await this.queue.add('tick', { what: w }, { jobId: jobId('catch-up', w, this.clock.nowMs()) });
    await this.queue.add('sweep', {}, { jobId: jobId('catch-up-sweep', this.clock.nowMs()) });
    this.logger.log(`job schedulers registered (${this.config.CYCLE_TICK_CRON}, ${tz}); catching up`);
  }

  /**
   * Puts the job schedulers back when Redis lost them while the workers kept running (a flush,
   * a failover to an empty replica); the catch-up ticks of `register` then run what came due.
   */
  async ensureRegistered(): Promise<boolean> {
    const keys = [...[...STEPS, 'events'].map((w) => `tick-${w}`), 'sweep', 'audit'];
    const present = await Promise.all(keys.map((k) => this.queue.queue.getJobScheduler(k)));
    if (present.every(Boolean)) return false;
    this.logger.warn(`job schedulers missing from Redis (${keys.filter((_, i) => !present[i]).join(', ')}): registering them again`);
    await this.register();
    return true;
  }

  /** Enqueues the due runs of one step kind (or the events) for every township. */
  async tick(what: StepName | 'events'): Promise<number> {
    const now = this.clock.now();
    const calendars = await this.calendars.all();
    if (!calendars.length) return 0;
    const oldest = shiftPeriod(periodAt(now, 'UTC'), -CATCH_UP_MONTHS - 1);
    const done = await this.db.query<Array<{ unit_id: string; period: string; key: string }>>(
      `SELECT unit_id, period, key FROM cycle_run WHERE state = 'done' AND period >= $1`,
      [oldest],
    );
    const failed = await this.failedRuns.since(oldest);
    const doneBy = new Map<string, Set<string>>();
    for (const d of done) {
      if (!doneBy.has(d.unit_id)) doneBy.set(d.unit_id, new Set());
      doneBy.get(d.unit_id)!.add(`${d.period}|${d.key}`);
    }
    let enqueued = 0;
    for (const cal of calendars) {
      const current = periodAt(now, cal.config.timezone);
      const started = periodAt(cal.startsAt, cal.config.timezone);
      const windowStart = shiftPeriod(current, -CATCH_UP_MONTHS);
      const from = started > windowStart ? started : windowStart;
      const due = dueOccurrences(cal.config, now, from, doneBy.get(cal.unitId) ?? new Set(), this.calendars.workingDays).filter(
        (o) => o.dueAt >= cal.startsAt && (what === 'events' ? o.kind === 'event' : o.step === what),
      );
      for (const o of due) {
        let id = jobId('run', cal.unitId, o.period, o.key);
        const failure = failed.get(`${cal.unitId}|${o.period}|${o.key}`);
        if (failure) {
          // Its failed job keeps that id in the queue for days: a retry, once its wait is over, has an id of its own.
          if (now < this.failedRuns.retryAt(failure)) continue;
          await this.failedRuns.notifyOnce(failure, cal.unitName);
          id = jobId('run', cal.unitId, o.period, o.key, 'retry', failure.attempts);
        }
        await this.queue.add('run', { unitId: cal.unitId, period: o.period, key: o.key }, { jobId: id });
        enqueued += 1;
      }
    }
    if (enqueued) this.logger.log(`tick ${what}: ${enqueued} run(s) due`);
    return enqueued;
  }
}
