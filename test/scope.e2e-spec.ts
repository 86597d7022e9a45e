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
  inspection: string;
  ticket: string;
  evidence: string;
  task: string;
  selfCheck: string;
  notification: string;
  bulletin: string;
  evaluationList: string;
  campaign: string;
  household: string;
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

/** Township readers: everyone but a member of a single village and the outsider. */
const townshipReaders = (status: number): Expect => ({ ...all(status), zc_team1: 404, cmy_team: 404 });
/** Leaders and admins of the township act; inspector and viewer may not; others do not see it. */
const townshipLeaders = (status: number): Expect => ({ ...townshipReaders(status), zc_inspector: 403, bh_viewer: 403 });
/** Everyone who can see the village's records, i.e. all but the outsider. */
const villageReaders = (status: number): Expect => ({ ...all(status), cmy_team: 404 });
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e9e5b0a60000000049454e44ae426082',
  'hex',
);
let periodSeq = 0;
/** A month of its own for each call, so that one-per-month records do not collide. */
const freshPeriod = () =>
  `20${String(10 + Math.floor(periodSeq / 12)).padStart(2, '0')}-${String((periodSeq++ % 12) + 1).padStart(2, '0')}`;

async function freshTicket(t: TestApp, ids: Ids): Promise<string> {
  const admin = await t.login('admin');
  const res = await t
    .http()
    .post('/api/v1/issues')
    .set(bearer(admin))
    .send({ title: unique('走查问题'), unitId: ids.village, deadline: '2031-12-31' });
  return res.body.id as string;
}

const roster = (head: string) =>
  Buffer.from(`户主,身份证号,村,组,人数,属性\n${head},,中厂镇第一社区,1组,4,建档立卡\n${head}弟,,中厂镇第一社区,2组,3,已脱贫\n`);

async function freshCampaign(t: TestApp, ids: Ids, households = false): Promise<string> {
  const admin = await t.login('admin');
  const res = await t
    .http()
    .post('/api/v1/campaigns')
    .set(bearer(admin))
    .send({ title: unique('走查核查'), kind: 'identification', unitId: ids.township, period: '2026-07' });
  const id = res.body.id as string;
  if (households) {
    await t
      .http()
      .post(`/api/v1/campaigns/${id}/households/import`)
      .set(bearer(admin))
      .attach('file', roster(unique('户主')), 'r.csv');
  }
  return id;
}

