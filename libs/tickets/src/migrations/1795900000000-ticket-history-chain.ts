import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A ticket's history becomes a hash chain. Each entry carries its place in the ticket's history
 * (`seq`, from 1), the hash of the entry before it and its own hash: sha256 over the previous
 * hash and the entry's content, so that changing, removing or reordering any entry (or wiping the
 * table) no longer goes unnoticed by `GET /issues/:id/history/verify`. The database computes the
 * hashes as each entry is written, whichever code writes it; existing entries are chained in the
 * order they were written.
 *
 * The content hashed is the entry's fields joined by U+001F, `at` in UTC to the microsecond and
 * `data` as jsonb prints it (keys sorted); `history-chain.ts` computes the same to verify.
 */
export class TicketHistoryChain1795900000000 implements MigrationInterface {
  name = 'TicketHistoryChain1795900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket_event ADD COLUMN seq int, ADD COLUMN prev_hash bytea, ADD COLUMN hash bytea`);
    await q.query(`
      CREATE FUNCTION ticket_event_content(e ticket_event) RETURNS bytea LANGUAGE sql STABLE AS $$
        SELECT convert_to(concat_ws(chr(31),
          e.seq::text, e.ticket_id::text, e.kind, coalesce(e.action, ''), coalesce(e.from_status, ''),
          coalesce(e.to_status, ''), coalesce(e.actor_id::text, ''), coalesce(e.actor_name, ''),
          coalesce(e.comment, ''), coalesce(e.data::text, ''),
          to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')), 'UTF8')
      $$`);
    // Existing history, chained in the order it was written (the append-only trigger is set aside
    // for this one rewrite, which only the schema's owner can do).
    await q.query(`ALTER TABLE ticket_event DISABLE TRIGGER ticket_event_append_only`);
    await q.query(`
      UPDATE ticket_event e SET seq = n.seq
        FROM (SELECT id, row_number() OVER (PARTITION BY ticket_id ORDER BY id)::int AS seq FROM ticket_event) n
       WHERE n.id = e.id`);
    await q.query(`
      DO $$
      DECLARE
        r ticket_event;
        prev bytea;
        last_ticket uuid;
      BEGIN
        FOR r IN SELECT * FROM ticket_event ORDER BY ticket_id, seq LOOP
          IF last_ticket IS DISTINCT FROM r.ticket_id THEN
            prev := NULL;
            last_ticket := r.ticket_id;
          END IF;
          r.prev_hash := prev;
          r.hash := sha256(coalesce(prev, ''::bytea) || ticket_event_content(r));
          UPDATE ticket_event SET prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
          prev := r.hash;
        END LOOP;
      END $$`);
    await q.query(`ALTER TABLE ticket_event ENABLE TRIGGER ticket_event_append_only`);
    await q.query(`ALTER TABLE ticket_event ALTER COLUMN seq SET NOT NULL, ALTER COLUMN hash SET NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX ticket_event_chain ON ticket_event (ticket_id, seq)`);
    // The nightly check finds the day's entries by time.
    await q.query(`CREATE INDEX ticket_event_at ON ticket_event (at)`);
    // Each new entry takes the next place after the ticket's latest entry. The ticket's row is
    // locked first, so two transactions adding to one ticket's history chain one after the other.
    await q.query(`
      CREATE FUNCTION ticket_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        last ticket_event;
      BEGIN
        PERFORM 1 FROM ticket WHERE id = NEW.ticket_id FOR UPDATE;
        SELECT * INTO last FROM ticket_event WHERE ticket_id = NEW.ticket_id ORDER BY seq DESC LIMIT 1;
        NEW.seq := coalesce(last.seq, 0) + 1;
        NEW.prev_hash := last.hash;
        NEW.hash := sha256(coalesce(last.hash, ''::bytea) || ticket_event_content(NEW));
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER ticket_event_chain BEFORE INSERT ON ticket_event FOR EACH ROW EXECUTE FUNCTION ticket_event_chain()`);
    // Row triggers do not see TRUNCATE: refuse it as UPDATE and DELETE are refused.
    await q.query(`
      CREATE TRIGGER ticket_event_no_truncate BEFORE TRUNCATE ON ticket_event
        FOR EACH STATEMENT EXECUTE FUNCTION ticket_event_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER ticket_event_no_truncate ON ticket_event`);
    await q.query(`DROP TRIGGER ticket_event_chain ON ticket_event`);
    await q.query(`DROP FUNCTION ticket_event_chain`);
    await q.query(`DROP INDEX ticket_event_at`);
    await q.query(`DROP INDEX ticket_event_chain`);
    await q.query(`ALTER TABLE ticket_event DROP COLUMN hash, DROP COLUMN prev_hash, DROP COLUMN seq`);
    await q.query(`DROP FUNCTION ticket_event_content`);
  }
}
