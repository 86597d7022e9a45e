import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { jobId, TypedQueue } from '@app/platform';
import { Queue } from 'bullmq';
import { CYCLES_QUEUE, CyclesJobs } from '../jobs/cycles-jobs';

/**
 * Enqueues the sending of webhook deliveries once the transaction that created them has
 * committed. If an enqueue is lost, the hourly sweep finds the delivery still pending.
 */
@Injectable()
export class WebhookOutbox {
  private readonly logger = new Logger('WebhookOutbox');
  private readonly queue: TypedQueue<CyclesJobs>;

  constructor(@InjectQueue(CYCLES_QUEUE) queue: Queue) {
    this.queue = new TypedQueue<CyclesJobs>(queue);
  }

  async enqueue(deliveryIds: readonly string[]): Promise<void> {
    for (const id of deliveryIds) {
      await this.queue
        .add('webhook', { deliveryId: id }, { jobId: jobId('webhook', id) })
        .catch((e: Error) => this.logger.warn(`enqueue ${id}: ${e.message}`));
    }
  }
}
