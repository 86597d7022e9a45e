import { MigrationInterface, QueryRunner } from 'typeorm';

const KINDS = `'task_list', 'self_check_report', 'rectification_list', 'progress_list', 'bulletin', 'evaluation_list', 'ledger'`;

/** Documents of record (bulletins, lists, ledgers) and their numbering per issuer, kind and year. */
export class Documents1795450000000 implements MigrationInterface {
  name = 'Documents1795450000000';

  async up(q: QueryRunner): Promise<void> {
    // The last number given per issuer, kind and year; issuing locks its row, so two issues
    // at once take consecutive numbers instead of the same one.
    await q.query(`
      CREATE TABLE document_sequence (
        issuer_unit_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN (${KINDS})),
        year integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
        last_number integer NOT NULL CHECK (last_number >= 0),
        PRIMARY KEY (issuer_unit_id, kind, year)
      )`);

    await q.query(`
      CREATE TABLE document (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN (${KINDS})),
        unit_id uuid NOT NULL REFERENCES org_unit (id),
        issuer_unit_id uuid NOT NULL REFERENCES org_unit (id),
        period text NOT NULL CHECK (period ~ '^[0-9]{4}(-(0[1-9]|1[0-2]))?$'),
        year integer NOT NULL,
        number integer NOT NULL CHECK (number >= 1),
        number_label text NOT NULL,
        title text NOT NULL,
        issuer_name text NOT NULL,
        issued_by uuid REFERENCES app_user (id),
        issued_by_name text,
        issued_at timestamptz NOT NULL,
        locale text NOT NULL CHECK (locale IN ('zh', 'en')),
        data jsonb NOT NULL,
        html text NOT NULL,
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        corrects_id uuid REFERENCES document (id),
        source_output_id uuid,
        CONSTRAINT document_number_once UNIQUE (issuer_unit_id, kind, year, number),
        -- A step's output is issued once, and a document is corrected once (correct the latest).
        CONSTRAINT document_output_once UNIQUE (source_output_id),
        CONSTRAINT document_corrected_once UNIQUE (corrects_id),
        CHECK (corrects_id IS NULL OR corrects_id <> id)
      )`);
    await q.query(`CREATE INDEX document_lookup ON document (unit_id, kind, period)`);
    await q.query(`CREATE INDEX document_issued ON document (issued_at DESC)`);

    // Nothing edits or removes a document of record; a correction is a new document.
    await q.query(`
      CREATE FUNCTION document_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'document % is a document of record: it cannot be changed or deleted; issue a correction', OLD.id
          USING ERRCODE = 'integrity_constraint_violation';
      END $$`);
    await q.query(`
      CREATE TRIGGER document_immutable BEFORE UPDATE OR DELETE ON document
        FOR EACH ROW EXECUTE FUNCTION document_refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE document`);
    await q.query(`DROP FUNCTION document_refuse_change()`);
    await q.query(`DROP TABLE document_sequence`);
  }
}
