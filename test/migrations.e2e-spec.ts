import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../libs/platform/src/database/data-source-options';
import { MIGRATIONS } from '../apps/schema/migrations';
import { ChainEntry, verifyChain } from '../libs/tickets/src/history/history-chain';
import { createTestDatabase, TestDatabase } from './support/database';

/** Upgrades from earlier schemas keep the data that is already there. */
describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  async function migrate(upTo: string | undefined, url = db.url): Promise<DataSource> {
    const end = upTo ? MIGRATIONS.findIndex((m) => m.name === upTo) + 1 : MIGRATIONS.length;
    expect(end).toBeGreaterThan(0);
    const source = new DataSource({
      ...dataSourceOptions({ url, poolSize: 2, migrations: MIGRATIONS }),
      migrations: MIGRATIONS.slice(0, end),
    });
    await source.initialize();
    await source.runMigrations({ transaction: 'each' });
    return source;
  }

  it('numbers existing task progress in time order and keeps numbering new entries after them', async () => {
    const before = await migrate('Assessment1795400000001');
    try {
      await before.query(`
        WITH u AS (INSERT INTO org_unit (name, kind, path, depth, timezone) VALUES ('县', 'county', '/c/', 1, 'Asia/Shanghai') RETURNING id),
             l AS (INSERT INTO task_list (unit_id, period, title, status, created_at, updated_at)
                   SELECT id, '2026-05', '五月任务', 'draft', now(), now() FROM u RETURNING id),
             t AS (INSERT INTO task (task_list_id, item_no, title, assignee_unit_id, deadline, created_at, updated_at)
                   SELECT l.id, 1, '危房排查', u.id, '2026-05-31', now(), now() FROM l, u RETURNING id)
        INSERT INTO task_progress (task_id, actual, comment, created_at)
        SELECT t.id, v.actual, v.comment, v.at::timestamptz FROM t,
               (VALUES (3, 'third', '2026-05-20T10:00:00Z'), (1, 'first', '2026-05-02T10:00:00Z'), (2, 'second', '2026-05-11T10:00:00Z')) AS v(actual, comment, at)`);
    } finally {
      await before.destroy();
    }

    const after = await migrate(undefined);
    try {
      const [{ task_id }] = await after.query(`SELECT task_id FROM task_progress LIMIT 1`);
      await after.query(
        `INSERT INTO task_progress (task_id, actual, comment, created_at) VALUES ($1, 4, 'fourth', '2026-05-01T00:00:00Z')`,
        [task_id],
      );
      const rows = await after.query(`SELECT comment FROM task_progress WHERE task_id = $1 ORDER BY seq`, [task_id]);
      expect(rows.map((r: { comment: string }) => r.comment)).toEqual(['first', 'second', 'third', 'fourth']);
      await expect(after.query(`UPDATE task_progress SET seq = 99`)).rejects.toThrow(/seq/);
    } finally {
      await after.destroy();
    }
  });

  it('chains the history that is already there, each ticket in the order it was written, and new entries after it', async () => {
    const own = await createTestDatabase();
    const before = await migrate('WebhookSecret1795850000000', own.url);
    let tickets: string[];
    try {
      const [unit] = await before.query(
        `INSERT INTO org_unit (name, kind, path, depth, timezone) VALUES ('县', 'county', '/t/', 1, 'Asia/Shanghai') RETURNING id`,
      );
      tickets = [];
      for (const code of ['乡-2026-0001', '乡-2026-0002']) {
        const [row] = await before.query(
          `INSERT INTO ticket (code, source, title, unit_id, unit_path, unit_tz, rectification_class, status, created_at, updated_at)
           VALUES ($1, 'supervision', '公示栏未更新', $2, '/t/', 'Asia/Shanghai', 'deadline', 'open', now(), now()) RETURNING id`,
          [code, unit.id],
        );
        tickets.push(row.id);
      }
      // Interleaved, as a working month writes them.
      for (const [ticket, kind, comment] of [
        [tickets[0], 'created', null],
        [tickets[1], 'created', null],
        [tickets[0], 'transition', '开始整改'],
        [tickets[1], 'transition', '已开工'],
        [tickets[0], 'transition', '整改完成'],
      ]) {
        await before.query(
          `INSERT INTO ticket_event (ticket_id, kind, to_status, comment, data, at) VALUES ($1, $2, 'open', $3, '{"b": 1, "a": "乙"}', now())`,
          [ticket, kind, comment],
        );
      }
    } finally {
      await before.destroy();
    }

    const after = await migrate(undefined, own.url);
    try {
      await after.query(
        `INSERT INTO ticket_event (ticket_id, kind, to_status, comment, at) VALUES ($1, 'transition', 'open', '复核', now())`,
        [tickets[1]],
      );
      const chain = async (ticket: string) =>
        after.query<ChainEntry[]>(
          `SELECT id::int AS id, seq, ticket_id AS "ticketId", kind, action, from_status AS "fromStatus", to_status AS "toStatus",
                  actor_id::text AS "actorId", actor_name AS "actorName", comment, data::text AS data,
                  to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, prev_hash AS "prevHash", hash
             FROM ticket_event WHERE ticket_id = $1 ORDER BY seq`,
          [ticket],
        );
      const first = await chain(tickets[0]);
      const second = await chain(tickets[1]);
      expect(first.map((e) => [e.seq, e.comment])).toEqual([
        [1, null],
        [2, '开始整改'],
        [3, '整改完成'],
      ]);
      expect(second.map((e) => [e.seq, e.comment])).toEqual([
        [1, null],
        [2, '已开工'],
        [3, '复核'],
      ]);
      expect(verifyChain(first)).toMatchObject({ ok: true, entries: 3 });
      expect(verifyChain(second)).toMatchObject({ ok: true, entries: 3 });
    } finally {
      await after.destroy();
      await own.drop();
    }
  });

  it('counts the active tickets already there by unit path and month of deadline, and keeps counting after', async () => {
    const own = await createTestDatabase();
    const before = await migrate('TicketOpenSubtreeDeadline1796206258685', own.url);
    try {
      const [unit] = await before.query(
        `INSERT INTO org_unit (name, kind, path, depth, timezone) VALUES ('县', 'county', '/m/', 1, 'Asia/Shanghai') RETURNING id`,
      );
      for (const [i, status, deadline] of [
        [1, 'open', '2026-05-31'],
        [2, 'in_progress', '2026-05-20'],
        [3, 'pending_review', '2026-06-30'],
        [4, 'closed', '2026-05-31'],
        [5, 'cancelled', '2026-06-30'],
        [6, 'open', null],
      ] as const) {
        await before.query(
          `INSERT INTO ticket (code, source, title, unit_id, unit_path, unit_tz, rectification_class, status, deadline, closed_at, created_at, updated_at)
           VALUES ($1, 'supervision', '村务公开不及时', $2, '/m/', 'Asia/Shanghai', CASE WHEN $4::date IS NULL THEN 'standing' ELSE 'deadline' END,
                   $3, $4, CASE WHEN $3 = 'closed' THEN now() END, now(), now())`,
          [`乡-2026-000${i}`, unit.id, status, deadline],
        );
      }
    } finally {
      await before.destroy();
    }

    const after = await migrate(undefined, own.url);
    try {
      const counts = () => after.query(`SELECT to_char(deadline_month, 'YYYY-MM') AS month, n FROM ticket_open_month ORDER BY 1`);
      expect(await counts()).toEqual([
        { month: '2026-05', n: 2 },
        { month: '2026-06', n: 1 },
      ]);
      await after.query(`UPDATE ticket SET status = 'closed', closed_at = now() WHERE code = '乡-2026-0002'`);
      expect(await counts()).toEqual([
        { month: '2026-05', n: 1 },
        { month: '2026-06', n: 1 },
      ]);
    } finally {
      await after.destroy();
      await own.drop();
    }
  });

  it('keeps the accountability records already there as overdue ones, and holds each ground to its own facts', async () => {
    const own = await createTestDatabase();
    const before = await migrate('TicketOpenSubtreeDeadline1796206258685', own.url);
    const tickets: string[] = [];
    let unit: string;
    try {
      [{ id: unit }] = await before.query(
        `INSERT INTO org_unit (name, kind, path, depth, timezone) VALUES ('县', 'county', '/a/', 1, 'Asia/Shanghai') RETURNING id`,
      );
      for (const code of ['村-2026-0001', '村-2026-0002', '村-2026-0003']) {
        const [row] = await before.query(
          `INSERT INTO ticket (code, source, title, unit_id, unit_path, unit_tz, rectification_class, status, created_at, updated_at)
           VALUES ($1, 'supervision', '公示栏未更新', $2, '/a/', 'Asia/Shanghai', 'deadline', 'open', now(), now()) RETURNING id`,
          [code, unit],
        );
        tickets.push(row.id);
      }
      await before.query(
        `INSERT INTO accountability_record (ticket_id, unit_id, person, deadline, days_overdue, created_at)
         VALUES ($1, $2, '赵六', '2026-06-23', 17, now())`,
        [tickets[0], unit],
      );
    } finally {
      await before.destroy();
    }

    const after = await migrate('AccountabilityGround1796213907341', own.url);
    try {
      expect(
        await after.query(`SELECT ground, to_char(deadline, 'YYYY-MM-DD') AS deadline, days_overdue, repeat_of FROM accountability_record`),
      ).toEqual([{ ground: 'overdue', deadline: '2026-06-23', days_overdue: 17, repeat_of: null }]);
      const insert = (ticket: string, ground: string, deadline: string | null, days: number | null, repeatOf: string | null) =>
        after.query(
          `INSERT INTO accountability_record (ticket_id, unit_id, ground, deadline, days_overdue, repeat_of, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, now())`,
          [ticket, unit, ground, deadline, days, repeatOf],
        );
      await expect(insert(tickets[1], 'overdue', null, null, null)).rejects.toThrow(/accountability_ground_facts/);
      await expect(insert(tickets[1], 'overdue', '2026-06-30', null, null)).rejects.toThrow(/accountability_ground_facts/);
      await expect(insert(tickets[1], 'repeat', null, null, null)).rejects.toThrow(/accountability_ground_facts/);
      await expect(insert(tickets[1], 'repeat', '2026-06-30', 3, tickets[0])).rejects.toThrow(/accountability_ground_facts/);
      await expect(insert(tickets[1], 'late', null, null, tickets[0])).rejects.toThrow(/"accountability_ground"/);
      await insert(tickets[1], 'repeat', null, null, tickets[0]);
      // One repeat record per ticket, whatever it repeats; an overdue record of it beside that one.
      await expect(insert(tickets[1], 'repeat', null, null, tickets[2])).rejects.toThrow(/accountability_repeat_once/);
      await insert(tickets[1], 'overdue', '2026-06-30', 3, null);
      await insert(tickets[2], 'repeat', null, null, tickets[0]);
      expect((await after.query(`SELECT count(*)::int AS n FROM accountability_record`))[0].n).toBe(4);

      // Reverted, the repeat records go and the overdue ones keep their deadline and days.
      await after.undoLastMigration({ transaction: 'each' });
      expect(await after.query(`SELECT ticket_id, days_overdue FROM accountability_record ORDER BY days_overdue`)).toEqual([
        { ticket_id: tickets[1], days_overdue: 3 },
        { ticket_id: tickets[0], days_overdue: 17 },
      ]);
      await expect(
        after.query(`INSERT INTO accountability_record (ticket_id, unit_id, days_overdue, created_at) VALUES ($1, $2, 3, now())`, [
          tickets[2],
          unit,
        ]),
      ).rejects.toThrow(/deadline/);
    } finally {
      await after.destroy();
      await own.drop();
    }
  });
});
