import { FakeClock } from '@app/platform';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, csv, PDF, unitId } from './support/fixtures';
import request from 'supertest';
import { startTestApp, TestApp } from './support/test-app';

const photo = (name: string) => readFileSync(join(__dirname, 'fixtures', 'photos', name));

interface Warning {
  code: string;
  message: string;
  distanceKm?: number;
  evidenceId?: string;
  filename?: string;
}

// The fixture photos were taken at 29°59′24″N 109°28′48″E (29.99, 109.48), the road photo in
// the county seat at 29°27′N 109°24′E (29.45, 109.40).
const AT_THE_VILLAGE = { lat: 29.991, lon: 109.481 };
const COUNTY_SEAT = { lat: 29.45, lon: 109.4 };

describe('evidence warnings: far from the unit, before the verifier decides, before/after pairs', () => {
  // 10:00 on 10 November 2026 in Shanghai; the phone photos were taken on 20 and 21 November.
  const clock = new FakeClock('2026-11-10T02:00:00Z');
  const configDir = mkdtempSync(join(tmpdir(), 'rt-categories-'));
  let t: TestApp;
  let admin: string;
  let inspector: string;
  let team1: string;
  let team2: string;
  let township: string;
  let village1: string;
  let village2: string;

  beforeAll(async () => {
    writeFileSync(
      join(configDir, 'ticket-categories.yaml'),
      ['categories:', '  - 精准识别', '  - 政策落实', '  - { name: 住房安全保障, beforeAfter: true }', '  - 基础工作', ''].join('\n'),
    );
    t = await startTestApp({ clock, env: { CONFIG_DIR: configDir, EVIDENCE_FAR_FROM_UNIT_KM: '5' } });
    admin = await t.login('admin');
    inspector = await t.login('zc_inspector');
    team1 = await t.login('zc_team1');
    team2 = await t.login('zc_team2');
    township = await unitId(t, '中厂镇');
    village1 = await unitId(t, '中厂镇第一社区');
    village2 = await unitId(t, '中厂镇第二社区');
  });
  afterAll(async () => {
    await t.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  async function raise(unit: string, title: string, category?: string): Promise<{ id: string; code: string }> {
    const res = await t
      .http()
      .post('/api/v1/issues')
      .set(bearer(inspector))
      .send({ title, unitId: unit, deadline: '2026-12-20', responsible: '张三', measures: '督促整改', ...(category ? { category } : {}) });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body;
  }

  async function upload(token: string, ticketId: string, data: Buffer, name: string, role?: string) {
    const req = t.http().post(`/api/v1/issues/${ticketId}/evidence`).set(bearer(token));
    const res = await (role ? req.field('role', role) : req).attach('file', data, name);
    expect(res.status).toBe(201);
    return res.body as { id: string; role: string | null; warnings: Warning[] };
  }

  const act = (token: string, id: string, body: Record<string, unknown>) =>
    t.http().post(`/api/v1/issues/${id}/transitions`).set(bearer(token)).send(body);
  const setLocation = (id: string, body: Record<string, unknown>) =>
    t.http().patch(`/api/v1/org-units/${id}`).set(bearer(admin)).send(body);
  const codes = (w: Warning[]) => w.map((x) => x.code);

  describe('unit locations', () => {
    it('are set through the org tree, checked for range and pairing, and shown on the unit', async () => {
      expect((await t.http().get(`/api/v1/org-units/${township}`).set(bearer(admin))).body.location).toBeNull();

      const tooFar = await setLocation(township, { lat: 91, lon: 109.4 });
      expect(tooFar.status).toBe(400);
      expect(tooFar.body.details.fields.map((f: { field: string }) => f.field)).toContain('lat');
      const half = await setLocation(township, { lat: 29.45 });
      expect(half.status).toBe(400);
      expect(half.body.details.fields[0].field).toBe('lon');
      const text = await setLocation(township, { lat: '北纬29度', lon: 109.4 });
      expect(text.status).toBe(400);

      const set = await setLocation(township, COUNTY_SEAT);
      expect(set.status).toBe(200);
      expect(set.body.location).toEqual(COUNTY_SEAT);
      const shown = await t.http().get(`/api/v1/org-units/${township}`).set(bearer(admin));
      expect(shown.body).toMatchObject({ name: '中厂镇', location: COUNTY_SEAT });
      // Another change leaves the location alone.
      expect((await setLocation(township, { code: '422825101' })).body.location).toEqual(COUNTY_SEAT);
    });

    it('come with the org import as 经度 and 纬度, and a bad cell is named', async () => {
      const good = csv([
        ['名称', '类型', '上级', '经度', '纬度'],
        ['长潭河乡', '乡镇', '白河县', '109.52', '29.83'],
        ['两河口村', '村', '白河县/长潭河乡', '', ''],
      ]);
      const res = await t.http().post('/api/v1/org-units/import').set(bearer(admin)).attach('file', good, '乡镇村.csv');
      expect(res.status).toBe(200);
      const [town, village] = res.body.units as Array<{ id: string }>;
      expect((await t.http().get(`/api/v1/org-units/${town.id}`).set(bearer(admin))).body.location).toEqual({ lat: 29.83, lon: 109.52 });
      expect((await t.http().get(`/api/v1/org-units/${village.id}`).set(bearer(admin))).body.location).toBeNull();

      const bad = csv([
        ['名称', '类型', '上级', '经度', '纬度'],
        ['沙道沟镇', '乡镇', '白河县', '209.1', '29.7'],
        ['李家河镇', '乡镇', '白河县', '109.6', ''],
      ]);
      const refused = await t.http().post('/api/v1/org-units/import').set(bearer(admin)).attach('file', bad, '乡镇.csv');
      expect(refused.status).toBe(422);
      expect(refused.body.details.rows).toEqual([
        { row: 2, column: '经度', message: expect.stringContaining('"209.1" is not a longitude') },
        { row: 3, column: '纬度', message: 'give both 经度 and 纬度, or neither' },
      ]);
    });
  });

  describe('far_from_unit', () => {
    it('warns on a photo taken far from the village, judged by the township when the village has no location', async () => {
      const ticket = await raise(village2, '唐某某户危房改造屋面漏雨未修缮');
      const far = await upload(team2, ticket.id, photo('house-after.jpg'), 'IMG_20261120_101500.jpg');
      expect(codes(far.warnings)).toEqual(['far_from_unit']);
      expect(far.warnings[0].message).toMatch(/^照片拍摄地点距中厂镇约 6\d 公里，超过 5 公里$/);
      expect(far.warnings[0].distanceKm).toBeGreaterThan(55);
      expect(far.warnings[0].distanceKm).toBeLessThan(65);
    });

    it('does not warn once the village has its own location where the photo was taken', async () => {
      expect((await setLocation(village1, AT_THE_VILLAGE)).status).toBe(200);
      const ticket = await raise(village1, '某组产业路边沟堵塞未清理');
      const near = await upload(team1, ticket.id, photo('field.jpg'), 'IMG_20261121_090500.jpg');
      expect(near.warnings).toEqual([]);
      // A photo taken in the county seat is far from the village, and the warning names the village.
      const road = await upload(team1, ticket.id, photo('road-county-seat.jpg'), 'IMG_20261122_143000.jpg');
      expect(codes(road.warnings)).toEqual(['far_from_unit']);
      expect(road.warnings[0].message).toMatch(/^照片拍摄地点距中厂镇第一社区约 6\d 公里，超过 5 公里$/);
      // The same picture on the second community's ticket is judged by the township, whose seat it shows.
      const other = await raise(village2, '某组通组公路路面破损');
      const atTown = await upload(team2, other.id, photo('road-county-seat.jpg'), 'IMG_20261122_143000.jpg');
      expect(codes(atTown.warnings)).toEqual(['duplicate']);
      // Clearing the village's location falls back to the township again.
      expect((await setLocation(village1, { lat: null, lon: null })).body.location).toBeNull();
      const again = await raise(village1, '某组产业路护栏缺失');
      expect(codes((await upload(team1, again.id, photo('field.jpg'), 'IMG_2.jpg')).warnings)).toContain('far_from_unit');
      expect((await setLocation(village1, AT_THE_VILLAGE)).status).toBe(200);
    });
  });

  describe('the verifier sees the warnings and gives a reason to approve over them', () => {
    let ticket: { id: string; code: string };
    let screenshotId: string;

    beforeAll(async () => {
      ticket = await raise(village1, '村级公示栏低保名单未及时更新');
      expect((await act(team1, ticket.id, { action: 'start' })).status).toBe(200);
      screenshotId = (await upload(team1, ticket.id, photo('screenshot.png'), 'Screenshot_20261121.png')).id;
      const submitted = await act(team1, ticket.id, {
        action: 'submit',
        comment: '已重新公示低保名单，公示页面截图见附件',
        evidenceIds: [screenshotId],
      });
      expect(submitted.status).toBe(200);
    });

    it('shows each warning with its evidence on the ticket and in the verification queue', async () => {
      const detail = await t.http().get(`/api/v1/issues/${ticket.id}`).set(bearer(inspector));
      expect(detail.status).toBe(200);
      expect(detail.body.evidenceWarnings).toEqual([
        {
          evidenceId: screenshotId,
          filename: 'Screenshot_20261121.png',
          code: 'no_capture_time',
          message: '照片没有拍摄时间（可能是截图或转发的图片）',
        },
      ]);
      const queue = await t.http().get('/api/v1/issues?status=pending_review&approvable=true').set(bearer(inspector));
      expect(queue.status).toBe(200);
      const inQueue = queue.body.items.find((i: { id: string }) => i.id === ticket.id);
      expect(codes(inQueue.evidenceWarnings)).toEqual(['no_capture_time']);
      // The team does not verify its own work: the ticket is not in its queue.
      const teamQueue = await t.http().get('/api/v1/issues?status=pending_review&approvable=true').set(bearer(team1));
      expect(teamQueue.body.items.map((i: { id: string }) => i.id)).not.toContain(ticket.id);
    });

    it('refuses an approval without a reason, and records the reason with the warning codes', async () => {
      const bare = await act(inspector, ticket.id, { action: 'approve' });
      expect(bare.status).toBe(400);
      expect(bare.body.details.fields).toEqual([{ field: 'comment', messages: [expect.stringContaining('no_capture_time')] }]);
      const blank = await act(inspector, ticket.id, { action: 'approve', comment: '   ' });
      expect(blank.status).toBe(400);
      expect((await t.http().get(`/api/v1/issues/${ticket.id}`).set(bearer(inspector))).body.status).toBe('pending_review');

      const reason = '截图系村务公开平台页面，已电话核实村委会，公示栏现场照片无异常';
      const approved = await act(inspector, ticket.id, { action: 'approve', comment: reason });
      expect(approved.status).toBe(200);
      expect(approved.body.status).toBe('closed');
      const history = await t.http().get(`/api/v1/issues/${ticket.id}/history`).set(bearer(inspector));
      const entry = history.body.find((h: { action: string | null }) => h.action === 'approve');
      expect(entry.comment).toBe(reason);
      expect(entry.data.evidenceWarnings).toEqual({ codes: ['no_capture_time'], reason });
    });

    it('approves a ticket without warnings without asking for a reason', async () => {
      const pdfTicket = await raise(village1, '某组饮水工程管护制度未上墙');
      await act(team1, pdfTicket.id, { action: 'start' });
      const doc = await upload(team1, pdfTicket.id, PDF, '管护制度.pdf');
      expect(doc.warnings).toEqual([]);
      expect((await act(team1, pdfTicket.id, { action: 'submit', comment: '制度已上墙', evidenceIds: [doc.id] })).status).toBe(200);
      const approved = await act(inspector, pdfTicket.id, { action: 'approve' });
      expect(approved.status).toBe(200);
      expect(approved.body.evidenceWarnings).toEqual([]);
      const history = await t.http().get(`/api/v1/issues/${pdfTicket.id}/history`).set(bearer(inspector));
      expect(history.body.find((h: { action: string | null }) => h.action === 'approve').data.evidenceWarnings).toBeUndefined();
    });

    it('shows the warnings and asks for the reason on the console’s verification page', async () => {
      const other = await raise(village1, '某户厕所改造化粪池未封闭');
      await act(team1, other.id, { action: 'start' });
      const shot = await upload(team1, other.id, photo('screenshot.png'), '微信截图.png');
      expect((await act(team1, other.id, { action: 'submit', comment: '已封闭', evidenceIds: [shot.id] })).status).toBe(200);
      const { text: page } = await consolePage(t, 'zc_inspector', '/verify');
      expect(page).toContain(other.code);
      expect(page).toContain('佐证材料预警');
      expect(page).toContain('照片没有拍摄时间');
      expect(page).toContain(`id="approve-comment-${other.id}"`);
      const { text: ticketPage } = await consolePage(t, 'zc_inspector', `/tickets/${other.id}`);
      expect(ticketPage).toContain('佐证材料预警');
      expect(ticketPage).toContain('微信截图.png');
      expect(ticketPage).toMatch(/<textarea id="comment-approve" name="comment"[^>]*required/);
    });
  });

  describe('before/after photo pairs', () => {
    it('refuses a submit of a beforeAfter category without a photo marked before and one marked after', async () => {
      const ticket = await raise(village1, '谭某某户危房改造未完成', '住房安全保障');
      await act(team1, ticket.id, { action: 'start' });
      const before = await upload(team1, ticket.id, photo('house-last-year.jpg'), '整改前.jpg', '整改前');
      expect(before.role).toBe('before');
      const afterRes = await t
        .http()
        .post(`/api/v1/issues/${ticket.id}/evidence?role=after`)
        .set(bearer(team1))
        .attach('file', photo('house-after.jpg'), '整改后.jpg');
      expect(afterRes.status).toBe(201);
      const after = afterRes.body as { id: string; role: string };
      expect(after.role).toBe('after');
      const listed = await t.http().get(`/api/v1/issues/${ticket.id}/evidence`).set(bearer(team1));
      const roles = Object.fromEntries(listed.body.map((e: { id: string; role: string | null }) => [e.id, e.role]));
      expect(roles).toEqual({ [before.id]: 'before', [after.id]: 'after' });

      const onlyAfter = await act(team1, ticket.id, { action: 'submit', comment: '屋面已翻修', evidenceIds: [after.id] });
      expect(onlyAfter.status).toBe(400);
      expect(onlyAfter.body.details.fields[0].field).toBe('evidenceIds');
      expect(onlyAfter.body.details.fields[0].messages[0]).toContain('住房安全保障 needs a before/after photo pair (beforeAfter)');
      expect(onlyAfter.body.details.fields[0].messages[0]).toContain('missing before');

      // The team's ticket page marks a photo as it uploads it.
      const { agent, text } = await consolePage(t, 'zc_team1', `/tickets/${ticket.id}`);
      expect(text).toContain('<select id="photo-role" name="role">');
      const csrf = decodeURIComponent(/evidence\?_csrf=([^"]+)"/.exec(text)?.[1] ?? '');
      const sent = await agent
        .post(`/tickets/${ticket.id}/evidence?_csrf=${encodeURIComponent(csrf)}`)
        .field('role', 'after')
        .attach('file', photo('house-after-forwarded.jpg'), '整改后2.jpg');
      expect(sent.status).toBe(303);
      const marked = await t.http().get(`/api/v1/issues/${ticket.id}/evidence`).set(bearer(team1));
      expect(marked.body.find((e: { filename: string }) => e.filename === '整改后2.jpg').role).toBe('after');

      const both = await act(team1, ticket.id, { action: 'submit', comment: '屋面已翻修', evidenceIds: [before.id, after.id] });
      expect(both.status).toBe(200);
      expect(both.body.status).toBe('pending_review');
    });

    it('asks nothing of other categories, and refuses an unknown role', async () => {
      const ticket = await raise(village1, '扶贫政策明白卡未张贴', '政策落实');
      await act(team1, ticket.id, { action: 'start' });
      const wrong = await t
        .http()
        .post(`/api/v1/issues/${ticket.id}/evidence`)
        .set(bearer(team1))
        .field('role', '中间')
        .attach('file', photo('field.jpg'), 'x.jpg');
      expect(wrong.status).toBe(400);
      expect(wrong.body.details.fields[0].field).toBe('role');
      const plain = await upload(team1, ticket.id, photo('field.jpg'), '明白卡.jpg');
      expect(plain.role).toBeNull();
      expect((await act(team1, ticket.id, { action: 'submit', comment: '已张贴', evidenceIds: [plain.id] })).status).toBe(200);
    });
  });
});

/** A console page as the user sees it after signing in, with the signed-in agent. */
async function consolePage(t: TestApp, username: string, path: string): Promise<{ agent: ReturnType<typeof request.agent>; text: string }> {
  const agent = request.agent(t.app.getHttpServer());
  const login = await agent.get('/login');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1] ?? '';
  const signedIn = await agent.post('/login').type('form').send({ _csrf: csrf, username, password: 'Demo@2026', next: '/' });
  expect(signedIn.status).toBe(303);
  const page = await agent.get(path);
  expect(page.status).toBe(200);
  return { agent, text: page.text };
}
