import { Logger } from '@nestjs/common';
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { loadConfig, startInfrastructure } from '@app/platform';
import { createTestDatabase, TestDatabase } from './support/database';
import { startTestApp } from './support/test-app';

/** Without REDIS_URL: the default port, else a private redis-server, else PostgreSQL. */
describe('queue backend resolution', () => {
  let db: TestDatabase;
  const dataDir = mkdtempSync(join(tmpdir(), 'rt-queue-'));
  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const config = () => loadConfig({ DATABASE_URL: db.url, DATA_DIR: dataDir, CONFIG_DIR: join(dataDir, 'none'), LOG_LEVEL: 'silent' });

  it('starts a private redis-server when nothing answers, and stops it with the service', async () => {
    const infra = await startInfrastructure(config(), { noDefaultRedis: true });
    expect(infra.queue).toMatchObject({ kind: 'redis', source: 'private redis-server' });
    const url = infra.queue.kind === 'redis' ? infra.queue.url : '';
    const port = new URL(url).port;
    const client = new Redis(url, { maxRetriesPerRequest: 0 });
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    await infra.stop();
    const left = execSync(`pgrep -f "redis-server [1]27.0.0.1:${port}" || true`).toString().trim();
    expect(left).toBe('');
  });

  it('falls back to BullMQ on PostgreSQL when there is no Redis at all', async () => {
    const t = await startTestApp({ database: db, env: { REDIS_URL: '' }, queue: { kind: 'postgres', url: db.url } });
    try {
      const ready = await t.http().get('/api/v1/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ queueBackend: 'postgres', checks: { database: 'up', queue: 'up' } });
      expect((await t.http().post('/api/v1/auth/login').send({ username: 'zc_team1', password: 'Demo@2026' })).status).toBe(200);
      // The queues are counted and shown on this backend too.
      const metrics = await t.http().get('/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/^queue_jobs\{queue="notifications",state="waiting"\} \d+$/m);
      const board = await t
        .http()
        .get('/admin/queues/api/queues')
        .set('authorization', `Bearer ${await t.login('admin')}`);
      expect(board.status).toBe(200);
      expect((board.body.queues as Array<{ name: string }>).map((q) => q.name).sort()).toEqual(['cycles', 'notifications']);
    } finally {
      await t.close({ keepDatabase: true });
    }
  });
});
