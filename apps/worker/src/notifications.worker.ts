import { Injectable } from '@nestjs/common';
import { AppConfig, JobHandlers, JobWorkerHost, QueueConnection } from '@app/platform';
import { NOTIFICATIONS_QUEUE, NotificationsJobs, WebhookSender } from '@app/notifications';

/** The notifications queue's worker: webhook sends. */
@Injectable()
export class NotificationsWorker extends JobWorkerHost<NotificationsJobs> {
  protected readonly queueName = NOTIFICATIONS_QUEUE;
  protected readonly handlers: JobHandlers<NotificationsJobs> = {
    webhook: (d) => this.webhooks.send(d.deliveryId),
  };

  constructor(
    connection: QueueConnection,
    config: AppConfig,
    private readonly webhooks: WebhookSender,
  ) {
    super(connection, config);
  }
}
