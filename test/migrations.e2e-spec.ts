import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../libs/platform/src/database/data-source-options';
import { MIGRATIONS } from '../apps/schema/migrations';
import { createTestDatabase, TestDatabase } from './support/database';

/** Upgrades from earlier schemas keep the data that is already there. */
describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  async function migrate(upTo: string | undefined): Promise<DataSource> {
    const end = upTo ? MIGRATIONS.findIndex((m) => m.name === upTo) + 1 : MIGRATIONS.length;
    expect(end).toBeGreaterThan(0);
    const source = new DataSource({
      ...dataSourceOptions({ url: db.url, poolSize: 2, migrations: MIGRATIONS }),
      migrations: MIGRATIONS.slice(0, end),
    });
    await source.initialize();
    await source.runMigrations({ transaction: 'each' });
    return source;
  }

  it('numbers existing task progress in time order and keeps numbering new entries after them', async () => {
    const before = await migrate('Assessment1795400000001');
    try {
      await before.query(`
        WITH u AS (INSERT INTO org_unit (name, kind, path, depth, timezone) VALUES ('县', 'county', '/c/', 1, 'Asia/Shanghai') RETURNING id),
             l AS (INSERT INTO task_list (unit_id, period, title, status, created_at, updated_at)
                   SELECT id, '2026-05', '五月任务', 'draft', now(), now() FROM u RETURNING id),
             t AS (INSERT INTO task (task_list_id, item_no, title, assignee_unit_id, deadline, created_at, updated_at)
                   SELECT l.id, 1, '危房排查', u.id, '2026-05-31', now(), now() FROM l, u RETURNING id)
        INSERT INTO task_progress (task_id, actual, comment, created_at)
        SELECT t.id, v.actual, v.comment, v.at::timestamptz FROM t,
               (VALUES (3, 'third', '2026-05-20T10:00:00Z'), (1, 'first', '2026-05-02T10:00:00Z'), (2, 'second', '2026-05-11T10:00:00Z')) AS v(actual, comment, at)`);
    } finally {
      await before.destroy();
    }

    const after = await migrate(undefined);
    try {
      const [{ task_id }] = await after.query(`SELECT task_id FROM task_progress LIMIT 1`);
      await after.query(
        `INSERT INTO task_progress (task_id, actual, comment, created_at) VALUES ($1, 4, 'fourth', '2026-05-01T00:00:00Z')`,
        [task_id],
      );
      const rows = await after.query(`SELECT comment FROM task_progress WHERE task_id = $1 ORDER BY seq`, [task_id]);
      expect(rows.map((r: { comment: string }) => r.comment)).toEqual(['first', 'second', 'third', 'fourth']);
      await expect(after.query(`UPDATE task_progress SET seq = 99`)).rejects.toThrow(/seq/);
    } finally {
      await after.destroy();
    }
  });
});
