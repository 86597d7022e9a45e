import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { QueueOptions } from 'bullmq';
import Redis, { RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import type { QueueBackend } from '../infrastructure';
import { QUEUE_SCHEMA } from './queue-schema';

export function redisOptionsFromUrl(url: string): RedisOptions {
  const u = new URL(url);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number.isFinite(db) ? db : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

// Reconnect forever, backing off to 2 s, so a Redis that comes back is used again.
const retryStrategy = (times: number) => Math.min(times * 200, 2000);

/**
 * The connection settings for BullMQ and the one shared Redis client (rate limits, health).
 * On the PostgreSQL queue fallback there is no Redis client.
 */
@Injectable()
export class QueueConnection implements OnApplicationShutdown {
  readonly redis?: Redis;

  constructor(
    readonly backend: QueueBackend,
    readonly prefix: string,
  ) {
    if (backend.kind === 'redis') {
      this.redis = new Redis({
        ...redisOptionsFromUrl(backend.url),
        maxRetriesPerRequest: 1,
        connectTimeout: 3000,
        retryStrategy,
        lazyConnect: false,
        connectionName: `${prefix}:shared`,
      });
      // Errors surface on the commands that fail; an idle reconnect loop must not crash us.
      this.redis.on('error', () => undefined);
    }
  }

  static create(backend: QueueBackend, config: AppConfig): QueueConnection {
    return new QueueConnection(backend, config.QUEUE_PREFIX);
  }

  /** Options for BullMQ queues and workers. */
  bullOptions(): QueueOptions {
    if (this.backend.kind === 'postgres') {
      return { connection: { connectionString: this.backend.url, max: 4, schema: QUEUE_SCHEMA } };
    }
    return {
      prefix: this.prefix,
      connection: { ...redisOptionsFromUrl(this.backend.url), retryStrategy },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.redis) return;
    await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}
