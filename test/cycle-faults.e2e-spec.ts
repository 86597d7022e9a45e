import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DEFAULT_JOB_OPTIONS, QueueConnection } from '@app/platform';
import { defaultCalendar, STEPS } from '../libs/cycles/src/calendar/calendar-config';
import { periodAt, periodBounds, shiftPeriod } from '../libs/cycles/src/calendar/period';
import { occurrences } from '../libs/cycles/src/calendar/schedule';
import { WorkingDays } from '../libs/cycles/src/calendar/working-days';
import { RedisChild, redisServerOnPath } from '../libs/platform/src/queue/redis-child';
import { createTestDatabase, TestDatabase } from './support/database';
import { ServiceProcess } from './support/service-process';

const ROOT = join(__dirname, '..');
const ZONE = 'Asia/Shanghai';
const wd = WorkingDays.load('/nonexistent');

/**
 * The cycle engine as it runs in production: worker processes built in dist/, on one
 * PostgreSQL and a Redis of this file's own (a private redis-server, so it can be emptied).
 * Two workers (one with TZ=UTC, one with TZ=Asia/Shanghai) share the work; one is killed in
 * the middle of a step; Redis loses everything.
 */
describe('the cycle engine under faults', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rt-faults-'));
  const prefix = `rt-faults-${randomBytes(4).toString('hex')}`;
  const workers: ServiceProcess[] = [];
  let db: TestDatabase;
  let redis: RedisChild;
  let redisUrl: string;
  let pg: Client;
  let queue: Queue;
  let connection: QueueConnection;
  // The two whole months before this one: every step of them is due, whatever today is.
  const current = periodAt(new Date(), ZONE);
  const past = [shiftPeriod(current, -2), shiftPeriod(current, -1)];

  const sql = async <T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> =>
    (await pg.query(text, params)).rows as T[];

  const worker = (env: Record<string, string> = {}): ServiceProcess => {
    const w = new ServiceProcess(
      [],
      {
        DATABASE_URL: db.url,
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: prefix,
        DATA_DIR: dataDir,
        CONFIG_DIR: join(dataDir, 'config'),
        ADMIN_PASSWORD: 'admin-password',
        LOG_LEVEL: 'info',
        // A killed worker's job is taken over after this.
        JOB_LOCK_DURATION: '2s',
        TZ: 'UTC',
        ...env,
      },
      'dist/apps/worker/src/main.js',
    );
    workers.push(w);
    return w;
  };

  const started = async (w: ServiceProcess) => {
    await w.waitFor(/worker started/);
    // The schedulers are registered just after the start.
    const deadline = Date.now() + 60_000;
    while ((await queue.getJobSchedulersCount()) < STEPS.length + 3) {
      if (w.child.exitCode !== null) throw new Error(`the worker exited:\n${w.output}`);
      if (Date.now() > deadline) throw new Error(`the worker did not start:\n${w.output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${workers.map((w) => w.output).join('\n---\n')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const township = async (name: string) => (await sql<{ id: string }>(`SELECT id FROM org_unit WHERE name = $1`, [name]))[0].id;
  const teams = async (id: string) =>
    (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM org_unit WHERE parent_id = $1 AND kind IN ('village', 'office')`, [id]))[0].n;
  const missingNotices = async (id: string, period: string) =>
    (
      await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM notification
          WHERE kind = 'self_check_missing' AND dedupe_key LIKE $2
            AND (unit_id = $1 OR unit_id IN (SELECT id FROM org_unit WHERE parent_id = $1))`,
        [id, `self-check-missing:%:${period}`],
      )
    )[0].n;
  /** Gives a township a stored calendar that started two months ago, so those months are due. */
  const startTwoMonthsAgo = async (id: string) => {
    await sql(
      `INSERT INTO cycle_calendar (unit_id, config, starts_at, version, updated_at) VALUES ($1, $2, $3, 1, now())
       ON CONFLICT (unit_id) DO UPDATE SET starts_at = $3`,
      [id, JSON.stringify(defaultCalendar(ZONE)), periodBounds(past[0], ZONE).start],
    );
  };
  const doneSteps = async (id: string) =>
    sql<{ period: string; key: string; due_at: Date; attempts: number; id: string }>(
      `SELECT id, period, key, due_at, attempts FROM cycle_run WHERE unit_id = $1 AND period = ANY($2) AND state = 'done' ORDER BY period, key`,
      [id, past],
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    const binary = redisServerOnPath();
    if (!binary) throw new Error('these tests need redis-server on the PATH');
    redis = new RedisChild(binary, join(dataDir, 'redis'));
    redisUrl = await redis.start();
    connection = new QueueConnection({ kind: 'redis', url: redisUrl, source: 'REDIS_URL' }, prefix);
    queue = new Queue('cycles', connection.bullOptions());
  });

  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop()));
  });

  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await queue?.close();
    await connection?.onApplicationShutdown();
    await pg?.end();
    await redis?.stop();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs every due step exactly once with two workers, one in UTC and one in Asia/Shanghai', async () => {
    const a = worker({ TZ: 'UTC' });
    const b = worker({ TZ: 'Asia/Shanghai' });
    await started(a);
    await started(b);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    await until('the demo data', async () => (await sql(`SELECT 1 FROM org_unit WHERE name = '椿木营乡'`)).length > 0);
    const towns = [await township('中厂镇'), await township('椿木营乡')];
    for (const id of towns) await startTwoMonthsAgo(id);

    // BullMQ delivers at least once: each tick, and each run, arrives three times under different ids.
    for (let copy = 0; copy < 3; copy++) {
      for (const what of [...STEPS, 'events'])
        await queue.add('tick', { what }, { ...DEFAULT_JOB_OPTIONS, jobId: `test-tick|${what}|${copy}` });
      for (const id of towns)
        for (const period of past)
          for (const step of STEPS)
            await queue.add(
              'run',
              { unitId: id, period, key: `step:${step}` },
              { ...DEFAULT_JOB_OPTIONS, jobId: `test-run|${id}|${period}|${step}|${copy}` },
            );
    }
    await until('every step of the two months', async () => {
      const counts = await Promise.all(towns.map(doneSteps));
      return counts.every((c) => c.length === past.length * STEPS.length);
    });
    // Only the schedulers' next ticks stay behind, delayed.
    await until('the queue to drain', async () => {
      const c = await queue.getJobCounts('waiting', 'active', 'prioritized', 'failed');
      return c.waiting + c.active + c.prioritized === 0;
    });
    expect(await queue.getJobCounts('failed', 'delayed')).toEqual({ failed: 0, delayed: STEPS.length + 3 });

    for (const id of towns) {
      const runs = await doneSteps(id);
      // Due when the calendar says, in Shanghai, whichever zone the worker ran in.
      const expected = past.flatMap((p) =>
        occurrences(defaultCalendar(ZONE), p, wd)
          .filter((o) => o.kind === 'step')
          .map((o) => [p, o.key, o.dueAt.toISOString()]),
      );
      expect(runs.map((r) => [r.period, r.key, new Date(r.due_at).toISOString()]).sort()).toEqual(expected.sort());
      // No step's outputs or notices were written twice.
      const n = await teams(id);
      for (const period of past) {
        const reports = await sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM cycle_output WHERE unit_id = $1 AND period = $2 AND kind = 'self_check_report'`,
          [id, period],
        );
        expect(reports[0].n).toBe(n);
        const perKind = await sql<{ kind: string; n: number }>(
          `SELECT kind, count(*)::int AS n FROM cycle_output WHERE unit_id = $1 AND period = $2 AND kind <> 'self_check_report' GROUP BY kind ORDER BY kind`,
          [id, period],
        );
        expect(perKind).toEqual([
          { kind: 'bulletin', n: 1 },
          { kind: 'evaluation_list', n: 1 },
          { kind: 'progress_list', n: 1 },
          { kind: 'rectification_list', n: 1 },
        ]);
        // Every team missed its self-check: one notice to each, and one to the township's leaders.
        expect(await missingNotices(id, period)).toBe(n + 1);
        // The month's ranking: each team once.
        const ranks = await sql<{ n: number; teams: number }>(
          `SELECT count(*)::int AS n, count(DISTINCT unit_id)::int AS teams FROM ranking WHERE township_id = $1 AND period = $2`,
          [id, period],
        );
        expect(ranks[0]).toEqual({ n, teams: n });
      }
    }
    // Both processes took jobs, and the jobs the engine enqueued itself are kept only by count and age.
    const completed = await queue.getJobs(['completed'], 0, -1);
    expect(new Set(completed.filter((j) => j.name === 'run').map((j) => j.processedBy)).size).toBe(2);
    const own = completed.filter((j) => !j.id?.startsWith('test-'));
    expect(own.filter((j) => j.name === 'run').length).toBeGreaterThan(0);
    for (const j of own) {
      expect(j.opts.removeOnComplete).toEqual({ age: expect.any(Number), count: expect.any(Number) });
      expect(j.opts.removeOnFail).toEqual({ age: expect.any(Number), count: expect.any(Number) });
    }
  }, 120_000);

  it('completes a step after its worker is killed in the middle of it, with no duplicate outputs', async () => {
    const id = await township('中厂镇');
    const period = shiftPeriod(past[0], -3); // before the calendar's start: only this job runs it
    const slow = worker({ CYCLE_STEP_PAUSE_MS: '60000', WORKER_CONCURRENCY: '1' });
    await started(slow);
    await queue.add('run', { unitId: id, period, key: 'step:self_check' }, { jobId: `test-kill|${period}` });
    await slow.waitFor(new RegExp(`self_check of 中厂镇 ${period} written, pausing`));
    slow.child.kill('SIGKILL');
    await slow.exited;

    // Its transaction died with it: the run shows as running, and nothing it wrote is kept.
    const [killed] = await sql<{ id: string; state: string; attempts: number }>(
      `SELECT id, state, attempts FROM cycle_run WHERE unit_id = $1 AND period = $2 AND key = 'step:self_check'`,
      [id, period],
    );
    expect(killed).toMatchObject({ state: 'running', attempts: 1 });
    expect((await sql(`SELECT 1 FROM cycle_output WHERE run_id = $1`, [killed.id])).length).toBe(0);

    const restarted = worker();
    await until(
      'the killed step to complete',
      async () => (await sql(`SELECT 1 FROM cycle_run WHERE id = $1 AND state = 'done'`, [killed.id])).length === 1,
    );
    const [run] = await sql<{ attempts: number }>(`SELECT attempts FROM cycle_run WHERE id = $1`, [killed.id]);
    expect(run.attempts).toBe(2);
    const n = await teams(id);
    const outputs = await sql<{ subject: string; n: number }>(
      `SELECT subject_unit_id AS subject, count(*)::int AS n FROM cycle_output WHERE run_id = $1 GROUP BY subject_unit_id`,
      [killed.id],
    );
    expect(outputs).toHaveLength(n);
    expect(outputs.every((o) => o.n === 1)).toBe(true);
    expect(await missingNotices(id, period)).toBe(n + 1);
    expect(restarted.child.exitCode).toBeNull();
  }, 120_000);

  it('re-registers the schedulers when Redis lost everything, and catches up the steps missed meanwhile', async () => {
    const flush = new Redis(redisUrl);
    await flush.flushdb();
    expect(await flush.dbsize()).toBe(0);
    await flush.quit();
    // While no worker ran, 诗礼乡's calendar came to cover the last two months.
    const id = await township('诗礼乡');
    await startTwoMonthsAgo(id);
    expect(await doneSteps(id)).toEqual([]);

    const w = worker({ TZ: 'Asia/Shanghai' });
    await started(w);
    const schedulers = await queue.getJobSchedulers(0, -1);
    expect(schedulers.map((s) => s.key).sort()).toEqual([...STEPS.map((s) => `tick-${s}`), 'sweep', 'audit', 'tick-events'].sort());
    for (const s of schedulers) {
      expect(s.tz).toBe(ZONE);
      expect(s.pattern).toMatch(/^(\S+\s+){4}\S+$/);
      expect(s.template?.opts).toMatchObject({
        removeOnComplete: { age: expect.any(Number), count: expect.any(Number) },
        removeOnFail: { age: expect.any(Number), count: expect.any(Number) },
      });
    }
    await until('the missed steps', async () => (await doneSteps(id)).length === past.length * STEPS.length);
    expect((await doneSteps(id)).every((r) => r.attempts === 1)).toBe(true);
    expect(w.child.exitCode).toBeNull();
  }, 120_000);

  it('puts month ends, February and the 31st in Asia/Shanghai the same under TZ=UTC and TZ=Asia/Shanghai', () => {
    const script = `
      const { defaultCalendar } = require('./dist/libs/cycles/src/calendar/calendar-config');
      const { occurrences, dueOccurrences } = require('./dist/libs/cycles/src/calendar/schedule');
      const { periodAt, periodBounds } = require('./dist/libs/cycles/src/calendar/period');
      const { WorkingDays } = require('./dist/libs/cycles/src/calendar/working-days');
      const wd = WorkingDays.load('/nonexistent');
      const cal = { ...defaultCalendar('Asia/Shanghai'), nonWorkingDays: 'keep' };
      cal.steps = { ...cal.steps, report: { enabled: true, day: 31, time: '09:00' }, supervision: { enabled: true, day: 'last', time: '23:30' } };
      const out = {};
      for (const p of ['2026-01', '2026-02', '2028-02', '2026-04', '2026-12'])
        out[p] = occurrences(cal, p, wd).map((o) => [o.key, o.day, o.dueAt.toISOString()]);
      out.periods = ['2026-01-31T15:59:59Z', '2026-01-31T16:00:00Z', '2026-02-28T16:00:00Z', '2026-12-31T16:30:00Z'].map((i) => periodAt(new Date(i), 'Asia/Shanghai'));
      out.bounds = periodBounds('2026-02', 'Asia/Shanghai');
      out.due = dueOccurrences(cal, new Date('2026-02-28T15:30:00Z'), '2026-02', new Set(), wd).map((o) => o.period + ' ' + o.key);
      out.localMonth = new Date('2026-02-28T16:30:00Z').getMonth();
      process.stdout.write(JSON.stringify(out));`;
    const run = (tz: string) =>
      JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', TZ: tz } }).toString());
    const utc = run('UTC');
    const shanghai = run('Asia/Shanghai');
    // The processes really ran in different zones: the same instant is in another local month.
    expect([utc.localMonth, shanghai.localMonth]).toEqual([1, 2]);
    delete utc.localMonth;
    delete shanghai.localMonth;
    expect(utc).toEqual(shanghai);

    const row = (p: string, key: string) => utc[p].find((o: string[]) => o[0] === key);
    // The 31st in a short month is its last day; "last" is the 28th, or the 29th in a leap year.
    expect(row('2026-02', 'step:report')).toEqual(['step:report', '2026-02-28', '2026-02-28T01:00:00.000Z']);
    expect(row('2026-02', 'step:supervision')).toEqual(['step:supervision', '2026-02-28', '2026-02-28T15:30:00.000Z']);
    expect(row('2028-02', 'step:supervision')).toEqual(['step:supervision', '2028-02-29', '2028-02-29T15:30:00.000Z']);
    expect(row('2026-04', 'step:report')).toEqual(['step:report', '2026-04-30', '2026-04-30T01:00:00.000Z']);
    expect(row('2026-01', 'step:report')).toEqual(['step:report', '2026-01-31', '2026-01-31T01:00:00.000Z']);
    // 23:30 on 31 December in Shanghai is still 2026 there, though 15:30 UTC.
    expect(row('2026-12', 'step:supervision')).toEqual(['step:supervision', '2026-12-31', '2026-12-31T15:30:00.000Z']);
    // Midnight in Shanghai starts the month, eight hours before UTC's.
    expect(utc.periods).toEqual(['2026-01', '2026-02', '2026-03', '2027-01']);
    expect(utc.bounds).toEqual({ start: '2026-01-31T16:00:00.000Z', end: '2026-02-28T16:00:00.000Z' });
    // At 23:30 on 28 February in Shanghai every step of February is due, and nothing of March.
    expect(utc.due).toEqual(STEPS.map((s) => `2026-02 step:${s}`));
  });
});
