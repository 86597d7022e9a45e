import { Injectable } from '@nestjs/common';
import { AppConfig, JobHandlers, JobWorkerHost, QueueConnection } from '@app/platform';
import { CYCLES_QUEUE, CycleScheduler, CyclesJobs, FailedRuns, HistoryAudit, ReminderService, StepRunner } from '@app/cycles';

/** The cycles queue's worker: scheduler ticks, step runs, the hourly sweep and the nightly history check. */
@Injectable()
export class CyclesWorker extends JobWorkerHost<CyclesJobs> {
  protected readonly queueName = CYCLES_QUEUE;
  private readonly checkEveryMs: number;
  private check?: NodeJS.Timeout;
  protected readonly handlers: JobHandlers<CyclesJobs> = {
    tick: (d) => this.scheduler.tick(d.what),
    run: async (d, job) => {
      try {
        const run = await this.runner.runInOrder(d.unitId, d.period, d.key, { kind: 'schedule' });
        return { state: run.state };
      } catch (e) {
        // The last of the job's retries: the township hears of it now (later ticks still try again).
        if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1))
          await this.failedRuns
            .notifyFailedUpTo(d.unitId, d.period)
            .catch((n: Error) => this.logger.warn(`telling ${d.unitId} of a failed run failed: ${n.message}`));
        throw e;
      }
    },
    sweep: () => this.reminders.sweep(),
    audit: () => this.audit.run(),
  };

  constructor(
    connection: QueueConnection,
    config: AppConfig,
    private readonly scheduler: CycleScheduler,
    private readonly runner: StepRunner,
    private readonly reminders: ReminderService,
    private readonly failedRuns: FailedRuns,
    private readonly audit: HistoryAudit,
  ) {
    super(connection, config);
    this.checkEveryMs = config.durationMs('CYCLE_SCHEDULER_CHECK');
  }

  override onApplicationBootstrap(): void {
    super.onApplicationBootstrap();
    void this.scheduler.register().catch((e: Error) => this.logger.error(`registering the schedulers failed: ${e.message}`));
    // Redis may lose the schedulers while this process runs; they come back within one check.
    this.check = setInterval(() => {
      void this.scheduler.ensureRegistered().catch((e: Error) => this.logger.warn(`checking the schedulers failed: ${e.message}`));
    }, this.checkEveryMs);
    this.check.unref();
  }

  override async beforeApplicationShutdown(): Promise<void> {
    if (this.check) clearInterval(this.check);
    await super.beforeApplicationShutdown();
  }
}
