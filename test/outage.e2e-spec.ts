import { createTestDatabase, TestDatabase } from './support/database';
import { TcpProxy } from './support/tcp-proxy';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The database and Redis reached through proxies that the test cuts: requests get 503 while a
 * service is away, the process keeps running, and everything recovers when it returns.
 */
describe('outages', () => {
  let db: TestDatabase;
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url);
    pgProxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
    const proxied = new URL(db.url);
    proxied.port = String(pgProxy.port);
    const redisTarget = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    redisProxy = await new TcpProxy(redisTarget.hostname, Number(redisTarget.port || 6379)).start();
    t = await startTestApp({
      database: { ...db, url: proxied.toString() },
      env: { REDIS_URL: `redis://127.0.0.1:${redisProxy.port}` },
    });
    token = await t.login('zc_leader');
  });
  afterAll(async () => {
    await t.close();
    await pgProxy.stop();
    await redisProxy.stop();
    await db.drop();
  });

  const list = () => t.http().get('/api/v1/org-units').set('authorization', `Bearer ${token}`);

  async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('did not recover in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('answers 503 while the database is away and recovers when it returns', async () => {
    expect((await list()).status).toBe(200);
    pgProxy.cut();
    const down = await list();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/database/i) });
    expect(down.headers['retry-after']).toBeDefined();
    const ready = await t.http().get('/api/v1/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.details.checks).toMatchObject({ database: 'down', queue: 'up' });
    expect((await t.http().get('/api/v1/health')).status).toBe(200);

    pgProxy.restore();
    await eventually(async () => (await list()).status === 200);
    expect((await t.http().get('/api/v1/health/ready')).status).toBe(200);
  }, 30_000);

  it('reports Redis down on readiness, keeps serving, and recovers', async () => {
    redisProxy.cut();
    await eventually(async () => (await t.http().get('/api/v1/health/ready')).status === 503);
    const ready = await t.http().get('/api/v1/health/ready');
    expect(ready.body.details.checks).toMatchObject({ database: 'up', queue: 'down' });
    // Sign-in still works: failed-login counting falls back to memory while Redis is away.
    expect((await t.http().post('/api/v1/auth/login').send({ username: 'zc_team1', password: 'Demo@2026' })).status).toBe(200);
    expect((await list()).status).toBe(200);
    redisProxy.restore();
    await eventually(async () => (await t.http().get('/api/v1/health/ready')).status === 200);
  }, 30_000);
});
