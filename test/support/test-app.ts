import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import {
  AppConfig,
  Clock,
  createRootLogger,
  Infrastructure,
  InfrastructureOptions,
  loadConfig,
  PinoNestLogger,
  QueueBackend,
  startInfrastructure,
} from '@app/platform';
import { DEMO_PASSWORD } from '@app/org';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { createTestDatabase, TestDatabase } from './database';
import { removeQueueKeys } from './redis-keys';

export interface TestAppOptions {
  /** Settings as environment variables would give them. */
  env?: Record<string, string>;
  clock?: Clock;
  worker?: boolean;
  /** Use an in-memory embedded database even when a real server answers. */
  forceEmbedded?: boolean;
  /** Reuse a database (and keep it) instead of creating one. */
  database?: TestDatabase;
  queue?: QueueBackend;
  /** How the queue backend is looked for (no default Redis port, no private redis-server). */
  infrastructure?: InfrastructureOptions;
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  infrastructure: Infrastructure;
  database: TestDatabase;
  http(): TestAgent;
  /** A bearer token for a user (demo users share the demo password). */
  login(username: string, password?: string): Promise<string>;
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

/**
 * The whole application on its own database and queue prefix, with the demo data, ready for
 * supertest. Nothing is shared between test files.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase({ forceEmbedded: options.forceEmbedded }));
  const dataDir = mkdtempSync(join(tmpdir(), 'rt-test-'));
  const config = loadConfig({
    DATABASE_URL: database.url,
    QUEUE_PREFIX: `rt-test-${randomBytes(4).toString('hex')}`,
    ADMIN_PASSWORD: 'admin-password',
    DATA_DIR: dataDir,
    CONFIG_DIR: join(dataDir, 'config'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LOGIN_MAX_FAILURES: '5',
    // Tests make requests much faster than people; the rate-limit tests set their own budgets.
    RATE_LIMIT_READS: '1000000',
    RATE_LIMIT_WRITES: '1000000',
    RATE_LIMIT_UPLOADS: '1000000',
    RATE_LIMIT_PER_ADDRESS: '10000000',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...options.env,
  });
  const logger = createRootLogger(config.LOG_LEVEL);
  Logger.overrideLogger(new PinoNestLogger(logger));
  const started = await startInfrastructure(config, options.infrastructure);
  const infrastructure: Infrastructure = options.queue ? { ...started, queue: options.queue } : started;
  let app: NestFastifyApplication;
  try {
    app = await createApiApp({ config, logger, infrastructure, clock: options.clock }, options.worker ? [WorkerModule] : []);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  } catch (e) {
    await infrastructure.stop();
    if (!options.database) await database.drop();
    throw e;
  }
  const http = () => request(app.getHttpServer());
  return {
    app,
    config,
    infrastructure,
    database,
    http,
    async login(username, password) {
      const res = await http()
        .post('/api/v1/auth/login')
        .send({ username, password: password ?? (username === 'admin' ? 'admin-password' : DEMO_PASSWORD) });
      if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.accessToken as string;
    },
    async close(closeOptions = {}) {
      await app.close();
      await infrastructure.stop();
      // The Redis the queue used (a private redis-server went with the infrastructure; a test's
      // Redis Cluster goes with the test).
      const { queue } = infrastructure;
      if (queue.kind === 'redis' && queue.source !== 'private redis-server' && !queue.cluster) {
        await removeQueueKeys(config.QUEUE_PREFIX, queue.url);
      }
      if (!closeOptions.keepDatabase && !options.database) await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
