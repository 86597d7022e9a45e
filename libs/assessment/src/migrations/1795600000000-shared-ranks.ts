import { MigrationInterface, QueryRunner } from 'typeorm';

/** Teams of equal score share a rank (1, 1, 3), so a rank may be held by several teams of a month. */
export class SharedRanks1795600000000 implements MigrationInterface {
  name = 'SharedRanks1795600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ranking DROP CONSTRAINT ranking_rank_once`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ranking ADD CONSTRAINT ranking_rank_once UNIQUE (township_id, period, rank)`);
  }
}
