import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An accountability record (追责问责) has a ground: `overdue` (逾期未整改, a ticket past its
 * deadline and the grace period; the records written before) or `repeat` (屡查屡犯, a new ticket
 * that repeats a closed one). Only an overdue record has a deadline and days overdue; only a
 * repeat record names the closed ticket repeated. A repeat ticket opens at most one record.
 */
export class AccountabilityGround1796213907341 implements MigrationInterface {
  name = 'AccountabilityGround1796213907341';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE accountability_record
        ADD COLUMN ground text NOT NULL DEFAULT 'overdue' CONSTRAINT accountability_ground CHECK (ground IN ('overdue', 'repeat')),
        ADD COLUMN repeat_of uuid REFERENCES ticket (id) ON DELETE RESTRICT,
        ALTER COLUMN deadline DROP NOT NULL,
        ALTER COLUMN days_overdue DROP NOT NULL,
        ADD CONSTRAINT accountability_ground_facts CHECK (
          CASE ground
            WHEN 'overdue' THEN deadline IS NOT NULL AND days_overdue IS NOT NULL AND repeat_of IS NULL
            ELSE deadline IS NULL AND days_overdue IS NULL AND repeat_of IS NOT NULL
          END)`);
    await q.query(`CREATE UNIQUE INDEX accountability_repeat_once ON accountability_record (ticket_id) WHERE ground = 'repeat'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM accountability_record WHERE ground = 'repeat'`);
    await q.query(`DROP INDEX accountability_repeat_once`);
    await q.query(`
      ALTER TABLE accountability_record
        DROP CONSTRAINT accountability_ground_facts,
        DROP COLUMN repeat_of,
        DROP COLUMN ground,
        ALTER COLUMN deadline SET NOT NULL,
        ALTER COLUMN days_overdue SET NOT NULL`);
  }
}
