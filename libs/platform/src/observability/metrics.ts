import { Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** One sample of a gauge read at scrape time. */
export interface GaugeSample {
  labels: Record<string, string>;
  value: number;
}

/** A queue whose jobs are counted by state at each scrape (a BullMQ queue). */
export interface CountedQueue {
  name: string;
  getJobCounts(...states: string[]): Promise<Record<string, number>>;
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'paused', 'prioritized', 'waiting-children'];

/**
 * The service's Prometheus metrics, in a registry of its own: the process (CPU, memory, event
 * loop, handles), HTTP requests by route template and status, jobs by queue and outcome, queue
 * depth, and gauges the libs read from the database at each scrape (cycle step runs by state,
 * webhook deliveries by state).
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status, with their duration',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'queue_job_duration_seconds',
    help: 'Jobs processed by queue, job name and outcome (completed, failed), with their duration',
    labelNames: ['queue', 'name', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts each queue's jobs by state (`queue_jobs{queue,state}`) at every scrape. */
  countQueues(queues: readonly CountedQueue[]): void {
    this.gauge('queue_jobs', 'Jobs in each queue by state (waiting, active, delayed, failed…)', ['queue', 'state'], async () => {
      const samples: GaugeSample[] = [];
      for (const q of queues) {
        const counts = await q.getJobCounts(...QUEUE_STATES);
        for (const state of QUEUE_STATES) samples.push({ labels: { queue: q.name, state }, value: counts[state] ?? 0 });
      }
      return samples;
    });
  }

  /**
   * A gauge read when Prometheus scrapes. A read that fails (the database away) leaves the gauge
   * without samples for that scrape rather than failing the whole answer.
   */
  gauge(name: string, help: string, labelNames: string[], read: () => Promise<GaugeSample[]>): void {
    if (this.registry.getSingleMetric(name)) return;
    const logger = this.logger;
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const s of await read()) this.set(s.labels, s.value);
        } catch (e) {
          logger.warn(`${name}: ${(e as Error).message}`);
        }
      },
    });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
