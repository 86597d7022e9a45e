import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Walks every route with a user of each role and with a user of another village (cmy_team, a
 * member in another township): an id outside the scope is a 404, a role that may not act is a
 * 403. Every route in the OpenAPI document must have a row here, so a new route cannot ship
 * without its scope being tested.
 */
const USERS = ['admin', 'county_admin', 'zc_leader', 'zc_inspector', 'zc_team1', 'bh_viewer', 'cmy_team'] as const;
type User = (typeof USERS)[number];
type Expect = Record<User, number>;

interface Ids {
  township: string;
  village: string;
  group: string;
  team1: string;
}

interface Case {
  /** Builds and sends the request as `user`; may prepare records first (as admin). */
  send(t: TestApp, token: string, ids: Ids, user: User): Promise<{ status: number; body: unknown }>;
  expect: Expect;
  /** Optional check of what a 200 list returns. */
  check?(body: unknown, user: User, ids: Ids): void;
}

const all = (status: number): Expect => Object.fromEntries(USERS.map((u) => [u, status])) as Expect;
const adminsOnly = (others: number, outsider = 404, member = others): Expect => ({
  admin: 200,
  county_admin: 200,
  zc_leader: others,
  zc_inspector: others,
  zc_team1: member,
  bh_viewer: others,
  cmy_team: outsider,
});
const withCreated = (e: Expect): Expect => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v === 200 ? 201 : v])) as Expect;

let seq = 0;
const unique = (prefix: string) => `${prefix}${++seq}`;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const CASES: Record<string, Case | 'public'> = {
  'POST /api/v1/auth/login': 'public',
  'GET /api/v1/health': 'public',
  'GET /api/v1/health/ready': 'public',
  'GET /api/v1/auth/me': {
    send: (t, token) => t.http().get('/api/v1/auth/me').set(bearer(token)),
    expect: all(200),
  },
  'POST /api/v1/auth/password': {
    // Only ever the caller's own password: a wrong current password is refused for everyone.
    send: (t, token) =>
      t.http().post('/api/v1/auth/password').set(bearer(token)).send({ currentPassword: 'wrong', newPassword: 'whatever-1' }),
    expect: all(401),
  },
  'POST /api/v1/org-units': {
    send: (t, token, ids) =>
      t
        .http()
        .post('/api/v1/org-units')
        .set(bearer(token))
        .send({ name: unique('走查村'), kind: 'village', parentId: ids.township }),
    expect: withCreated(adminsOnly(403, 404, 404)),
  },
  'GET /api/v1/org-units': {
    send: (t, token) => t.http().get('/api/v1/org-units?pageSize=200').set(bearer(token)),
    expect: all(200),
    check: (body, user, ids) => {
      const seen = (body as { items: Array<{ id: string }> }).items.some((u) => u.id === ids.village);
      expect(seen).toBe(user !== 'cmy_team');
    },
  },
  'POST /api/v1/org-units/import': {
    send: (t, token) =>
      t
        .http()
        .post('/api/v1/org-units/import?dryRun=true')
        .set(bearer(token))
        .attach('file', Buffer.from(`名称,类型,上级\n${unique('导入村')},村,白河县/中厂镇\n`), 'x.csv'),
    expect: { ...adminsOnly(403, 403), zc_team1: 403 },
  },
  'GET /api/v1/org-units/{id}': {
    send: (t, token, ids) => t.http().get(`/api/v1/org-units/${ids.village}`).set(bearer(token)),
    expect: { ...all(200), cmy_team: 404 },
  },
  'PATCH /api/v1/org-units/{id}': {
    send: (t, token, ids) => t.http().patch(`/api/v1/org-units/${ids.village}`).set(bearer(token)).send({ name: '中厂镇第一社区' }),
    expect: adminsOnly(403, 404, 403),
  },
  'DELETE /api/v1/org-units/{id}': {
    send: async (t, token, ids) => {
      const admin = await t.login('admin');
      const made = await t
        .http()
        .post('/api/v1/org-units')
        .set(bearer(admin))
        .send({ name: unique('待删村'), kind: 'village', parentId: ids.township });
      return t.http().delete(`/api/v1/org-units/${made.body.id}`).set(bearer(token));
    },
    expect: { ...adminsOnly(403, 404, 404), admin: 204, county_admin: 204 },
  },
  'GET /api/v1/org-units/{id}/assignments': {
    send: (t, token, ids) => t.http().get(`/api/v1/org-units/${ids.group}/assignments`).set(bearer(token)),
    expect: { ...all(200), zc_team1: 404, cmy_team: 404 },
  },
  'PUT /api/v1/org-units/{id}/assignments': {
    send: (t, token, ids) => t.http().put(`/api/v1/org-units/${ids.group}/assignments`).set(bearer(token)).send({ unitIds: [] }),
    expect: adminsOnly(403, 404, 404),
  },
  'POST /api/v1/users': {
    send: (t, token, ids) =>
      t
        .http()
        .post('/api/v1/users')
        .set(bearer(token))
        .send({
          username: unique('walk_user'),
          password: 'password-1',
          displayName: '走查',
          memberships: [{ unitId: ids.village, role: 'member' }],
        }),
    expect: withCreated(adminsOnly(403, 403, 403)),
  },
  'GET /api/v1/users': {
    send: (t, token) => t.http().get('/api/v1/users?pageSize=200').set(bearer(token)),
    expect: all(200),
    check: (body, user, ids) => {
      const seen = (body as { items: Array<{ id: string }> }).items.some((u) => u.id === ids.team1);
      expect(seen).toBe(user !== 'cmy_team');
    },
  },
  'GET /api/v1/users/{id}': {
    send: (t, token, ids) => t.http().get(`/api/v1/users/${ids.team1}`).set(bearer(token)),
    expect: { ...all(200), cmy_team: 404 },
  },
  'PATCH /api/v1/users/{id}': {
    send: (t, token, ids) => t.http().patch(`/api/v1/users/${ids.team1}`).set(bearer(token)).send({ displayName: '第一社区工作队' }),
    expect: adminsOnly(403, 404, 403),
  },
  'PUT /api/v1/users/{id}/memberships': {
    send: (t, token, ids) =>
      t
        .http()
        .put(`/api/v1/users/${ids.team1}/memberships`)
        .set(bearer(token))
        .send({ memberships: [{ unitId: ids.village, role: 'member' }] }),
    expect: adminsOnly(403, 404, 403),
  },
};

