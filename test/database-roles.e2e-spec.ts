import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { SERVICE_ROLE } from '../libs/platform/src/migrations/1795900000001-service-role';
import { bearer, unitId } from './support/fixtures';
import { createTestDatabase, realServer, TestDatabase } from './support/database';
import { startTestApp, TestApp } from './support/test-app';

/** Connects as `user` to the database behind `url`. */
async function connectAs(url: string, user: string): Promise<Client> {
  const u = new URL(url);
  u.username = user;
  const client = new Client({ connectionString: u.toString() });
  await client.connect();
  return client;
}

/**
 * Migrations run as the schema owner (DATABASE_OWNER_URL); the service connects as a login role
 * that is a member of rectification_service, which may read and write rows and nothing more: it
 * cannot wipe the history, alter a table or switch the append-only triggers off.
 */
describe('two database roles', () => {
  const login = `rt_service_${randomBytes(4).toString('hex')}`;
  let db: TestDatabase;
  let owner: Client;
  let t: TestApp;
  let service: Client;

  beforeAll(async () => {
    const server = await realServer();
    expect(server).toBeDefined();
    db = await createTestDatabase();
    owner = new Client({ connectionString: db.url });
    await owner.connect();
    // What the README's set-up does once per server: the group role and a login that is a member of it.
    await owner.query(
      `DO $$ BEGIN CREATE ROLE ${SERVICE_ROLE} NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
    );
    await owner.query(`CREATE ROLE ${login} LOGIN IN ROLE ${SERVICE_ROLE}`);
    const serviceUrl = new URL(db.url);
    serviceUrl.username = login;
    t = await startTestApp({ database: db, env: { DATABASE_URL: serviceUrl.toString(), DATABASE_OWNER_URL: db.url } });
    service = await connectAs(db.url, login);
  });

  afterAll(async () => {
    await service?.end();
    await owner?.end();
    await t?.close();
    await db?.drop();
    const server = new Client({ connectionString: await realServer() });
    await server.connect();
    await server.query(`DROP ROLE IF EXISTS ${login}`);
    await server.end();
  });

  it('runs the service as the less privileged role, with the schema owned by the owner', async () => {
    const [{ current_user }] = (await service.query('SELECT current_user')).rows;
    expect(current_user).toBe(login);
    const { rows } = await owner.query(`SELECT tableowner FROM pg_tables WHERE tablename IN ('ticket_event', 'document')`);
    expect(rows.map((r: { tableowner: string }) => r.tableowner)).toEqual(['postgres', 'postgres']);
    const { rows: running } = await owner.query(
      `SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'rectification-tracker'`,
    );
    expect(running.map((r: { usename: string }) => r.usename)).toEqual([login]);
  });

  it('works the whole close-out loop as that role', async () => {
    const inspector = await t.login('zc_inspector');
    const res = await t
      .http()
      .post('/api/v1/issues')
      .set(bearer(inspector))
      .send({ title: '低保公示信息未及时更新', unitId: await unitId(t, '中厂镇第一社区'), deadline: '2032-01-31' });
    expect(res.status).toBe(201);
    const team = await t.login('zc_team1');
    expect((await t.http().post(`/api/v1/issues/${res.body.id}/transitions`).set(bearer(team)).send({ action: 'start' })).status).toBe(200);
    expect((await t.http().get(`/api/v1/issues/${res.body.id}/history/verify`).set(bearer(team))).body).toMatchObject({
      ok: true,
      entries: 2,
    });
  });

  it.each([
    ['wipe the history', 'TRUNCATE ticket_event', /permission denied/],
    ['wipe the documents', 'TRUNCATE document', /permission denied/],
    ['switch the history trigger off', 'ALTER TABLE ticket_event DISABLE TRIGGER ticket_event_append_only', /must be (the )?owner/],
    ['switch the document trigger off', 'ALTER TABLE document DISABLE TRIGGER document_immutable', /must be (the )?owner/],
    ['set triggers aside for the session', 'SET session_replication_role = replica', /permission denied/],
    ['change a history entry', `UPDATE ticket_event SET comment = '改' WHERE seq = 1`, /append-only/],
    ['drop the history', 'DROP TABLE ticket_event', /must be (the )?owner/],
  ])('cannot %s', async (_what, sql, refusal) => {
    await expect(service.query(sql)).rejects.toThrow(refusal);
  });
});
