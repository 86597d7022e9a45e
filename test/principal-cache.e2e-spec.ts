import { PreparedQueries } from '@app/platform';
import { DataSource } from 'typeorm';
import { bearer, raiseTicket, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Two API processes on one database: a principal one process keeps is dropped at its next
 * request when the other process (or any writer of the database) changes what it is made of.
 */
describe('kept principals and revocation across processes', () => {
  let a: TestApp;
  let b: TestApp;
  let admin: string;

  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp({ database: a.database });
    admin = await a.login('admin', 'admin-password');
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const me = (app: TestApp, token: string) => app.http().get('/api/v1/auth/me').set(bearer(token));
  const userIdOf = async (username: string): Promise<string> =>
    (await a.app.get(DataSource).query(`SELECT id FROM app_user WHERE username = $1`, [username]))[0].id;

  it('reads a principal once and then only the change counter, while nothing changes', async () => {
    const token = await b.login('zc_team1');
    const prepared = b.app.get(PreparedQueries);
    const spy = jest.spyOn(prepared, 'query');
    try {
      for (let i = 0; i < 3; i++) expect((await me(b, token)).status).toBe(200);
      const principalReads = spy.mock.calls.filter(([sql]) => sql.includes('FROM app_user u')).length;
      const counterReads = spy.mock.calls.filter(([sql]) => sql.trim() === 'SELECT epoch FROM principal_epoch').length;
      expect(principalReads).toBeLessThanOrEqual(1);
      expect(counterReads).toBeGreaterThanOrEqual(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('a user disabled on one process is refused on the other at its next request', async () => {
    const token = await b.login('zc_team2');
    expect((await me(b, token)).status).toBe(200);
    const res = await a
      .http()
      .patch(`/api/v1/users/${await userIdOf('zc_team2')}`)
      .set(bearer(admin))
      .send({ active: false });
    expect(res.status).toBe(200);
    const after = await me(b, token);
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ error: expect.anything() });
  });

  it('a password changed on one process ends older sessions on the other at once', async () => {
    const old = await b.login('cmy_team');
    expect((await me(b, old)).status).toBe(200);
    const res = await a
      .http()
      .post('/api/v1/auth/password')
      .set(bearer(old))
      .send({ currentPassword: 'Demo@2026', newPassword: 'a-new-password' });
    expect(res.status).toBe(200);
    expect((await me(b, old)).status).toBe(401);
    expect((await me(b, res.body.accessToken)).status).toBe(200);
  });

  it('a membership replaced on one process changes what the other lets the user read at once', async () => {
    const inspector = await a.login('zc_inspector');
    const v1 = await unitId(a, '中厂镇第一社区');
    const v2 = await unitId(a, '中厂镇第二社区');
    const ticket = await raiseTicket(a, inspector, { title: '道路护栏缺失', unitId: v1, deadline: '2026-12-20' });
    const team = await b.login('zc_team1');
    expect((await b.http().get(`/api/v1/issues/${ticket}`).set(bearer(team))).status).toBe(200);
    const res = await a
      .http()
      .put(`/api/v1/users/${await userIdOf('zc_team1')}/memberships`)
      .set(bearer(admin))
      .send({ memberships: [{ unitId: v2, role: 'member' }] });
    expect(res.status).toBe(200);
    expect((await b.http().get(`/api/v1/issues/${ticket}`).set(bearer(team))).status).toBe(404);
  });

  it('a change written straight to the database (another process, a script) is seen at once too', async () => {
    const token = await b.login('zc_leader');
    expect((await me(b, token)).body).toMatchObject({ displayName: expect.any(String) });
    await a.app.get(DataSource).query(`UPDATE app_user SET display_name = '中厂镇新书记' WHERE username = 'zc_leader'`);
    expect((await me(b, token)).body).toMatchObject({ displayName: '中厂镇新书记' });
    await a.app.get(DataSource).query(`UPDATE app_user SET active = false WHERE username = 'zc_leader'`);
    expect((await me(b, token)).status).toBe(401);
  });
});