describe('scope on every route', () => {
  let t: TestApp;
  const tokens = {} as Record<User, string>;
  let ids: Ids;

  beforeAll(async () => {
    t = await startTestApp();
    for (const u of USERS) tokens[u] = await t.login(u);
    const db = t.app.get(DataSource);
    const id = async (sql: string) => (await db.query<Array<{ id: string }>>(sql))[0].id;
    ids = {
      township: await id(`SELECT id FROM org_unit WHERE name = '中厂镇'`),
      village: await id(`SELECT id FROM org_unit WHERE name = '中厂镇第一社区'`),
      group: await id(`SELECT id FROM org_unit WHERE name = '中厂镇效能督查组'`),
      team1: await id(`SELECT id FROM app_user WHERE username = 'zc_team1'`),
    };
  });
  afterAll(() => t.close());

  it('has a row for every route in the OpenAPI document', async () => {
    const doc = await t.http().get('/api/docs-json');
    expect(doc.status).toBe(200);
    const routes = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((r) => !(r in CASES))).toEqual([]);
    expect(Object.keys(CASES).filter((r) => !routes.includes(r))).toEqual([]);
  });

  const rows = Object.entries(CASES).flatMap(([route, c]) => (c === 'public' ? [] : USERS.map((u) => [route, u, c.expect[u]] as const)));
  it.each(rows)('%s as %s → %d', async (route, user, status) => {
    const c = CASES[route] as Case;
    const res = await c.send(t, tokens[user], ids, user);
    if (res.status !== status) throw new Error(`${route} as ${user}: ${res.status} ${JSON.stringify(res.body)}`);
    if (status >= 400) expect(res.body).toMatchObject({ statusCode: status, error: expect.any(String), message: expect.any(String) });
    if (status === 200) c.check?.(res.body, user, ids);
  });

  it('answers 404 for an unknown id and for a malformed one alike', async () => {
    for (const path of ['/api/v1/org-units/00000000-0000-4000-8000-000000000000', '/api/v1/org-units/not-an-id', '/api/v1/users/12345']) {
      const res = await t.http().get(path).set(bearer(tokens.admin));
      expect(res.status).toBe(404);
    }
  });
});
