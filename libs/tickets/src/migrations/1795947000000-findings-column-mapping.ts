import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The column mapping last used for a findings list from an issuing body (检查单位): which header
 * of its sheets holds each field, so that its next list imports without mapping them again.
 */
export class FindingsColumnMapping1795947000000 implements MigrationInterface {
  name = 'FindingsColumnMapping1795947000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE findings_column_mapping (
        issued_by text PRIMARY KEY,
        mapping jsonb NOT NULL CHECK (jsonb_typeof(mapping) = 'object'),
        updated_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE findings_column_mapping`);
  }
}
