import { Inject, Injectable, Logger } from '@nestjs/common';
import { NotificationService, WebhookOutbox } from '@app/notifications';
import { UnitSql } from '@app/org';
import { AppConfig, DEFAULT_JOB_OPTIONS } from '@app/platform';
import { DataSource } from 'typeorm';
import { STEP_LABELS } from '../calendar/calendar-config';
import { Period } from '../calendar/period';
import { stepOfKey } from './step-order';

/** A run left `failed` once the queue's retries of its job ran out. */
export interface FailedRun {
  id: string;
  unit_id: string;
  period: Period;
  key: string;
  attempts: number;
  updated_at: Date;
  error: string | null;
}

/**
 * Failed runs are not failed for good: later ticks try them again, waiting longer after each
 * round of the queue's retries (bounded), and the township's leaders are told the first time.
 */
@Injectable()
export class FailedRuns {
  private readonly logger = new Logger('FailedRuns');

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly notifications: NotificationService,
    private readonly outbox: WebhookOutbox,
  ) {}

  /** The failed runs of the periods from `since` on, by `unit|period|key`. */
  async since(since: Period): Promise<Map<string, FailedRun>> {
    const rows = await this.db.query<FailedRun[]>(
      `SELECT id, unit_id, period, key, attempts, updated_at, error FROM cycle_run WHERE state = 'failed' AND period >= $1`,
      [since],
    );
    return new Map(rows.map((r) => [`${r.unit_id}|${r.period}|${r.key}`, r]));
  }

  /** The wait after a run's last failure: the base delay, doubled for each further round of retries, at most the maximum. */
  retryDelayMs(attempts: number): number {
    const perRound = DEFAULT_JOB_OPTIONS.attempts ?? 1;
    const rounds = Math.max(1, Math.ceil(attempts / perRound));
    const delay = this.config.durationMs('CYCLE_RETRY_DELAY') * 2 ** Math.min(rounds - 1, 40);
    return Math.min(delay, this.config.durationMs('CYCLE_RETRY_MAX_DELAY'));
  }

  /** When a failed run is tried again; until then the queue may still be retrying it itself. */
  retryAt(run: FailedRun): Date {
    return new Date(new Date(run.updated_at).getTime() + this.retryDelayMs(run.attempts));
  }

  /**
   * Called when a job's last retry failed: tells the leaders of each run of the township, up to
   * that period, that is failed now (the job's own run, or an earlier one it waited for).
   */
  async notifyFailedUpTo(unitId: string, period: Period): Promise<void> {
    const rows = await this.db.query<Array<FailedRun & { unit_name: string }>>(
      `SELECT r.id, r.unit_id, r.period, r.key, r.attempts, r.updated_at, r.error, u.name AS unit_name
         FROM cycle_run r ${UnitSql.join('u', 'r.unit_id')}
        WHERE r.unit_id = $1 AND r.period <= $2 AND r.state = 'failed'`,
      [unitId, period],
    );
    for (const r of rows) await this.notifyOnce(r, r.unit_name);
  }

  /** Tells the township's leaders that a run failed after its retries: once per run, however often it fails again. */
  async notifyOnce(run: FailedRun, townshipName: string): Promise<void> {
    const step = stepOfKey(run.key);
    const label = step ? STEP_LABELS[step].zh : run.key;
    const { id, deliveries } = await this.db.transaction((m) =>
      this.notifications.notify(m, {
        dedupeKey: `cycle-run-failed:${run.id}`,
        kind: 'cycle_run_failed',
        title: `${run.period}「${label}」运行失败`,
        body:
          `${townshipName}${run.period}的「${label}」重试后仍未完成（${run.error ?? '未知错误'}）。` +
          `系统会自动再试，间隔逐次加长、最长一天；领导也可在工作台手动运行。`,
        link: `/dashboard?unitId=${run.unit_id}&period=${run.period}`,
        unitId: run.unit_id,
        audience: 'leaders',
        data: { runId: run.id, period: run.period, key: run.key, error: run.error },
      }),
    );
    await this.outbox.enqueue(deliveries);
    if (id) this.logger.warn(`${townshipName} ${run.period} ${run.key} failed after its retries: ${run.error}`);
  }
}
