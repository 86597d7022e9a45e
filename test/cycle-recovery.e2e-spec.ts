import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { CYCLES_QUEUE, defaultCalendar, STEPS } from '@app/cycles';
import { FakeClock, jobId } from '@app/platform';
import { bearer, unitId } from './support/fixtures';
import { removeQueueKeys } from './support/redis-keys';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Steps that recover by themselves, with the worker in the process: a run whose retries ran out
 * is tried again by a later tick, and the township's leaders hear of it once; job schedulers
 * that Redis lost while the worker kept running come back, and the next due step runs once.
 */
describe('cycle steps that recover by themselves', () => {
  // 10:00 on 2 December in Shanghai: December's dispatch (the 1st, 08:00) is due.
  const clock = new FakeClock('2026-12-02T02:00:00Z');
  let t: TestApp;
  let township: string;
  let leader: string;
  let queue: Queue;
  const db = () => t.app.get(DataSource);
  const run = async (period: string, key: string) =>
    (
      await db().query<Array<{ id: string; state: string; attempts: number; error: string | null }>>(
        `SELECT id, state, attempts, error FROM cycle_run WHERE unit_id = $1 AND period = $2 AND key = $3`,
        [township, period, key],
      )
    )[0];
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const failureNotices = async () =>
    (await t.http().get('/api/v1/notifications?pageSize=200').set(bearer(leader))).body.items.filter(
      (n: { kind: string }) => n.kind === 'cycle_run_failed',
    );
  const tick = async (what: string, id: string) => {
    await queue.add('tick', { what }, { jobId: id });
    await until(`tick ${id}`, async () => (await queue.getJobState(id)) === 'completed');
  };

  beforeAll(async () => {
    t = await startTestApp({
      clock,
      worker: true,
      // Ticks come only when the test sends them, or from the catch-up after a registration.
      env: { CYCLE_TICK_CRON: '0 0 1 1 *', CYCLE_SCHEDULER_CHECK: '1s', CYCLE_RETRY_DELAY: '15m', CYCLE_RETRY_MAX_DELAY: '24h' },
    });
    township = await unitId(t, '中厂镇');
    leader = await t.login('zc_leader');
    queue = t.app.get<Queue>(getQueueToken(CYCLES_QUEUE), { strict: false });
    // The start's own catch-up ticks are through before the calendar is moved back.
    await until(
      'the start’s catch-up',
      async () => (await queue.getJobs(['completed'], 0, -1)).filter((j) => j.name === 'tick').length >= 6,
    );
    await db().query(
      `INSERT INTO cycle_calendar (unit_id, config, starts_at, version, updated_at) VALUES ($1, $2, '2026-11-30T16:00:00Z', 1, now())
       ON CONFLICT (unit_id) DO UPDATE SET starts_at = EXCLUDED.starts_at`,
      [township, JSON.stringify(defaultCalendar('Asia/Shanghai'))],
    );
  });
  afterAll(() => t.close());

  it('tries a run whose retries ran out again at a later tick, telling the township once', async () => {
    // A fault (as a database outage would be) makes December's dispatch fail whenever it runs.
    await db().query(`CREATE FUNCTION refuse_dispatch() RETURNS trigger LANGUAGE plpgsql AS $$
                      BEGIN RAISE EXCEPTION 'the database is refusing writes'; END $$`);
    await db().query(`CREATE TRIGGER refuse_dispatch BEFORE UPDATE ON cycle_run FOR EACH ROW
                      WHEN (NEW.state = 'done' AND NEW.key = 'step:dispatch') EXECUTE FUNCTION refuse_dispatch()`);
    // The scheduler's job for it, on its last attempt: it fails for good and keeps its id in the queue.
    const id = jobId('run', township, '2026-12', 'step:dispatch');
    await queue.add('run', { unitId: township, period: '2026-12', key: 'step:dispatch' }, { jobId: id, attempts: 1 });
    await until('the run to fail', async () => (await queue.getJobState(id)) === 'failed');
    expect(await run('2026-12', 'step:dispatch')).toMatchObject({ state: 'failed', attempts: 1, error: 'the database is refusing writes' });
    const [notice] = await failureNotices();
    expect(notice).toMatchObject({
      title: '2026-12「月交办 + 任务清单」运行失败',
      link: `/dashboard?unitId=${township}&period=2026-12`,
      data: { period: '2026-12', key: 'step:dispatch' },
    });
    expect(notice.body).toContain('the database is refusing writes');

    // The fault is over; a tick within the wait leaves the run alone.
    await db().query(`DROP TRIGGER refuse_dispatch ON cycle_run`);
    clock.set('2026-12-02T02:10:00Z');
    await tick('dispatch', 'test-tick|1');
    expect(await run('2026-12', 'step:dispatch')).toMatchObject({ state: 'failed', attempts: 1 });

    // Past the wait, the next tick runs it again, with no hand.
    clock.set('2026-12-02T02:16:00Z');
    await tick('dispatch', 'test-tick|2');
    await until('the run to recover', async () => (await run('2026-12', 'step:dispatch')).state === 'done');
    expect(await run('2026-12', 'step:dispatch')).toMatchObject({ state: 'done', attempts: 2, error: null });
    expect(await failureNotices()).toHaveLength(1);
    await tick('dispatch', 'test-tick|3');
    expect((await run('2026-12', 'step:dispatch')).attempts).toBe(2);
  });

  it('puts the job schedulers back when Redis lost them under a running worker, and runs the next due step once', async () => {
    expect(await queue.getJobSchedulersCount()).toBe(STEPS.length + 3);
    const backend = t.infrastructure.queue;
    if (backend.kind !== 'redis') throw new Error('this test needs the queue on Redis');
    // December's self-check is due at 18:00 on the 10th in Shanghai; Redis loses this test's keys just before.
    clock.set('2026-12-10T09:59:00Z');
    expect(await removeQueueKeys(t.config.QUEUE_PREFIX, backend.url)).toBeGreaterThan(0);
    expect(await queue.getJobSchedulersCount()).toBe(0);
    clock.set('2026-12-10T10:00:30Z');
    await until('the schedulers to come back', async () => (await queue.getJobSchedulersCount()) === STEPS.length + 3, 10_000);
    await until('the self-check to run', async () => (await run('2026-12', 'step:self_check'))?.state === 'done', 20_000);
    const selfCheck = await run('2026-12', 'step:self_check');
    expect(selfCheck.attempts).toBe(1);
    const teams = (
      await db().query(`SELECT count(*)::int AS n FROM org_unit WHERE parent_id = $1 AND kind IN ('village', 'office')`, [township])
    )[0].n;
    const reports = async () =>
      (await db().query(`SELECT count(*)::int AS n FROM cycle_output WHERE run_id = $1`, [selfCheck.id]))[0].n as number;
    expect(await reports()).toBe(teams);
    // Later ticks find it done: it ran once.
    await tick('self_check', 'test-tick|after-flush');
    expect((await run('2026-12', 'step:self_check')).attempts).toBe(1);
    expect(await reports()).toBe(teams);
  });

  it('lets a leader run a failed step by hand', async () => {
    // December's review, run by hand before its day, fails while the database refuses it.
    await db().query(`CREATE FUNCTION refuse_review() RETURNS trigger LANGUAGE plpgsql AS $$
                      BEGIN RAISE EXCEPTION 'the database is refusing writes'; END $$`);
    await db().query(`CREATE TRIGGER refuse_review BEFORE UPDATE ON cycle_run FOR EACH ROW
                      WHEN (NEW.state = 'done' AND NEW.key = 'step:review') EXECUTE FUNCTION refuse_review()`);
    const hand = () => t.http().post(`/api/v1/cycles/2026-12/steps/review/run?unitId=${township}`).set(bearer(leader));
    expect((await hand()).status).toBe(500);
    expect(await run('2026-12', 'step:review')).toMatchObject({ state: 'failed', attempts: 1 });
    await db().query(`DROP TRIGGER refuse_review ON cycle_run`);
    const again = await hand();
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ step: 'review', state: 'done', trigger: 'manual', attempts: 2 });
  });
});
