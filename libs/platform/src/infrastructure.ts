import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import type { AppConfig } from './config/app-config';
import { EmbeddedPostgres } from './database/embedded-postgres';
import { RedisChild, redisAnswers, redisServerOnPath } from './queue/redis-child';

/** The injection token of the process's Infrastructure. */
export const INFRASTRUCTURE = Symbol('INFRASTRUCTURE');

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export type QueueBackend =
  | {
      kind: 'redis';
      url: string;
      source: 'REDIS_URL' | 'default port' | 'private redis-server';
      /** `url` is one node of a Redis Cluster (REDIS_CLUSTER=1). */
      cluster?: boolean;
    }
  | { kind: 'postgres'; url: string };

/**
 * The database and queue backend this process runs on, resolved before the application starts:
 * what the configuration names, or the embedded defaults. `stop()` ends whatever was started here.
 */
export interface Infrastructure {
  readonly databaseUrl: string;
  readonly embeddedDatabase: boolean;
  readonly queue: QueueBackend;
  stop(): Promise<void>;
}

export interface InfrastructureOptions {
  /** Keep the embedded database in memory instead of under DATA_DIR (tests). */
  inMemoryDatabase?: boolean;
  /** Never start a private redis-server (tests of the PostgreSQL queue fallback). */
  noRedisChild?: boolean;
  /** Skip probing the default Redis port. */
  noDefaultRedis?: boolean;
}

export async function startInfrastructure(config: AppConfig, options: InfrastructureOptions = {}): Promise<Infrastructure> {
  const logger = new Logger('Infrastructure');
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e: Error) => logger.warn(`stopping: ${e.message}`));
    stops.length = 0;
  };
  try {
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      const embedded = new EmbeddedPostgres(options.inMemoryDatabase ? 'memory' : config.dataDir);
      databaseUrl = await embedded.start();
      stops.push(() => embedded.stop());
    }

    let queue: QueueBackend;
    if (config.REDIS_URL) {
      queue = { kind: 'redis', url: config.REDIS_URL, source: 'REDIS_URL', cluster: config.REDIS_CLUSTER };
    } else if (!options.noDefaultRedis && (await redisAnswers(DEFAULT_REDIS_URL))) {
      queue = { kind: 'redis', url: DEFAULT_REDIS_URL, source: 'default port' };
    } else {
      const binary = options.noRedisChild ? undefined : redisServerOnPath();
      if (binary) {
        const child = new RedisChild(binary, join(config.dataDir, 'redis'));
        const url = await child.start();
        stops.push(() => child.stop());
        queue = { kind: 'redis', url, source: 'private redis-server' };
        logger.log(`no REDIS_URL and nothing on ${DEFAULT_REDIS_URL}: started a private redis-server on ${url}`);
      } else {
        queue = { kind: 'postgres', url: databaseUrl };
        logger.warn(
          'No Redis found (REDIS_URL unset, nothing on 127.0.0.1:6379, no redis-server on the PATH): ' +
            "jobs run on BullMQ's PostgreSQL backend, which picks jobs up more slowly. " +
            'Install Redis (apt-get install redis-server) or set REDIS_URL for production.',
        );
      }
    }
    if (queue.kind === 'redis') {
      logger.log(`job queue on Redis${queue.cluster ? ' Cluster' : ''} (${queue.source}), prefix "${config.QUEUE_PREFIX}"`);
    }
    return { databaseUrl, embeddedDatabase: !config.DATABASE_URL, queue, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