async function freshDraft(t: TestApp, ids: Ids): Promise<string> {
  const admin = await t.login('admin');
  const res = await t
    .http()
    .post('/api/v1/task-lists')
    .set(bearer(admin))
    .send({
      unitId: ids.township,
      period: freshPeriod(),
      tasks: [{ title: '入户走访', target: 30, measureUnit: '户', unitIds: [ids.village], deadline: '2099-12-31' }],
    });
  return res.body.id as string;
}

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
  'POST /api/v1/inspections': {
    send: (t, token, ids) =>
      t
        .http()
        .post('/api/v1/inspections')
        .set(bearer(token))
        .send({ source: 'supervision', title: unique('督查'), issuedBy: '效能督查组', date: '2026-07-28', unitId: ids.township }),
    expect: { ...townshipReaders(201), bh_viewer: 403 },
  },
  'GET /api/v1/inspections': {
    send: (t, token) => t.http().get('/api/v1/inspections?pageSize=200').set(bearer(token)),
    expect: all(200),
    check: (body, user, ids) => {
      const seen = (body as { items: Array<{ id: string }> }).items.some((i) => i.id === ids.inspection);
      expect(seen).toBe(user !== 'cmy_team' && user !== 'zc_team1');
    },
  },
  'GET /api/v1/inspections/{id}': {
    send: (t, token, ids) => t.http().get(`/api/v1/inspections/${ids.inspection}`).set(bearer(token)),
    expect: townshipReaders(200),
  },
  'POST /api/v1/inspections/{id}/findings/import': {
    send: (t, token, ids) =>
      t
        .http()
        .post(`/api/v1/inspections/${ids.inspection}/findings/import?dryRun=true`)
        .set(bearer(token))
        .attach('file', Buffer.from('问题描述,责任单位,整改时限\n走查问题,中厂镇第一社区,2031-12-31\n'), 'f.csv'),
    expect: { ...townshipReaders(200), bh_viewer: 403 },
  },
  'GET /api/v1/ticket-categories': { send: (t, token) => t.http().get('/api/v1/ticket-categories').set(bearer(token)), expect: all(200) },
  'POST /api/v1/issues': {
    send: (t, token, ids) =>
      t
        .http()
        .post('/api/v1/issues')
        .set(bearer(token))
        .send({ title: unique('走查问题'), unitId: ids.village, deadline: '2031-12-31' }),
    expect: { ...villageReaders(201), zc_team1: 403, bh_viewer: 403 },
  },
  'GET /api/v1/issues': {
    send: (t, token) => t.http().get('/api/v1/issues?pageSize=200').set(bearer(token)),
    expect: all(200),
    check: (body, user, ids) => {
      const seen = (body as { items: Array<{ id: string }> }).items.some((i) => i.id === ids.ticket);
      expect(seen).toBe(user !== 'cmy_team');
    },
  },
  'GET /api/v1/issues/counts': {
    send: (t, token, ids) => t.http().get(`/api/v1/issues/counts?unitId=${ids.village}`).set(bearer(token)),
    expect: villageReaders(200),
  },
  'GET /api/v1/issues/{id}': {
    send: (t, token, ids) => t.http().get(`/api/v1/issues/${ids.ticket}`).set(bearer(token)),
    expect: villageReaders(200),
  },
  'GET /api/v1/issues/{id}/history': {
    send: (t, token, ids) => t.http().get(`/api/v1/issues/${ids.ticket}/history`).set(bearer(token)),
    expect: villageReaders(200),
  },
  'GET /api/v1/issues/{id}/history/verify': {
    send: (t, token, ids) => t.http().get(`/api/v1/issues/${ids.ticket}/history/verify`).set(bearer(token)),
    expect: villageReaders(200),
    check: (body) => expect(body).toMatchObject({ ok: true }),
  },
  'GET /api/v1/issues/{id}/dossier': {
    send: (t, token, ids) => t.http().get(`/api/v1/issues/${ids.ticket}/dossier?format=html`).set(bearer(token)),
    expect: villageReaders(200),
  },
  'POST /api/v1/issues/{id}/transitions': {
    send: async (t, token, ids) =>
      t
        .http()
        .post(`/api/v1/issues/${await freshTicket(t, ids)}/transitions`)
        .set(bearer(token))
        .send({ action: 'extend', reason: '走查', deadline: '2032-06-30' }),
    expect: { ...villageReaders(200), zc_inspector: 403, zc_team1: 403, bh_viewer: 403 },
  },
  'POST /api/v1/issues/{id}/evidence': {
    send: (t, token, ids) => t.http().post(`/api/v1/issues/${ids.ticket}/evidence`).set(bearer(token)).attach('file', PNG, 'photo.png'),
    expect: { ...villageReaders(201), zc_inspector: 403, bh_viewer: 403 },
  },
  'GET /api/v1/issues/{id}/evidence': {
    send: (t, token, ids) => t.http().get(`/api/v1/issues/${ids.ticket}/evidence`).set(bearer(token)),
    expect: villageReaders(200),
  },
  'GET /api/v1/issues/{id}/evidence/{evidenceId}': {
    send: (t, token, ids) => t.http().get(`/api/v1/issues/${ids.ticket}/evidence/${ids.evidence}`).set(bearer(token)),
    expect: villageReaders(200),
  },
  'GET /api/v1/cycles': {
    send: (t, token, ids) => t.http().get(`/api/v1/cycles?unitId=${ids.township}&period=2026-07`).set(bearer(token)),
    expect: townshipReaders(200),
  },
  'POST /api/v1/cycles/{period}/steps/{step}/run': {
    send: (t, token, ids) => t.http().post(`/api/v1/cycles/2026-01/steps/review/run?unitId=${ids.township}`).set(bearer(token)),
    expect: townshipLeaders(200),
  },
  'GET /api/v1/units/{id}/calendar': {
    send: (t, token, ids) => t.http().get(`/api/v1/units/${ids.township}/calendar`).set(bearer(token)),
    // The calendar is read by the township's leaders, viewers and administrators, as the console shows it.
    expect: { ...townshipReaders(200), zc_inspector: 403 },
  },
  'PUT /api/v1/units/{id}/calendar': {
    send: async (t, token, ids) => {
      const admin = await t.login('admin');
      const current = await t.http().get(`/api/v1/units/${ids.township}/calendar`).set(bearer(admin));
      return t.http().put(`/api/v1/units/${ids.township}/calendar`).set(bearer(token)).send({ config: current.body.config });
    },
    expect: townshipLeaders(200),
  },
  'GET /api/v1/units/{id}/webhook': {
    send: (t, token, ids) => t.http().get(`/api/v1/units/${ids.village}/webhook`).set(bearer(token)),
    expect: { ...villageReaders(200), zc_inspector: 403, zc_team1: 403, bh_viewer: 403 },
  },
  'PUT /api/v1/units/{id}/webhook': {
    send: (t, token, ids) =>
      t
        .http()
        .put(`/api/v1/units/${ids.village}/webhook`)
        .set(bearer(token))
        .send({ url: 'http://127.0.0.1:9/hook', style: 'wecom', enabled: false }),
    expect: { ...villageReaders(200), zc_inspector: 403, zc_team1: 403, bh_viewer: 403 },
  },
  'DELETE /api/v1/units/{id}/webhook': {
    send: (t, token, ids) => t.http().delete(`/api/v1/units/${ids.village}/webhook`).set(bearer(token)),
    expect: { ...villageReaders(204), zc_inspector: 403, zc_team1: 403, bh_viewer: 403 },
  },
  'GET /api/v1/units/{id}/webhook/deliveries': {
    send: (t, token, ids) => t.http().get(`/api/v1/units/${ids.village}/webhook/deliveries`).set(bearer(token)),
    expect: { ...villageReaders(200), zc_inspector: 403, zc_team1: 403, bh_viewer: 403 },
  },
  'GET /api/v1/accountability': {
    send: (t, token, ids) => t.http().get(`/api/v1/accountability?unitId=${ids.township}`).set(bearer(token)),
    expect: townshipReaders(200),
  },
  'GET /api/v1/notifications': { send: (t, token) => t.http().get('/api/v1/notifications').set(bearer(token)), expect: all(200) },
  'POST /api/v1/notifications/read-all': {
    send: (t, token) => t.http().post('/api/v1/notifications/read-all').set(bearer(token)),
    expect: all(200),
  },
  'POST /api/v1/notifications/{id}/read': {
    // A notice to the members of 第一社区: only they receive it.
    send: (t, token, ids) => t.http().post(`/api/v1/notifications/${ids.notification}/read`).set(bearer(token)),
    expect: { ...all(404), zc_team1: 204 },
  },
  'POST /api/v1/task-lists': {
    send: (t, token, ids) =>
      t
        .http()
        .post('/api/v1/task-lists')
        .set(bearer(token))
        .send({
          unitId: ids.township,
          period: freshPeriod(),
          tasks: [{ title: '入户走访', target: 30, unitIds: [ids.village], deadline: '2099-12-31' }],
        }),
    expect: townshipLeaders(201),
  },
  'GET /api/v1/task-lists': {
    send: (t, token, ids) => t.http().get(`/api/v1/task-lists?unitId=${ids.township}`).set(bearer(token)),
    expect: townshipReaders(200),
  },
  'GET /api/v1/task-lists/{id}': {
    send: async (t, token, ids) =>
      t
        .http()
        .get(`/api/v1/task-lists/${await freshDraft(t, ids)}`)
        .set(bearer(token)),
    expect: townshipReaders(200),
  },
  'PUT /api/v1/task-lists/{id}/tasks': {
    send: async (t, token, ids) =>
      t
        .http()
        .put(`/api/v1/task-lists/${await freshDraft(t, ids)}/tasks`)
        .set(bearer(token))
        .send({ tasks: [{ title: '政策宣讲', unitIds: [ids.village], deadline: '2099-12-31' }] }),
    expect: townshipLeaders(200),
  },
  'POST /api/v1/task-lists/{id}/dispatch': {
    send: async (t, token, ids) =>
      t
        .http()
        .post(`/api/v1/task-lists/${await freshDraft(t, ids)}/dispatch`)
        .set(bearer(token)),
    expect: townshipLeaders(200),
  },
  'GET /api/v1/tasks': {
    send: (t, token, ids) => t.http().get(`/api/v1/tasks?unitId=${ids.village}`).set(bearer(token)),
    expect: villageReaders(200),
  },
  'GET /api/v1/tasks/{id}': {
    send: (t, token, ids) => t.http().get(`/api/v1/tasks/${ids.task}`).set(bearer(token)),
    expect: villageReaders(200),
  },
  'POST /api/v1/tasks/{id}/progress': {
    send: (t, token, ids) => t.http().post(`/api/v1/tasks/${ids.task}/progress`).set(bearer(token)).send({ actual: 3, comment: '走访3户' }),
    expect: { ...villageReaders(200), zc_inspector: 403, bh_viewer: 403 },
  },
  'POST /api/v1/self-checks': {
    send: (t, token, ids) =>
      t
        .http()
        .post('/api/v1/self-checks')
        .set(bearer(token))
        .send({ unitId: ids.village, period: freshPeriod(), summary: '本月自查情况', checklist: [], problems: [] }),
    expect: { ...villageReaders(201), zc_inspector: 403, bh_viewer: 403 },
  },
  'GET /api/v1/self-checks': {
    send: (t, token, ids) => t.http().get(`/api/v1/self-checks?unitId=${ids.village}&period=2026-07`).set(bearer(token)),
    expect: villageReaders(200),
  },
  'GET /api/v1/self-checks/checklist': {
    send: (t, token) => t.http().get('/api/v1/self-checks/checklist').set(bearer(token)),
    expect: all(200),
  },
  'GET /api/v1/self-checks/{id}': {
    send: (t, token, ids) => t.http().get(`/api/v1/self-checks/${ids.selfCheck}`).set(bearer(token)),
    expect: villageReaders(200),
  },
  'GET /api/v1/documents': {
    send: (t, token, ids) => t.http().get(`/api/v1/documents?unitId=${ids.township}&subtree=true`).set(bearer(token)),
    expect: townshipReaders(200),
    check: (body, _user, ids) => {
      const items = (body as { items: Array<{ id: string }> }).items.map((d) => d.id);
      expect(items).toEqual(expect.arrayContaining([ids.bulletin, ids.evaluationList]));
    },
  },
  'POST /api/v1/documents': {
    // A correction (更正) of a freshly issued bulletin, so every row has something to correct.
    send: async (t, token, ids) => {
      const period = freshPeriod();
      const admin = await t.login('admin');
      await t.http().post(`/api/v1/cycles/${period}/steps/supervision/run?unitId=${ids.township}`).set(bearer(admin));
      const issued = await t.http().get(`/api/v1/documents?unitId=${ids.township}&kind=bulletin&period=${period}`).set(bearer(admin));
      const corrects = (issued.body as { items: Array<{ id: string }> }).items[0].id;
      return t.http().post('/api/v1/documents').set(bearer(token)).send({ kind: 'bulletin', unitId: ids.township, period, corrects });
    },
    expect: withCreated({ ...townshipReaders(200), bh_viewer: 403 }),
  },
  'GET /api/v1/documents/{id}': {
    send: (t, token, ids) => t.http().get(`/api/v1/documents/${ids.bulletin}`).set(bearer(token)),
    // A township's bulletins, evaluation lists and rankings are addressed to its teams too.
    expect: { ...townshipReaders(200), zc_team1: 200 },
  },
  'GET /api/v1/documents/{id}/html': {
    send: (t, token, ids) => t.http().get(`/api/v1/documents/${ids.bulletin}/html`).set(bearer(token)),
    // A township's bulletins, evaluation lists and rankings are addressed to its teams too.
    expect: { ...townshipReaders(200), zc_team1: 200 },
  },
  'GET /api/v1/documents/{id}/pdf': {
    send: (t, token, ids) => t.http().get(`/api/v1/documents/${ids.bulletin}/pdf`).set(bearer(token)),
    // A township's bulletins, evaluation lists and rankings are addressed to its teams too.
    expect: { ...townshipReaders(200), zc_team1: 200 },
  },
  'GET /api/v1/documents/{id}/docx': {
    send: (t, token, ids) => t.http().get(`/api/v1/documents/${ids.bulletin}/docx`).set(bearer(token)),
    // A township's bulletins, evaluation lists and rankings are addressed to its teams too.
    expect: { ...townshipReaders(200), zc_team1: 200 },
  },
  'GET /api/v1/documents/{id}/xlsx': {
    send: (t, token, ids) => t.http().get(`/api/v1/documents/${ids.evaluationList}/xlsx`).set(bearer(token)),
    // A township's bulletins, evaluation lists and rankings are addressed to its teams too.
    expect: { ...townshipReaders(200), zc_team1: 200 },
  },
  'GET /api/v1/documents/{id}/csv': {
    send: (t, token, ids) => t.http().get(`/api/v1/documents/${ids.evaluationList}/csv`).set(bearer(token)),
    // A township's bulletins, evaluation lists and rankings are addressed to its teams too.
    expect: { ...townshipReaders(200), zc_team1: 200 },
  },
  'GET /api/v1/ledger': {
    send: (t, token, ids) => t.http().get(`/api/v1/ledger?unitId=${ids.township}`).set(bearer(token)),
    expect: townshipReaders(200),
  },
  'GET /api/v1/rankings': {
    send: (t, token, ids) => t.http().get(`/api/v1/rankings?unitId=${ids.township}&period=2026-07`).set(bearer(token)),
    // A township's bulletins, evaluation lists and rankings are addressed to its teams too.
    expect: { ...townshipReaders(200), zc_team1: 200 },
  },
  'PATCH /api/v1/issues/{id}': {
    send: async (t, token, ids) => {
      const id = await freshTicket(t, ids);
      const admin = await t.login('admin');
      const { version } = (await t.http().get(`/api/v1/issues/${id}`).set(bearer(admin))).body as { version: number };
      return t.http().patch(`/api/v1/issues/${id}`).set(bearer(token)).send({ responsible: '张三', measures: '逐户核实', version });
    },
    expect: { ...villageReaders(200), bh_viewer: 403 },
  },
  'POST /api/v1/campaigns': {
    send: (t, token, ids) =>
      t
        .http()
        .post('/api/v1/campaigns')
        .set(bearer(token))
        .send({ title: unique('核查'), kind: 'exit', unitId: ids.township, period: '2026-07' }),
    expect: withCreated({ ...townshipReaders(200), bh_viewer: 403 }),
  },
  'GET /api/v1/campaigns': {
    send: (t, token) => t.http().get('/api/v1/campaigns').set(bearer(token)),
    expect: all(200),
    check: (body, user, ids) => {
      const seen = (body as Array<{ id: string }>).some((c) => c.id === ids.campaign);
      expect(seen).toBe(user !== 'cmy_team');
    },
  },
  'GET /api/v1/campaigns/{id}': {
    send: (t, token, ids) => t.http().get(`/api/v1/campaigns/${ids.campaign}`).set(bearer(token)),
    expect: villageReaders(200),
  },
  'GET /api/v1/campaigns/{id}/households': {
    send: (t, token, ids) => t.http().get(`/api/v1/campaigns/${ids.campaign}/households`).set(bearer(token)),
    expect: villageReaders(200),
  },
  'POST /api/v1/campaigns/{id}/households/import': {
    send: (t, token, ids) =>
      t
        .http()
        .post(`/api/v1/campaigns/${ids.campaign}/households/import`)
        .set(bearer(token))
        .attach('file', roster(unique('户主')), 'r.csv'),
    expect: { ...townshipReaders(200), zc_team1: 403, bh_viewer: 403 },
  },
  'POST /api/v1/campaigns/{id}/sample': {
    send: async (t, token, ids) =>
      t
        .http()
        .post(`/api/v1/campaigns/${await freshCampaign(t, ids, true)}/sample`)
        .set(bearer(token))
        .send({ seed: 'scope', month: '2026-07' }),
    expect: { ...townshipReaders(200), zc_team1: 403, bh_viewer: 403 },
  },
  'POST /api/v1/campaigns/{id}/verdicts': {
    send: (t, token, ids) =>
      t
        .http()
        .post(`/api/v1/campaigns/${ids.campaign}/verdicts`)
        .set(bearer(token))
        .send({ items: [{ householdId: ids.household, verdict: 'correct' }] }),
    expect: { ...villageReaders(200), bh_viewer: 403 },
  },
  'GET /api/v1/campaigns/{id}/report': {
    send: (t, token, ids) => t.http().get(`/api/v1/campaigns/${ids.campaign}/report`).set(bearer(token)),
    expect: villageReaders(200),
  },
};

