import { FakeClock, localDay, PrincipalResolver } from '@app/platform';
import { isOverdue, sqlOverdueAt, Status, STATUSES, TicketCreation, TicketQueryService } from '@app/tickets';
import { DataSource } from 'typeorm';
import { bearer, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

describe('overdue, judged in each unit’s zone, narrowed by the subtree-and-deadline index', () => {
  // 23:30 on 31 July 2026 in UTC: already 1 August in Shanghai, still 31 July in New York.
  const clock = new FakeClock('2026-07-31T23:30:00Z');
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await startTestApp({ clock });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  it('agrees with isOverdue for every state, deadline and zone, on both sides of midnight', async () => {
    const zones = ['Asia/Shanghai', 'America/New_York', 'Pacific/Kiritimati', 'Etc/GMT+12', 'UTC'];
    const deadlines = ['2026-07-29', '2026-07-30', '2026-07-31', '2026-08-01', '2026-08-02', null];
    const instants = ['2026-07-31T23:30:00Z', '2026-07-31T10:00:00Z', '2026-08-01T11:59:00Z'];
    const cases = STATUSES.flatMap((status) =>
      deadlines.flatMap((deadline) => zones.flatMap((zone) => instants.map((at) => ({ status, deadline, zone, at })))),
    );
    const rows = await db.query<Array<{ i: number; overdue: boolean | null }>>(
      `SELECT c.i, ${sqlOverdueAt('c.at', 'c')} AS overdue
         FROM jsonb_to_recordset($1::jsonb) AS c(i int, status text, deadline date, unit_tz text, at timestamptz)`,
      [JSON.stringify(cases.map((c, i) => ({ i, status: c.status, deadline: c.deadline, unit_tz: c.zone, at: c.at })))],
    );
    const got = new Map(rows.map((r) => [r.i, r.overdue ?? false]));
    cases.forEach((c, i) => {
      const want = isOverdue(c.status, c.deadline, localDay(new Date(c.at), c.zone));
      expect({ ...c, overdue: got.get(i) }).toEqual({ ...c, overdue: want });
    });
  });

  it('the overdue count of a township takes the deadline index, and counts what the API lists', async () => {
    const inspector = await t.login('zc_inspector');
    const [{ id, token_version }] = await db.query(`SELECT id, token_version FROM app_user WHERE username = 'zc_inspector'`);
    const principal = (await t.app.get(PrincipalResolver).resolve(id, token_version))!;
    const village = await unitId(t, '中厂镇第一社区');
    const township = await unitId(t, '中厂镇');
    const drafts = Array.from({ length: 6000 }, (_, i) => ({
      title: `第${i}户房屋安全排查`,
      unitId: village,
      deadline: i < 12 ? '2026-07-20' : '2027-06-30',
    }));
    await t.app.get(TicketCreation).createMany(principal, drafts, 'supervision');
    await db.query('VACUUM (ANALYZE) ticket');

    const { sql, params } = t.app
      .get(TicketQueryService)
      .buildListSql(principal, { unitId: township, subtree: true, overdue: true, page: 1, pageSize: 1 });
    const plan = (await db.query<Array<{ 'QUERY PLAN': string }>>(`EXPLAIN ${sql}`, params)).map((r) => r['QUERY PLAN']).join('\n');
    // An index on the deadline narrows the rows: here, with few overdue, the deadline index; with
    // many, the subtree-and-deadline one, read alone (bench/overdue.bench.ts prints that plan).
    expect(plan).toMatch(/Index (Only )?Scan using (ticket_deadline|ticket_open_subtree_deadline)/);
    expect(plan).toMatch(/Index Cond: \(.*deadline < /);
    expect(plan).not.toMatch(/Seq Scan on ticket/);

    const listed = await t.http().get(`/api/v1/issues?unitId=${township}&subtree=true&overdue=true&pageSize=1`).set(bearer(inspector));
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM ticket WHERE unit_path LIKE (SELECT path FROM org_unit WHERE id = $1) || '%'
          AND status IN ('open', 'in_progress', 'pending_review') AND deadline < '2026-08-01'`,
      [township],
    );
    expect(n).toBeGreaterThanOrEqual(12);
    expect(listed.body.total).toBe(n);
  });
});

describe('the per-month counts of active tickets, and the overdue list answered from them', () => {
  // 06:00 UTC on 1 August 2026: already 1 August in Shanghai, still 31 July at UTC−12.
  const clock = new FakeClock('2026-08-01T06:00:00Z');
  let t: TestApp;
  let db: DataSource;
  const principalOf = async (username: string) => {
    const [{ id, token_version }] = await db.query(`SELECT id, token_version FROM app_user WHERE username = $1`, [username]);
    return (await t.app.get(PrincipalResolver).resolve(id, token_version))!;
  };
  // What the counts must be: the active tickets with a deadline, by unit path and month.
  const expected = () =>
    db.query(`SELECT unit_path COLLATE "C" AS unit_path, to_char(deadline, 'YYYY-MM') AS month, count(*)::int AS n FROM ticket
               WHERE status IN ('open', 'in_progress', 'pending_review') AND deadline IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`);
  const counted = () =>
    db.query(`SELECT unit_path, to_char(deadline_month, 'YYYY-MM') AS month, n FROM ticket_open_month WHERE n <> 0 ORDER BY 1, 2`);

  beforeAll(async () => {
    t = await startTestApp({ clock });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  it('follow every write of tickets: creates, common problems, state changes, deadlines, moves', async () => {
    expect(await counted()).toEqual(await expected());
    const principal = await principalOf('zc_inspector');
    const [first, second] = [await unitId(t, '中厂镇第一社区'), await unitId(t, '中厂镇第二社区')];
    const deadlines = ['2026-03-31', '2026-06-30', '2026-07-10', '2026-07-31', '2026-08-01', '2026-09-30', undefined];
    const drafts = Array.from({ length: 70 }, (_, i) => ({
      title: `第${i}户危房改造进度滞后`,
      unitId: i % 3 ? first : second,
      deadline: deadlines[i % deadlines.length],
    }));
    const created = await t.app.get(TicketCreation).createMany(principal, drafts, 'supervision');
    expect(await counted()).toEqual(await expected());
    const ids = created.map((c) => c.id);

    const inspector = await t.login('zc_inspector');
    const common = await t
      .http()
      .post('/api/v1/issues')
      .set(bearer(inspector))
      .send({ title: '各村产业帮扶台账不完善', unitId: await unitId(t, '中厂镇'), unitIds: [first, second], deadline: '2026-07-20' });
    expect(common.status).toBe(201);
    expect((await db.query(`SELECT count(*)::int AS n FROM ticket WHERE parent_id = $1`, [common.body.id]))[0].n).toBe(2);
    expect(await counted()).toEqual(await expected());

    await db.query(`UPDATE ticket SET status = 'in_progress' WHERE id = ANY($1::uuid[])`, [ids.slice(0, 20)]);
    await db.query(`UPDATE ticket SET status = 'closed', closed_at = now() WHERE id = ANY($1::uuid[])`, [ids.slice(5, 15)]);
    await db.query(`UPDATE ticket SET status = 'cancelled' WHERE id = ANY($1::uuid[])`, [ids.slice(15, 25)]);
    expect(await counted()).toEqual(await expected());
    await db.query(`UPDATE ticket SET status = 'in_progress', closed_at = NULL WHERE id = ANY($1::uuid[])`, [ids.slice(5, 8)]);
    await db.query(`UPDATE ticket SET deadline = deadline + 45 WHERE id = ANY($1::uuid[]) AND deadline IS NOT NULL`, [ids.slice(30, 50)]);
    await db.query(`UPDATE ticket SET deadline = '2026-05-31' WHERE id = ANY($1::uuid[]) AND deadline IS NULL`, [ids.slice(30, 70)]);
    await db.query(`UPDATE ticket SET updated_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
    expect(await counted()).toEqual(await expected());
    // A ticket reassigned to the other village, and a unit whose path changes take their counts along.
    await db.query(`UPDATE ticket SET unit_id = o.id, unit_path = o.path FROM org_unit o WHERE o.id = $2 AND ticket.id = ANY($1::uuid[])`, [
      ids.slice(50, 60),
      second,
    ]);
    expect(await counted()).toEqual(await expected());
    const before = (await counted()).length;
    expect(before).toBeGreaterThan(4);
  });

  it('gives the same overdue total and pages as the general statement, in every scope', async () => {
    const queries = t.app.get(TicketQueryService);
    const township = await unitId(t, '中厂镇');
    const village = await unitId(t, '中厂镇第一社区');
    for (const username of ['zc_inspector', 'zc_leader', 'zc_team1', 'county_admin']) {
      const principal = await principalOf(username);
      for (const unit of [township, village]) {
        for (const [page, pageSize] of [
          [1, 1],
          [1, 7],
          [2, 7],
          [3, 7],
          [1, 100],
        ]) {
          const q = { unitId: unit, subtree: true, overdue: true, page, pageSize };
          expect(queries.buildListSql(principal, q).sql).toContain('ticket_open_month');
          const general = { ...q, status: ['open', 'in_progress', 'pending_review'] as Status[] };
          expect(queries.buildListSql(principal, general).sql).not.toContain('ticket_open_month');
          const [fast, slow] = await Promise.all([
            queries.list(principal, q).catch((e: Error) => e.message),
            queries.list(principal, general).catch((e: Error) => e.message),
          ]);
          expect(fast).toEqual(slow);
        }
      }
    }
    // The overdue ones here: deadlines before 1 August in Shanghai, 2026-07-31 included.
    const principal = await principalOf('zc_inspector');
    const listed = await queries.list(principal, { unitId: township, subtree: true, overdue: true, page: 1, pageSize: 1 });
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM ticket WHERE unit_path LIKE (SELECT path FROM org_unit WHERE id = $1) || '%'
          AND status IN ('open', 'in_progress', 'pending_review') AND deadline < '2026-08-01'`,
      [township],
    );
    expect(n).toBeGreaterThan(20);
    expect(listed.total).toBe(n);
    expect(listed.items).toHaveLength(1);
  });
});
