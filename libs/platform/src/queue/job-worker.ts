import { BeforeApplicationShutdown, Inject, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { hostname } from 'node:os';
import { AppConfig } from '../config/app-config';
import { DomainError } from '../errors/domain-error';
import { Metrics } from '../observability/metrics';
import { ErrorBackoff } from './error-backoff';
import { QueueConnection } from './queue-connection';

export type JobHandlers<Catalog> = { [N in keyof Catalog]: (data: Catalog[N], job: Job) => Promise<unknown> };

/**
 * A BullMQ worker for one queue, whose handlers are typed by the queue's job catalog: a job
 * without a handler does not compile. Domain errors are not retried. The worker starts with the
 * application (worker role only) and, on shutdown, finishes its active jobs before the
 * database closes.
 */
export abstract class JobWorkerHost<Catalog extends object> implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected abstract readonly queueName: string;
  protected abstract readonly handlers: JobHandlers<Catalog>;
  protected readonly logger = new Logger(this.constructor.name);
  protected worker?: Worker;
  private backoff?: ErrorBackoff;
  @Optional() @Inject(Metrics) private readonly metrics?: Metrics;

  constructor(
    private readonly connection: QueueConnection,
    private readonly appConfig: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const lockDuration = this.appConfig.durationMs('JOB_LOCK_DURATION');
    this.worker = new Worker(this.queueName, (job) => this.dispatch(job), {
      ...this.connection.bullOptions(),
      // Recorded on each job it takes (processedBy), so one can tell which process ran what.
      name: `${hostname()}:${process.pid}`,
      concurrency: this.appConfig.WORKER_CONCURRENCY,
      lockDuration,
      stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
      maxStalledCount: 3,
    });
    const worker = this.worker;
    // BullMQ fetches again at once after an error that is not a lost connection; without a pause a
    // queue that cannot answer would be asked hundreds of times a second.
    this.backoff = new ErrorBackoff({
      pause: () => worker.pause(true),
      resume: () => worker.resume(),
      log: (message) => this.logger.warn(message),
    });
    this.worker.on('error', (e: Error) => this.backoff?.error(e));
    this.worker.on('failed', (job, e: Error) => {
      this.logger.warn(`${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${e.message}`);
      if (job) this.observe(job, 'failed');
    });
    this.worker.on('completed', (job) => {
      this.backoff?.succeeded();
      this.observe(job, 'completed');
    });
  }

  /** The job's time in its handler, by queue, name and outcome. */
  private observe(job: Job, outcome: 'completed' | 'failed'): void {
    if (!this.metrics || !job.processedOn) return;
    const seconds = Math.max(0, ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000);
    this.metrics.jobDuration.observe({ queue: this.queueName, name: job.name, outcome }, seconds);
  }

  private async dispatch(job: Job): Promise<unknown> {
    const handler = (this.handlers as Record<string, (data: unknown, job: Job) => Promise<unknown>>)[job.name];
    if (!handler) throw new UnrecoverableError(`no handler for job ${job.name} on queue ${this.queueName}`);
    try {
      return await handler(job.data, job);
    } catch (e) {
      if (e instanceof DomainError) throw new UnrecoverableError(e.message);
      throw e;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.backoff?.stop();
    await this.worker?.close();
  }
}
