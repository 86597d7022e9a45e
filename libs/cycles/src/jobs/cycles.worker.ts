import { Injectable } from '@nestjs/common';
import { AppConfig, JobHandlers, JobWorkerHost, QueueConnection } from '@app/platform';
import { CycleScheduler } from '../scheduler/cycle-scheduler.service';
import { StepRunner } from '../runs/step-runner.service';
import { WebhookSender } from '../notifications/webhook-sender';
import { ReminderService } from '../reminders/reminder.service';
import { CYCLES_QUEUE, CyclesJobs } from './cycles-jobs';

/** The cycles queue's worker: scheduler ticks, step runs, the sweep and webhook sends. */
@Injectable()
export class CyclesWorker extends JobWorkerHost<CyclesJobs> {
  protected readonly queueName = CYCLES_QUEUE;
  protected readonly handlers: JobHandlers<CyclesJobs> = {
    tick: (d) => this.scheduler.tick(d.what),
    run: async (d) => {
      const run = await this.runner.run(d.unitId, d.period, d.key, { kind: 'schedule' });
      return { state: run.state };
    },
    sweep: () => this.reminders.sweep(),
    webhook: (d) => this.webhooks.send(d.deliveryId),
  };

  constructor(
    connection: QueueConnection,
    config: AppConfig,
    private readonly scheduler: CycleScheduler,
    private readonly runner: StepRunner,
    private readonly reminders: ReminderService,
    private readonly webhooks: WebhookSender,
  ) {
    super(connection, config);
  }

  override onApplicationBootstrap(): void {
    super.onApplicationBootstrap();
    void this.scheduler.register().catch((e: Error) => this.logger.error(`registering the schedulers failed: ${e.message}`));
  }
}
