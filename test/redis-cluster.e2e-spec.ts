import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CYCLES_QUEUE, periodAt, shiftPeriod, STEPS } from '@app/cycles';
import { DEFAULT_JOB_OPTIONS } from '@app/platform';
import { bearer } from './support/fixtures';
import { RedisCluster, startRedisCluster } from './support/redis-cluster';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The service on a Redis Cluster of three masters (REDIS_CLUSTER=1 and a hash-tagged
 * QUEUE_PREFIX), as two instances of the application (API and worker each) on one database: the
 * queue takes and runs the month's steps exactly once, and the rate limits and login counters
 * are counted in the cluster, shared by both.
 */
describe('on a Redis Cluster', () => {
  const prefix = `{rt-test-${randomBytes(4).toString('hex')}}`;
  let cluster: RedisCluster;
  let a: TestApp;
  let b: TestApp;
  const env = () => ({
    REDIS_URL: cluster.url,
    REDIS_CLUSTER: '1',
    QUEUE_PREFIX: prefix,
    RATE_LIMIT_READS: '6',
    LOGIN_MAX_FAILURES: '3',
  });
  const sql = <T>(text: string, params: unknown[] = []) => a.app.get(DataSource).query<T[]>(text, params);

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    a = await startTestApp({ worker: true, env: env() });
    b = await startTestApp({ worker: true, env: env(), database: a.database });
  }, 90_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await cluster?.stop();
  });

  it('joins the cluster and says so on the readiness probe', async () => {
    expect(a.infrastructure.queue).toMatchObject({ kind: 'redis', cluster: true, url: cluster.url });
    const ready = await b.http().get('/api/v1/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ queueBackend: 'redis', checks: { database: 'up', queue: 'up' } });
  });

  it('runs each of the month’s steps exactly once, however often its job arrives', async () => {
    const queue = a.app.get<Queue>(getQueueToken(CYCLES_QUEUE), { strict: false });
    const period = shiftPeriod(periodAt(new Date(), 'Asia/Shanghai'), -1);
    const [town] = await sql<{ id: string }>(`SELECT id FROM org_unit WHERE name = '中厂镇'`);
    // BullMQ delivers at least once: each run arrives three times under different ids.
    for (let copy = 0; copy < 3; copy++) {
      for (const step of STEPS) {
        await queue.add(
          'run',
          { unitId: town.id, period, key: `step:${step}` },
          { ...DEFAULT_JOB_OPTIONS, jobId: `test-run|${period}|${step}|${copy}` },
        );
      }
    }
    const done = () =>
      sql<{ key: string; attempts: number }>(
        `SELECT key, attempts FROM cycle_run WHERE unit_id = $1 AND period = $2 AND state = 'done' ORDER BY key`,
        [town.id, period],
      );
    const deadline = Date.now() + 90_000;
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'active', 'prioritized', 'failed');
      const ours = (await queue.getJobs(['completed'], 0, -1)).filter((j) => j.id?.startsWith('test-run|'));
      if ((await done()).length === STEPS.length && ours.length === 3 * STEPS.length && counts.active === 0) break;
      if (Date.now() > deadline) throw new Error(`steps not done: ${JSON.stringify({ counts, done: await done() })}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect((await done()).map((r) => r.key).sort()).toEqual(STEPS.map((s) => `step:${s}`).sort());
    expect(await queue.getJobCounts('failed')).toEqual({ failed: 0 });

    const [{ teams }] = await sql<{ teams: number }>(
      `SELECT count(*)::int AS teams FROM org_unit WHERE parent_id = $1 AND kind IN ('village', 'office')`,
      [town.id],
    );
    const perKind = await sql<{ kind: string; n: number }>(
      `SELECT kind, count(*)::int AS n FROM cycle_output WHERE unit_id = $1 AND period = $2 GROUP BY kind ORDER BY kind`,
      [town.id, period],
    );
    expect(perKind).toEqual([
      { kind: 'bulletin', n: 1 },
      { kind: 'evaluation_list', n: 1 },
      { kind: 'progress_list', n: 1 },
      { kind: 'rectification_list', n: 1 },
      { kind: 'self_check_report', n: teams },
    ]);
    const [ranks] = await sql<{ n: number; teams: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT unit_id)::int AS teams FROM ranking WHERE township_id = $1 AND period = $2`,
      [town.id, period],
    );
    expect(ranks).toEqual({ n: teams, teams });
    // Every key of the queue sits on one node: the prefix's hash tag puts them in one slot.
    const nodes = [...(await cluster.keysByNode(`${prefix}:*`)).values()].filter((keys) => keys.length);
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toEqual(expect.arrayContaining([`${prefix}:cycles:meta`]));
  }, 120_000);

  it('counts a user’s reads across both processes, in the cluster', async () => {
    const token = await a.login('zc_team1');
    const statuses: number[] = [];
    for (const t of [a, b, a, b, a, b, a, b]) statuses.push((await t.http().get('/api/v1/auth/me').set(bearer(token))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    const keys = [...(await cluster.keysByNode(`${prefix}:rate:read:*`)).values()].flat();
    expect(keys).toHaveLength(1);
  });

  it('locks a username after failed sign-ins on either process, in the cluster', async () => {
    const wrong = (t: TestApp) => t.http().post('/api/v1/auth/login').send({ username: 'zc_team2', password: 'not-the-password' });
    expect([(await wrong(a)).status, (await wrong(b)).status, (await wrong(a)).status]).toEqual([401, 401, 401]);
    const locked = await b.http().post('/api/v1/auth/login').send({ username: 'zc_team2', password: 'Demo@2026' });
    expect(locked.status).toBe(429);
    expect(locked.body.message).toMatch(/Too many failed sign-ins/);
    expect([...(await cluster.keysByNode(`${prefix}:login-fail-user:*`)).values()].flat()).toEqual([`${prefix}:login-fail-user:zc_team2`]);
    // Another user signs in on the same address.
    expect((await a.http().post('/api/v1/auth/login').send({ username: 'zc_leader', password: 'Demo@2026' })).status).toBe(200);
  });
});
