import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A task can come from elsewhere than the township's own list: a campaign's cross-inspection
 * assignment (交叉互查) becomes the assigned team's task, named by the assignment's key, once.
 */
export class TaskOrigin1795930000002 implements MigrationInterface {
  name = 'TaskOrigin1795930000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE task ADD COLUMN origin text`);
    await q.query(`CREATE UNIQUE INDEX task_origin ON task (origin) WHERE origin IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX task_origin`);
    await q.query(`ALTER TABLE task DROP COLUMN origin`);
  }
}
