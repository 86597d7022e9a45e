import { localDay, sqlLocalDay } from '@app/platform';
import {
  closedOnTime,
  closeOutRate,
  isActive,
  isOverdue,
  sqlActive,
  sqlCloseOutCounts,
  sqlClosedOnTime,
  sqlFoundOn,
  sqlOverdue,
  Status,
  STATUSES,
} from '@app/tickets';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from './support/database';

/**
 * The SQL forms of the rules give, on PostgreSQL, exactly what their TypeScript definitions give,
 * case by case: active, overdue, on-time close-out, the local day, the found day, the close-out rate.
 */
describe('the rules in SQL agree with their definitions', () => {
  let db: TestDatabase;
  let client: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  const DAYS = ['2026-07-30', '2026-07-31', '2026-08-01', null] as const;

  it('active and overdue, for every state, deadline and day', async () => {
    const cases = STATUSES.flatMap((status) =>
      DAYS.flatMap((deadline) => DAYS.filter((d) => d).map((today) => ({ status, deadline, today: today! }))),
    );
    const { rows } = await client.query<{ i: number; active: boolean; overdue: boolean }>(
      `SELECT c.i, ${sqlActive('t.status')} AS active, coalesce(${sqlOverdue('c.today')}, false) AS overdue
         FROM jsonb_to_recordset($1::jsonb) AS c(i int, status text, deadline date, today date)
         CROSS JOIN LATERAL (SELECT c.status, c.deadline) AS t ORDER BY c.i`,
      [JSON.stringify(cases.map((c, i) => ({ i, ...c })))],
    );
    expect(rows.map((r) => [r.active, r.overdue])).toEqual(
      cases.map((c) => [isActive(c.status), isOverdue(c.status, c.deadline, c.today)]),
    );
  });

  it('on-time close-out, on, before and after the deadline and without one', async () => {
    const cases = DAYS.flatMap((deadline) => DAYS.filter((d) => d).map((day) => ({ deadline, day: day! })));
    const { rows } = await client.query<{ v: boolean }>(
      `SELECT ${sqlClosedOnTime('c.deadline', 'c.day')} AS v FROM jsonb_to_recordset($1::jsonb) AS c(i int, deadline date, day date) ORDER BY c.i`,
      [JSON.stringify(cases.map((c, i) => ({ i, ...c })))],
    );
    expect(rows.map((r) => r.v)).toEqual(cases.map((c) => closedOnTime(c.deadline, c.day)));
  });

  it("a unit's local day, and the day a ticket was found, across midnight and time zones", async () => {
    const instants = ['2026-07-31T15:59:59Z', '2026-07-31T16:00:00Z', '2026-12-31T18:30:00Z', '2026-01-01T04:59:59Z'];
    const zones = ['Asia/Shanghai', 'UTC', 'America/New_York', 'Asia/Urumqi'];
    const cases = instants.flatMap((at) => zones.flatMap((zone) => [null, '2026-03-15'].map((inspected) => ({ at, zone, inspected }))));
    const { rows } = await client.query<{ day: string; param: string; found: string }>(
      `SELECT to_char(${sqlLocalDay('t.created_at', 't.unit_tz')}, 'YYYY-MM-DD') AS day,
              to_char(${sqlLocalDay('$2', 't.unit_tz')}, 'YYYY-MM-DD') AS param,
              to_char(${sqlFoundOn('t', 'i')}, 'YYYY-MM-DD') AS found
         FROM jsonb_to_recordset($1::jsonb) AS t(n int, created_at timestamptz, unit_tz text, inspected date)
         CROSS JOIN LATERAL (SELECT t.inspected AS date) AS i ORDER BY t.n`,
      [JSON.stringify(cases.map((c, n) => ({ n, created_at: c.at, unit_tz: c.zone, inspected: c.inspected }))), '2026-07-31T16:00:00Z'],
    );
    expect(rows).toEqual(
      cases.map((c) => ({
        day: localDay(new Date(c.at), c.zone),
        param: localDay(new Date('2026-07-31T16:00:00Z'), c.zone),
        found: c.inspected ?? localDay(new Date(c.at), c.zone),
      })),
    );
  });

  it('the close-out rate from counts made in SQL', async () => {
    const sets: Status[][] = [
      [],
      ['closed'],
      ['open', 'closed', 'cancelled'],
      ['cancelled', 'cancelled'],
      ['closed', 'in_progress', 'pending_review', 'open'],
    ];
    const rates: number[] = [];
    for (const statuses of sets) {
      const { rows } = await client.query<{ found: string; closed: string; cancelled: string }>(
        `SELECT count(*) AS found, ${sqlCloseOutCounts('t.status')} FROM unnest($1::text[]) AS t(status)`,
        [statuses],
      );
      const counts = { found: Number(rows[0].found), closed: Number(rows[0].closed), cancelled: Number(rows[0].cancelled) };
      expect(counts).toEqual({
        found: statuses.length,
        closed: statuses.filter((s) => s === 'closed').length,
        cancelled: statuses.filter((s) => s === 'cancelled').length,
      });
      rates.push(closeOutRate(counts));
    }
    expect(rates).toEqual([1, 1, 0.5, 1, 0.25]);
  });
});
