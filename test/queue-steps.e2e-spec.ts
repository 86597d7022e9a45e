import { Logger } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { createPostgresBackend, Queue, runMigrations, setDefaultBackendFactory, type QueueOptions } from 'bullmq';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig, InfrastructureOptions, JobHandlers, JobWorkerHost, loadConfig, QUEUE_SCHEMA, QueueConnection } from '@app/platform';
import { CYCLES_QUEUE, defaultCalendar, periodAt, periodBounds, shiftPeriod, STEPS } from '@app/cycles';
import { createTestDatabase, TestDatabase } from './support/database';
import { startTestApp } from './support/test-app';

const ZONE = 'Asia/Shanghai';
const NO_REDIS: InfrastructureOptions = { noDefaultRedis: true, noRedisChild: true };

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The worker on each queue backend the service can pick: it registers the cycle's job
 * schedulers and runs the steps that are due. 中厂镇's calendar is made to start two months
 * ago before the worker starts, so the dispatch of each of those months is due at its start.
 */
describe.each([
  { backend: 'Redis', kinds: ['REDIS_URL', 'default port'], embedded: false, infrastructure: {} },
  { backend: 'a private redis-server', kinds: ['private redis-server'], embedded: false, infrastructure: { noDefaultRedis: true } },
  { backend: 'BullMQ on PostgreSQL', kinds: ['postgres'], embedded: false, infrastructure: NO_REDIS },
  { backend: 'BullMQ on the embedded PostgreSQL (PGlite)', kinds: ['postgres'], embedded: true, infrastructure: NO_REDIS },
])('due steps on $backend', ({ kinds, embedded, infrastructure }) => {
  let db: TestDatabase;
  const current = periodAt(new Date(), ZONE);
  const past = [shiftPeriod(current, -2), shiftPeriod(current, -1)];
  // Without REDIS_URL the backend is looked for as `npm start` does.
  const env: Record<string, string> = infrastructure === NO_REDIS || 'noDefaultRedis' in infrastructure ? { REDIS_URL: '' } : {};

  beforeAll(async () => {
    db = await createTestDatabase({ forceEmbedded: embedded });
    const t = await startTestApp({ database: db, env, infrastructure });
    try {
      const sql = t.app.get(DataSource);
      const [{ id }] = await sql.query(`SELECT id FROM org_unit WHERE name = '中厂镇'`);
      await sql.query(
        `INSERT INTO cycle_calendar (unit_id, config, starts_at, version, updated_at) VALUES ($1, $2, $3, 1, now())
         ON CONFLICT (unit_id) DO UPDATE SET starts_at = $3`,
        [id, JSON.stringify(defaultCalendar(ZONE)), periodBounds(past[0], ZONE).start],
      );
    } finally {
      await t.close({ keepDatabase: true });
    }
  }, 180_000);
  afterAll(() => db.drop());

  it('registers the schedulers and runs the due dispatch of each month', async () => {
    const t = await startTestApp({ database: db, env, infrastructure, worker: true });
    try {
      const { queue } = t.infrastructure;
      expect(kinds).toContain(queue.kind === 'redis' ? queue.source : queue.kind);
      const cycles = t.app.get<Queue>(getQueueToken(CYCLES_QUEUE));
      await until('the job schedulers', async () => (await cycles.getJobSchedulersCount()) === STEPS.length + 3);
      const schedulers = await cycles.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual([...STEPS.map((s) => `tick-${s}`), 'tick-events', 'sweep', 'audit'].sort());
      expect(schedulers.every((s) => Number(s.next) > Date.now() - 60_000)).toBe(true);
      const sql = t.app.get(DataSource);
      const dispatched = async () =>
        await sql.query<Array<{ period: string }>>(
          `SELECT r.period FROM cycle_run r JOIN org_unit u ON u.id = r.unit_id
            WHERE u.name = '中厂镇' AND r.key = 'step:dispatch' AND r.state = 'done' AND r.trigger = 'schedule' AND r.period = ANY($1)
            ORDER BY r.period`,
          [past],
        );
      await until('the scheduled dispatch of both months', async () => (await dispatched()).length === 2);
      expect((await dispatched()).map((r) => r.period)).toEqual(past);
    } finally {
      await t.close({ keepDatabase: true });
    }
  }, 180_000);
});

/** A queue whose functions cannot be found, as on PGlite before its schema was on the path. */
describe('a worker whose queue keeps failing', () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    const client = new Client({ connectionString: db.url });
    await client.connect();
    await runMigrations(client, QUEUE_SCHEMA);
    await client.end();
    // A pool of its own does not get the queue's schema on its search_path.
    pool = new Pool({ connectionString: db.url, max: 4 });
    setDefaultBackendFactory(createPostgresBackend);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  class Unreachable extends QueueConnection {
    override bullOptions(): QueueOptions {
      return { connection: pool };
    }
  }
  class Host extends JobWorkerHost<{ noop: Record<string, never> }> {
    protected readonly queueName = 'unreachable';
    protected readonly handlers: JobHandlers<{ noop: Record<string, never> }> = { noop: async () => undefined };
    errors = 0;
    override onApplicationBootstrap(): void {
      super.onApplicationBootstrap();
      this.worker!.on('error', () => (this.errors += 1));
    }
  }

  it('backs off instead of asking again at once, and logs once per pause', async () => {
    const config: AppConfig = loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent', CONFIG_DIR: '/nonexistent' });
    const host = new Host(new Unreachable({ kind: 'postgres', url: db.url }, 'rt'), config);
    const lines: string[] = [];
    Logger.overrideLogger({ log: () => undefined, error: () => undefined, warn: (m: string) => lines.push(m) });
    host.onApplicationBootstrap();
    try {
      await new Promise((r) => setTimeout(r, 3500));
    } finally {
      await host.beforeApplicationShutdown();
      Logger.overrideLogger(false);
    }
    expect(lines[0]).toMatch(/worker error: .*does not exist.*; fetching again in 1 s/);
    // Pauses of 1 s and 2 s: a third line at most in 3.5 s, where BullMQ alone asked hundreds of times a second.
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(host.errors).toBeLessThan(30);
  });
});
