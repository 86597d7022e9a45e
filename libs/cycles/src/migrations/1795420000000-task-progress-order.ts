import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A task's progress entries in the order they were written. Two entries in one clock tick have
 * the same `created_at`; an identity column orders them without ties.
 */
export class TaskProgressOrder1795420000000 implements MigrationInterface {
  name = 'TaskProgressOrder1795420000000';

  async up(q: QueryRunner): Promise<void> {
    // Existing entries are numbered in their time order, so that the history reads as it did.
    await q.query(`ALTER TABLE task_progress ADD COLUMN seq bigint`);
    await q.query(`
      UPDATE task_progress p SET seq = o.n
        FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM task_progress) o
       WHERE o.id = p.id`);
    await q.query(`ALTER TABLE task_progress ALTER COLUMN seq SET NOT NULL`);
    await q.query(`ALTER TABLE task_progress ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY`);
    await q.query(`SELECT setval(pg_get_serial_sequence('task_progress', 'seq'), coalesce(max(seq), 0) + 1, false) FROM task_progress`);
    await q.query(`DROP INDEX task_progress_task`);
    await q.query(`CREATE INDEX task_progress_task ON task_progress (task_id, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX task_progress_task`);
    await q.query(`ALTER TABLE task_progress DROP COLUMN seq`);
    await q.query(`CREATE INDEX task_progress_task ON task_progress (task_id, created_at)`);
  }
}
