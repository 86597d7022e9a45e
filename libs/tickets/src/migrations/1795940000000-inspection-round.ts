import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An inspection carries its round (轮次, 第三轮) and the date of its feedback document (反馈文号
 * and its date), so that the ledger is kept, filtered and counted per round and per document.
 */
export class InspectionRound1795940000000 implements MigrationInterface {
  name = 'InspectionRound1795940000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE inspection ADD COLUMN round text, ADD COLUMN doc_date date`);
    await q.query(`CREATE INDEX inspection_round_idx ON inspection (round) WHERE round IS NOT NULL`);
    await q.query(`CREATE INDEX inspection_doc_number_idx ON inspection (doc_number) WHERE doc_number IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX inspection_doc_number_idx`);
    await q.query(`DROP INDEX inspection_round_idx`);
    await q.query(`ALTER TABLE inspection DROP COLUMN doc_date, DROP COLUMN round`);
  }
}
