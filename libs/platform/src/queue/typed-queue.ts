import { Logger } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';

/**
 * Finished jobs are trimmed by count and age so that Redis memory stays flat; failed ones are
 * kept longer for inspection. Retries back off exponentially.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
};

/** BullMQ forbids ':' in custom job ids; ids built from keys use '|' instead. */
export function jobId(...parts: Array<string | number>): string {
  return parts.map((p) => String(p).replace(/:/g, '|')).join('|');
}

/**
 * A queue whose job names and payloads are tied together by a catalog type, so that a job
 * cannot be enqueued with the wrong payload.
 */
export class TypedQueue<Catalog extends object> {
  private readonly logger: Logger;

  constructor(readonly queue: Queue) {
    this.logger = new Logger(`Queue:${queue.name}`);
    // A queue emits 'error' when Redis drops; without a listener that would crash the process.
    queue.on('error', (e: Error) => this.logger.warn(`queue error: ${e.message}`));
  }

  async add<N extends Extract<keyof Catalog, string>>(name: N, data: Catalog[N], options: JobsOptions = {}): Promise<void> {
    await this.queue.add(name, data, { ...DEFAULT_JOB_OPTIONS, ...options });
  }
}
