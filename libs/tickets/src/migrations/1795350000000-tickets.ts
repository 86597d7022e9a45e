import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inspections and their findings as tickets, the close-out history (append-only), evidence
 * files stored by content, per-township ticket numbering, idempotent requests.
 */
export class Tickets1795350000000 implements MigrationInterface {
  name = 'Tickets1795350000000';

  async up(q: QueryRunner): Promise<void> {
    // Every two-character piece of a text (lower-cased), for substring search of Chinese text
    // that has no word boundaries: a GIN index on the array finds "危房" anywhere.
    await q.query(`
      CREATE FUNCTION text_bigrams(t text) RETURNS text[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT coalesce(array_agg(DISTINCT g), '{}')
            FROM (SELECT substr(lower(t), i, 2) AS g FROM generate_series(1, greatest(char_length(t) - 1, 0)) AS i) s
           WHERE g !~ '\\s'
        $$`);

    await q.query(`
      CREATE TABLE inspection (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        source text NOT NULL CHECK (source IN ('patrol', 'supervision', 'self_check', 'audit', 'higher_feedback', 'verification')),
        title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
        issued_by text NOT NULL CHECK (length(btrim(issued_by)) BETWEEN 1 AND 100),
        doc_number text,
        date date NOT NULL,
        unit_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE RESTRICT,
        created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX inspection_unit ON inspection (unit_id, date DESC)`);

    // Ticket codes run per township (or county) and year without gaps: 中厂镇-2026-0042.
    await q.query(`
      CREATE TABLE ticket_sequence (
        unit_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE CASCADE,
        year integer NOT NULL,
        last integer NOT NULL,
        PRIMARY KEY (unit_id, year)
      )`);

    await q.query(`
      CREATE TABLE ticket (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE,
        inspection_id uuid REFERENCES inspection (id) ON DELETE RESTRICT,
        parent_id uuid REFERENCES ticket (id) ON DELETE RESTRICT,
        is_common boolean NOT NULL DEFAULT false,
        source text NOT NULL CHECK (source IN ('patrol', 'supervision', 'self_check', 'audit', 'higher_feedback', 'verification')),
        title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 500),
        description text CHECK (description IS NULL OR length(description) <= 10000),
        category text,
        unit_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE RESTRICT,
        -- The owner unit's path and time zone, kept with the ticket for scope filters and
        -- overdue arithmetic without a join (a trigger follows moves of the unit).
        unit_path text NOT NULL,
        unit_tz text NOT NULL,
        responsible text,
        supervising_leader text,
        measures text,
        rectification_class text NOT NULL CHECK (rectification_class IN ('immediate', 'deadline', 'standing')),
        deadline date,
        original_deadline date,
        milestones jsonb NOT NULL DEFAULT '[]',
        status text NOT NULL CHECK (status IN ('open', 'in_progress', 'pending_review', 'closed', 'cancelled')),
        closed_at timestamptz,
        closed_on_time boolean,
        verified_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        returned_count integer NOT NULL DEFAULT 0,
        version integer NOT NULL DEFAULT 1,
        search_grams text[] GENERATED ALWAYS AS (text_bigrams(title || ' ' || coalesce(description, ''))) STORED,
        created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
        CHECK (NOT is_common OR parent_id IS NULL)
      )`);
    await q.query(`CREATE INDEX ticket_scope ON ticket (unit_path text_pattern_ops, status)`);
    await q.query(`CREATE INDEX ticket_deadline ON ticket (deadline) WHERE status IN ('open', 'in_progress', 'pending_review')`);
    await q.query(`CREATE INDEX ticket_created ON ticket (created_at DESC)`);
    await q.query(`CREATE INDEX ticket_unit ON ticket (unit_id, status)`);
    await q.query(`CREATE INDEX ticket_inspection ON ticket (inspection_id)`);
    await q.query(`CREATE INDEX ticket_parent ON ticket (parent_id) WHERE parent_id IS NOT NULL`);
    await q.query(`CREATE INDEX ticket_closed ON ticket (closed_at) WHERE closed_at IS NOT NULL`);
    await q.query(`CREATE INDEX ticket_search ON ticket USING gin (search_grams)`);

    await q.query(`
      CREATE FUNCTION org_unit_follow_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE ticket SET unit_path = NEW.path, unit_tz = NEW.timezone WHERE unit_id = NEW.id;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER org_unit_follow_tickets AFTER UPDATE OF path, timezone ON org_unit
        FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path OR OLD.timezone IS DISTINCT FROM NEW.timezone)
        EXECUTE FUNCTION org_unit_follow_tickets()`);

    // The history of every ticket: who, when, from which state to which, why. Append-only.
    await q.query(`
      CREATE TABLE ticket_event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ticket_id uuid NOT NULL REFERENCES ticket (id) ON DELETE RESTRICT,
        kind text NOT NULL CHECK (kind IN ('created', 'transition', 'deadline_changed', 'evidence_added', 'auto_transition', 'updated')),
        action text,
        from_status text,
        to_status text,
        actor_id uuid REFERENCES app_user (id) ON DELETE SET NULL,
        actor_name text,
        comment text,
        data jsonb,
        at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ticket_event_ticket ON ticket_event (ticket_id, id)`);
    await q.query(`CREATE INDEX ticket_event_returns ON ticket_event (at) WHERE action = 'return'`);
    await q.query(`
      CREATE FUNCTION ticket_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ticket history is append-only: % is not allowed', TG_OP USING ERRCODE = 'P0001';
      END $$`);
    await q.query(`
      CREATE TRIGGER ticket_event_append_only BEFORE UPDATE OR DELETE ON ticket_event
        FOR EACH ROW EXECUTE FUNCTION ticket_event_append_only()`);

    // Evidence files (佐证材料) are stored once by content; a ticket links to them.
    await q.query(`
      CREATE TABLE evidence_file (
        sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        size bigint NOT NULL CHECK (size > 0),
        media_type text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE ticket_evidence (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id uuid NOT NULL REFERENCES ticket (id) ON DELETE RESTRICT,
        sha256 text NOT NULL REFERENCES evidence_file (sha256) ON DELETE RESTRICT,
        filename text NOT NULL,
        uploaded_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        uploaded_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ticket_evidence_ticket ON ticket_evidence (ticket_id, uploaded_at)`);

    // A request sent again with the same Idempotency-Key answers with the first result.
    await q.query(`
      CREATE TABLE idempotency_key (
        user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
        scope text NOT NULL,
        key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
        request_hash text NOT NULL,
        response jsonb,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, scope, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_key`);
    await q.query(`DROP TABLE ticket_evidence`);
    await q.query(`DROP TABLE evidence_file`);
    await q.query(`DROP TABLE ticket_event`);
    await q.query(`DROP FUNCTION ticket_event_append_only`);
    await q.query(`DROP TRIGGER org_unit_follow_tickets ON org_unit`);
    await q.query(`DROP FUNCTION org_unit_follow_tickets`);
    await q.query(`DROP TABLE ticket`);
    await q.query(`DROP TABLE ticket_sequence`);
    await q.query(`DROP TABLE inspection`);
    await q.query(`DROP FUNCTION text_bigrams`);
  }
}
