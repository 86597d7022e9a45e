import { MigrationInterface, QueryRunner } from 'typeorm';

/** The active states, as this migration knows them (ticket-state.ts ACTIVE_STATUSES). */
const ACTIVE = `status IN ('open', 'in_progress', 'pending_review')`;

/** The counted rows of a transition table, each with its sign. */
const counted = (rows: string, sign: 1 | -1) =>
  `SELECT unit_path, date_trunc('month', deadline)::date AS deadline_month, ${sign} AS d
     FROM ${rows} WHERE ${ACTIVE} AND deadline IS NOT NULL`;

/** Adds the deltas of `parts` (a UNION of counted rows) to the counts, in key order. */
const apply = (parts: string) =>
  `INSERT INTO ticket_open_month AS c (unit_path, deadline_month, n)
   SELECT unit_path, deadline_month, sum(d) FROM (${parts}) AS delta
    GROUP BY 1, 2 HAVING sum(d) <> 0 ORDER BY 1, 2
   ON CONFLICT (unit_path, deadline_month) DO UPDATE SET n = c.n + EXCLUDED.n;`;

/**
 * How many active tickets with a deadline each unit path holds, per month of the deadline. Every
 * deadline in a month before the earliest local day on Earth is past in every zone, so a
 * subtree's overdue count is the sum of a few hundred of these rows and a count of the current
 * month's tickets, instead of a count of every overdue ticket (see TicketQueryService). Kept by
 * statement triggers on ticket, one aggregated write per statement whatever the number of rows,
 * taking the count rows in key order; a TRUNCATE of ticket empties it.
 */
export class TicketOpenMonthCount1796300000000 implements MigrationInterface {
  name = 'TicketOpenMonthCount1796300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ticket_open_month (
        unit_path text COLLATE "C" NOT NULL,
        deadline_month date NOT NULL,
        n integer NOT NULL,
        PRIMARY KEY (unit_path, deadline_month)
      )`);
    await q.query(`
      CREATE FUNCTION ticket_open_month_track() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${apply(counted('new_rows', 1))}
        ELSIF TG_OP = 'DELETE' THEN
          ${apply(counted('old_rows', -1))}
        ELSIF TG_OP = 'UPDATE' THEN
          ${apply(`${counted('new_rows', 1)} UNION ALL ${counted('old_rows', -1)}`)}
        ELSE
          DELETE FROM ticket_open_month;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER ticket_open_month_insert AFTER INSERT ON ticket
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_open_month_track()`);
    await q.query(`
      CREATE TRIGGER ticket_open_month_update AFTER UPDATE ON ticket
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_open_month_track()`);
    await q.query(`
      CREATE TRIGGER ticket_open_month_delete AFTER DELETE ON ticket
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_open_month_track()`);
    await q.query(`
      CREATE TRIGGER ticket_open_month_truncate AFTER TRUNCATE ON ticket
        FOR EACH STATEMENT EXECUTE FUNCTION ticket_open_month_track()`);
    await q.query(`
      INSERT INTO ticket_open_month (unit_path, deadline_month, n)
      SELECT unit_path, date_trunc('month', deadline)::date, count(*)
        FROM ticket WHERE ${ACTIVE} AND deadline IS NOT NULL
       GROUP BY 1, 2`);
    // The newest active tickets of one unit path, carrying what the overdue rule reads: an
    // overdue page is the first few of each path of the subtree, merged.
    await q.query(`
      CREATE INDEX ticket_active_path_created ON ticket (unit_path, created_at DESC, code)
        INCLUDE (deadline, unit_tz, status, id)
        WHERE ${ACTIVE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ticket_active_path_created`);
    for (const event of ['insert', 'update', 'delete', 'truncate']) {
      await q.query(`DROP TRIGGER ticket_open_month_${event} ON ticket`);
    }
    await q.query(`DROP FUNCTION ticket_open_month_track()`);
    await q.query(`DROP TABLE ticket_open_month`);
  }
}
