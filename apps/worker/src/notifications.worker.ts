import { Injectable } from '@nestjs/common';
import { AppConfig, JobHandlers, JobWorkerHost, QueueConnection } from '@app/platform';
import { NOTIFICATIONS_QUEUE, NotificationsJobs, WebhookSender } from '@app/notifications';

/** The notifications queue's worker: webhook sends. */
@Injectable()
export class NotificationsWorker extends JobWorkerHost<NotificationsJobs> {
  protected readonly queueName = NOTIFICATIONS_QUEUE;
  protected readonly handlers: JobHandlers<NotificationsJobs> = {
    // The last of the job's attempts makes a failure final, so the delivery log shows it as failed.
    webhook: (d, job) => this.webhooks.send(d.deliveryId, { lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) }),
  };

  constructor(
    connection: QueueConnection,
    config: AppConfig,
    private readonly webhooks: WebhookSender,
  ) {
    super(connection, config);
  }
}
