import { FakeClock, localDay, PrincipalResolver } from '@app/platform';
import { isOverdue, sqlOverdueAt, STATUSES, TicketCreation, TicketQueryService } from '@app/tickets';
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
