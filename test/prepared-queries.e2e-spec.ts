import { PreparedQueries } from '@app/platform';
import { startTestApp, TestApp } from './support/test-app';

describe('prepared queries', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('names a statement by its text', () => {
    const prepared = t.app.get(PreparedQueries);
    expect(prepared.nameOf('SELECT 1')).toBe(prepared.nameOf('SELECT 1'));
    expect(prepared.nameOf('SELECT 1')).not.toBe(prepared.nameOf('SELECT 2'));
    expect(prepared.nameOf('SELECT 1')).toMatch(/^rt_[0-9a-f]{24}$/);
  });

  it('runs a statement with its parameters and keeps it prepared on the server', async () => {
    const prepared = t.app.get(PreparedQueries);
    const sql = `SELECT username FROM app_user WHERE username = ANY($1::text[]) ORDER BY username`;
    expect(await prepared.query(sql, [['zc_team1', 'zc_leader', 'nobody']])).toEqual([{ username: 'zc_leader' }, { username: 'zc_team1' }]);
    expect(await prepared.query(sql, [['admin']])).toEqual([{ username: 'admin' }]);
    // The pool lends out the connection it got back last, where the statement was just prepared.
    const names = await prepared.query<{ name: string }>(`SELECT name FROM pg_prepared_statements`, []);
    if (t.database.embedded) expect(names).toEqual([]);
    else expect(names.map((n) => n.name)).toContain(prepared.nameOf(sql));
  });
});
