import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { QueueOptions } from 'bullmq';
import Redis, { Cluster, RedisOptions } from 'ioredis';
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

/** The node options of a Redis Cluster's clients: what the URL gives, less the host, port and database. */
function clusterNodeOptions(url: string): RedisOptions {
  const { username, password, tls } = redisOptionsFromUrl(url);
  return { username, password, tls };
}

function clusterClient(url: string, redisOptions: RedisOptions): Cluster {
  const { host, port } = redisOptionsFromUrl(url);
  return new Cluster([{ host, port }], {
    redisOptions: { ...clusterNodeOptions(url), ...redisOptions },
    clusterRetryStrategy: retryStrategy,
    slotsRefreshTimeout: 3000,
  });
}

/**
 * The connection settings for BullMQ and the one shared Redis client (rate limits, login
 * counters, health), on one Redis or a Redis Cluster. On the PostgreSQL queue fallback there
 * is no Redis client.
 */
@Injectable()
export class QueueConnection implements OnApplicationShutdown {
  readonly redis?: Redis | Cluster;
  /** On a Redis Cluster, the client BullMQ's queues and workers share (each worker adds its own blocking one). */
  private bullCluster?: Cluster;

  constructor(
    readonly backend: QueueBackend,
    readonly prefix: string,
  ) {
    if (backend.kind === 'redis') {
      const options: RedisOptions = { maxRetriesPerRequest: 1, connectTimeout: 3000, connectionName: `${prefix}:shared` };
      this.redis = backend.cluster
        ? clusterClient(backend.url, options)
        : new Redis({ ...redisOptionsFromUrl(backend.url), ...options, retryStrategy, lazyConnect: false });
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
    if (this.backend.cluster) {
      if (!this.bullCluster) {
        this.bullCluster = clusterClient(this.backend.url, { maxRetriesPerRequest: null, connectTimeout: 3000 });
        this.bullCluster.on('error', () => undefined);
      }
      return { prefix: this.prefix, connection: this.bullCluster };
    }
    return {
      prefix: this.prefix,
      connection: { ...redisOptionsFromUrl(this.backend.url), retryStrategy },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    for (const client of [this.bullCluster, this.redis]) {
      if (client) await client.quit().catch(() => client.disconnect());
    }
  }
}
