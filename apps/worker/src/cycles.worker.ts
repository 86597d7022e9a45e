import { Injectable } from '@nestjs/common';
import { AppConfig, JobHandlers, JobWorkerHost, QueueConnection } from '@app/platform';
import { CYCLES_QUEUE, CycleScheduler, CyclesJobs, ReminderService, StepRunner } from '@app/cycles';

/** The cycles queue's worker: scheduler ticks, step runs and the sweep. */
@Injectable()
export class CyclesWorker extends JobWorkerHost<CyclesJobs> {
  protected readonly queueName = CYCLES_QUEUE;
  protected readonly handlers: JobHandlers<CyclesJobs> = {
    tick: (d) => this.scheduler.tick(d.what),
    run: async (d) => {
      const run = await this.runner.runInOrder(d.unitId, d.period, d.key, { kind: 'schedule' });
      return { state: run.state };
    },
    sweep: () => this.reminders.sweep(),
  };

  constructor(
    connection: QueueConnection,
    config: AppConfig,
    private readonly scheduler: CycleScheduler,
    private readonly runner: StepRunner,
    private readonly reminders: ReminderService,
  ) {
    super(connection, config);
  }

  override onApplicationBootstrap(): void {
    super.onApplicationBootstrap();
    void this.scheduler.register().catch((e: Error) => this.logger.error(`registering the schedulers failed: ${e.message}`));
  }
}
