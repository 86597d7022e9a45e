import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, jobId, TypedQueue } from '@app/platform';
import { Queue } from 'bullmq';
import { NOTIFICATIONS_QUEUE, NotificationsJobs } from './notifications-jobs';

/**
 * Enqueues the sending of webhook deliveries once the transaction that created them has
 * committed, with WEBHOOK_ATTEMPTS attempts backing off exponentially from WEBHOOK_RETRY_DELAY.
 * If an enqueue is lost, the hourly sweep finds the delivery still pending.
 */
@Injectable()
export class WebhookOutbox {
  private readonly logger = new Logger('WebhookOutbox');
  private readonly queue: TypedQueue<NotificationsJobs>;

  private readonly attempts: number;
  private readonly retryDelayMs: number;

  constructor(@InjectQueue(NOTIFICATIONS_QUEUE) queue: Queue, config: AppConfig) {
    this.queue = new TypedQueue<NotificationsJobs>(queue);
    this.attempts = config.WEBHOOK_ATTEMPTS;
    this.retryDelayMs = config.durationMs('WEBHOOK_RETRY_DELAY');
  }

  async enqueue(deliveryIds: readonly string[]): Promise<void> {
    for (const id of deliveryIds) {
      await this.queue
        .add(
          'webhook',
          { deliveryId: id },
          { jobId: jobId('webhook', id), attempts: this.attempts, backoff: { type: 'exponential', delay: this.retryDelayMs } },
        )
        .catch((e: Error) => this.logger.warn(`enqueue ${id}: ${e.message}`));
    }
  }
}
