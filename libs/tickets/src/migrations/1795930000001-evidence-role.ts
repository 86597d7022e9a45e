import { MigrationInterface, QueryRunner } from 'typeorm';

/** A piece of evidence may be marked as the photo before (整改前) or after (整改后) the work. */
export class EvidenceRole1795930000001 implements MigrationInterface {
  name = 'EvidenceRole1795930000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket_evidence ADD COLUMN role text CHECK (role IN ('before', 'after'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket_evidence DROP COLUMN role`);
  }
}
