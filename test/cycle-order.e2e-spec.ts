import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { CYCLES_QUEUE, defaultCalendar, STEPS } from '@app/cycles';
import { DEFAULT_JOB_OPTIONS, FakeClock } from '@app/platform';
import { unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

/**
 * A catch-up with the worker in the process: the runs of two missed months arrive in any order
 * (here the later month first), and still every month's steps run in their order and the
 * bulletins are numbered as the months follow.
 */
describe('the order of catch-up runs', () => {
  const clock = new FakeClock('2026-12-02T02:00:00Z');
  let t: TestApp;
  let township: string;
  const db = () => t.app.get(DataSource);

  beforeAll(async () => {
    t = await startTestApp({ clock, worker: true });
    township = await unitId(t, '中厂镇');
  });
  afterAll(() => t.close());

  it('runs October before November, and each month’s steps before its supervision', async () => {
    // The calendar began on 1 October in Shanghai; the worker was down since.
    await db().query(
      `INSERT INTO cycle_calendar (unit_id, config, starts_at, version, updated_at) VALUES ($1, $2, '2026-09-30T16:00:00Z', 1, now())
       ON CONFLICT (unit_id) DO UPDATE SET starts_at = EXCLUDED.starts_at`,
      [township, JSON.stringify(defaultCalendar('Asia/Shanghai'))],
    );
    // The order in which runs are marked done, by the database's own clock.
    await db().query(`CREATE TABLE done_order (seq bigserial PRIMARY KEY, period text, key text)`);
    await db().query(`CREATE FUNCTION note_done() RETURNS trigger LANGUAGE plpgsql AS $$
                      BEGIN INSERT INTO done_order (period, key) VALUES (NEW.period, NEW.key); RETURN NEW; END $$`);
    await db().query(`CREATE TRIGGER note_done AFTER UPDATE OF state ON cycle_run FOR EACH ROW
                      WHEN (NEW.state = 'done' AND OLD.state <> 'done') EXECUTE FUNCTION note_done()`);
    const queue = t.app.get<Queue>(getQueueToken(CYCLES_QUEUE), { strict: false });
    for (const period of ['2026-11', '2026-10'])
      await queue.add('run', { unitId: township, period, key: 'step:supervision' }, { ...DEFAULT_JOB_OPTIONS, jobId: `order|${period}` });

    const done = async () =>
      db().query<Array<{ period: string; key: string; finished_at: Date }>>(
        `SELECT period, key, finished_at FROM cycle_run WHERE unit_id = $1 AND state = 'done' AND key LIKE 'step:%' AND period < '2026-12' ORDER BY period, key`,
        [township],
      );
    const deadline = Date.now() + 60_000;
    while ((await done()).length < 2 * STEPS.length) {
      if (Date.now() > deadline) throw new Error(`the catch-up did not finish: ${JSON.stringify(await done())}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect((await done()).map((r) => `${r.period} ${r.key}`)).toEqual(
      ['2026-10', '2026-11'].flatMap((p) => STEPS.map((s) => `${p} step:${s}`).sort()),
    );
    const bulletins = await db().query(
      `SELECT period, number, number_label FROM document WHERE unit_id = $1 AND kind = 'bulletin' ORDER BY number`,
      [township],
    );
    expect(bulletins).toEqual([
      { period: '2026-10', number: 1, number_label: '第1期' },
      { period: '2026-11', number: 2, number_label: '第2期' },
    ]);
    // October's five steps, then November's, each month in step order.
    const order = await db().query<Array<{ period: string; key: string }>>(
      `SELECT period, key FROM done_order WHERE key LIKE 'step:%' AND period < '2026-12' ORDER BY seq`,
    );
    expect(order.map((r) => `${r.period} ${r.key}`)).toEqual(['2026-10', '2026-11'].flatMap((p) => STEPS.map((s) => `${p} step:${s}`)));
    // September was before the calendar: nothing of it ran.
    expect(await db().query(`SELECT 1 FROM cycle_run WHERE unit_id = $1 AND period = '2026-09'`, [township])).toEqual([]);
  });
});
