import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { jobId, TypedQueue } from '@app/platform';
import { Queue } from 'bullmq';
import { NOTIFICATIONS_QUEUE, NotificationsJobs } from './notifications-jobs';

/**
 * Enqueues the sending of webhook deliveries once the transaction that created them has
 * committed. If an enqueue is lost, the hourly sweep finds the delivery still pending.
 */
@Injectable()
export class WebhookOutbox {
  private readonly logger = new Logger('WebhookOutbox');
  private readonly queue: TypedQueue<NotificationsJobs>;

  constructor(@InjectQueue(NOTIFICATIONS_QUEUE) queue: Queue) {
    this.queue = new TypedQueue<NotificationsJobs>(queue);
  }

  async enqueue(deliveryIds: readonly string[]): Promise<void> {
    for (const id of deliveryIds) {
      await this.queue
        .add('webhook', { deliveryId: id }, { jobId: jobId('webhook', id) })
        .catch((e: Error) => this.logger.warn(`enqueue ${id}: ${e.message}`));
    }
  }
}