describe('scope on every route', () => {
  let t: TestApp;
  const tokens = {} as Record<User, string>;
  let ids: Ids;

  beforeAll(async () => {
    t = await startTestApp({ env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
    for (const u of USERS) tokens[u] = await t.login(u);
    const db = t.app.get(DataSource);
    const id = async (sql: string) => (await db.query<Array<{ id: string }>>(sql))[0].id;
    const base = {
      township: await id(`SELECT id FROM org_unit WHERE name = '中厂镇'`),
      village: await id(`SELECT id FROM org_unit WHERE name = '中厂镇第一社区'`),
      group: await id(`SELECT id FROM org_unit WHERE name = '中厂镇效能督查组'`),
      team1: await id(`SELECT id FROM app_user WHERE username = 'zc_team1'`),
    };
    const admin = tokens.admin;
    const inspection = await id(`SELECT i.id FROM inspection i JOIN org_unit u ON u.id = i.unit_id WHERE u.name = '中厂镇'`);
    const ticket = await id(
      `SELECT t.id FROM ticket t JOIN org_unit u ON u.id = t.unit_id WHERE u.name = '中厂镇第一社区' AND t.status = 'in_progress' LIMIT 1`,
    );
    const evidence = (await t.http().post(`/api/v1/issues/${ticket}/evidence`).set(bearer(admin)).attach('file', PNG, 'p.png')).body
      .id as string;
    const list = await t
      .http()
      .post('/api/v1/task-lists')
      .set(bearer(admin))
      .send({
        unitId: base.township,
        period: '2026-07',
        tasks: [{ title: '入户走访', target: 30, measureUnit: '户', unitIds: [base.village], deadline: '2099-12-31' }],
      });
    await t.http().post(`/api/v1/task-lists/${list.body.id}/dispatch`).set(bearer(admin));
    const task = await id(`SELECT id FROM task WHERE task_list_id = '${list.body.id}'`);
    const selfCheck = (
      await t
        .http()
        .post('/api/v1/self-checks')
        .set(bearer(tokens.zc_team1))
        .send({ unitId: base.village, period: '2026-07', summary: '自查', checklist: [], problems: [] })
    ).body.id as string;
    const notification = await id(`SELECT id FROM notification WHERE unit_id = '${base.village}' AND audience = 'members' LIMIT 1`);
    await t.http().post(`/api/v1/cycles/2026-07/steps/supervision/run?unitId=${base.township}`).set(bearer(admin));
    const doc = (kind: string) =>
      id(`SELECT id FROM document WHERE unit_id = '${base.township}' AND kind = '${kind}' AND period = '2026-07' AND corrects_id IS NULL`);
    const [bulletin, evaluationList] = [await doc('bulletin'), await doc('evaluation_list')];
    const partial = { ...base, inspection, ticket, evidence, task, selfCheck, notification, bulletin, evaluationList };
    const campaign = await freshCampaign(t, { ...partial, campaign: '', household: '' }, true);
    const household = await id(
      `SELECT household_id AS id FROM campaign_household WHERE campaign_id = '${campaign}' AND attribute = 'registered' LIMIT 1`,
    );
    ids = { ...partial, campaign, household };
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
