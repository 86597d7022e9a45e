import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeClock } from '@app/platform';
import request from 'supertest';
import { DataSource } from 'typeorm';
import TestAgent from 'supertest/lib/agent';
import { bearer, csv, findingsRows, raiseTicket, unitId } from './support/fixtures';
import { binary } from './support/downloads';
import { startTestApp, TestApp } from './support/test-app';

/** The web console over HTTP: sessions, CSRF, scope, languages and page weight. */
describe('web console (HTTP)', () => {
  const clock = new FakeClock('2026-08-01T02:00:00Z');
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ clock });
  }, 30_000);
  afterAll(() => t.close());

  const csrfOf = (html: string) => {
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error('no CSRF token in the page');
    return m[1];
  };

  /** Every field a browser would post from the page's form whose action is `action`. */
  const formFieldsOf = (html: string, action: string): Record<string, string> => {
    const start = html.indexOf(`<form method="post" action="${action}"`);
    if (start < 0) throw new Error(`no form posting to ${action}`);
    const form = html.slice(start, html.indexOf('</form>', start));
    const text = (v: string) =>
      v
        .replace(/&#x3D;/g, '=')
        .replace(/&quot;/g, '"')
        .replace(/&#x27;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
    const out: Record<string, string> = {};
    for (const [tag] of form.matchAll(/<input\b[^>]*>/g)) {
      const name = /name="([^"]+)"/.exec(tag)?.[1];
      if (!name || (/type="checkbox"/.test(tag) && !/\bchecked\b/.test(tag))) continue;
      out[name] = text(/value="([^"]*)"/.exec(tag)?.[1] ?? '');
    }
    for (const [, name, options] of form.matchAll(/<select[^>]*name="([^"]+)"[^>]*>(.*?)<\/select>/gs)) {
      out[name] = /<option value="([^"]*)" selected/.exec(options)?.[1] ?? /<option value="([^"]*)"/.exec(options)?.[1] ?? '';
    }
    for (const [, name, value] of form.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>(.*?)<\/textarea>/gs)) out[name] = text(value);
    return out;
  };

  /** A browser-like agent (it keeps cookies), signed in as `username`. */
  async function signIn(username: string, password = 'Demo@2026'): Promise<TestAgent> {
    const agent = request.agent(t.app.getHttpServer());
    const page = await agent.get('/login').expect(200);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ username, password, _csrf: csrfOf(page.text), next: '/' });
    expect(res.status).toBe(303);
    return agent;
  }

  it('sends a visitor without a session to the sign-in page, in Chinese by default', async () => {
    const home = await t.http().get('/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/login');
    const tickets = await t.http().get('/tickets?status=open');
    expect(tickets.status).toBe(303);
    expect(tickets.headers.location).toBe('/login?next=%2Ftickets%3Fstatus%3Dopen');
    const login = await t.http().get('/login');
    expect(login.status).toBe(200);
    expect(login.headers['content-type']).toMatch(/^text\/html/);
    expect(login.text).toContain('<html lang="zh-CN">');
    expect(login.text).toMatch(/<label for="username">用户名<\/label>/);
  });

  it('keeps the session in an httpOnly SameSite=Lax cookie and ends it on sign-out', async () => {
    const agent = request.agent(t.app.getHttpServer());
    const page = await agent.get('/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ username: 'zc_team1', password: 'Demo@2026', _csrf: csrfOf(page.text) });
    expect(res.status).toBe(303);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('rt_session='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect((await agent.get('/tickets')).status).toBe(200);
    const tickets = await agent.get('/tickets');
    await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfOf(tickets.text) })
      .expect(303);
    expect((await agent.get('/tickets')).status).toBe(303);
  });

  it('shows a wrong password on the sign-in page', async () => {
    const agent = request.agent(t.app.getHttpServer());
    const page = await agent.get('/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ username: 'zc_team1', password: 'wrong-password', _csrf: csrfOf(page.text) });
    expect(res.status).toBe(401);
    expect(res.text).toContain('用户名或密码错误');
  });

  it('refuses a form post without the CSRF token, or with a forged one', async () => {
    const agent = await signIn('zc_team1');
    const page = await agent.get('/tickets');
    const id = /href="\/tickets\/([0-9a-f-]{36})"/.exec(page.text)?.[1] as string;
    expect(id).toBeDefined();
    const before = await agent.get(`/tickets/${id}`);
    for (const token of [undefined, 'forged-token']) {
      const res = await agent
        .post(`/tickets/${id}/transitions`)
        .type('form')
        .send({ action: 'start', ...(token ? { _csrf: token } : {}) });
      expect(res.status).toBe(403);
      expect(res.text).toContain('表单已过期或来源不明');
    }
    // A multipart upload without the token in its URL is refused before it is read.
    const upload = await agent.post(`/tickets/${id}/evidence`).attach('file', Buffer.from('x'), 'x.png');
    expect(upload.status).toBe(403);
    const after = await agent.get(`/tickets/${id}`);
    expect(/id="ticket-status">([^<]+)</.exec(after.text)?.[1]).toBe(/id="ticket-status">([^<]+)</.exec(before.text)?.[1]);
    // The sign-in form is protected too.
    expect((await t.http().post('/login').type('form').send({ username: 'zc_team1', password: 'Demo@2026' })).status).toBe(403);
  });

  it('links the ticket page to its dossier, as a PDF and as a zip', async () => {
    const agent = await signIn('zc_team1');
    const page = await agent.get('/tickets');
    const id = /href="\/tickets\/([0-9a-f-]{36})"/.exec(page.text)?.[1] as string;
    const ticket = await agent.get(`/tickets/${id}`);
    expect(ticket.text).toContain(`href="/tickets/${id}/dossier"`);
    expect(ticket.text).toContain(`href="/tickets/${id}/dossier?format=zip"`);
    const pdf = await agent.get(`/tickets/${id}/dossier`).buffer(true).parse(binary);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    const zip = await agent.get(`/tickets/${id}/dossier?format=zip`).buffer(true).parse(binary);
    expect(zip.status).toBe(200);
    expect((zip.body as Buffer).subarray(0, 2).toString()).toBe('PK');
  });

  it('answers an id outside the caller’s scope with a 404 page, as for an unknown one', async () => {
    const leader = await t.login('zc_leader');
    const v2 = await unitId(t, '中厂镇第二社区');
    const other = await t.http().get(`/api/v1/issues?unitId=${v2}`).set(bearer(leader));
    const foreignId = other.body.items[0].id as string;
    const agent = await signIn('zc_team1');
    for (const path of [`/tickets/${foreignId}`, '/tickets/00000000-0000-4000-8000-000000000000', '/tickets/not-an-id']) {
      const res = await agent.get(path);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('找不到该页面或记录');
      expect(res.text).not.toContain(other.body.items[0].title);
    }
  });

  it('switches to English with a cookie', async () => {
    const agent = await signIn('zc_team1');
    const res = await agent.get('/lang/en?next=/tickets');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/tickets');
    const page = await agent.get('/tickets');
    expect(page.text).toContain('<html lang="en">');
    expect(page.text).toContain('My tickets');
    const found = await agent.get(`/tickets?q=${encodeURIComponent('危房')}`);
    expect(found.text).toContain('危房');
    expect(found.text).not.toContain('帮扶手册');
    expect((await agent.get('/lang/en?next=//evil.example')).headers.location).toBe('/');
  });

  it('imports findings only after a dry run that lists every bad row, and writes nothing before', async () => {
    const agent = await signIn('zc_inspector');
    const form = await agent.get('/findings');
    const township = /<select id="unitId" name="unitId"><option value="([0-9a-f-]{36})">中厂镇</.exec(form.text)?.[1];
    expect(township).toBeDefined();
    const created = await agent
      .post('/findings')
      .type('form')
      .send({
        _csrf: csrfOf(form.text),
        source: 'supervision',
        title: '县效能督查组8月督查反馈',
        issuedBy: '县效能督查组',
        round: '第三轮',
        docNumber: '县督反馈[2026]8号',
        docDate: '2026-07-29',
        date: '2026-07-30',
        unitId: township,
      });
    expect(created.status).toBe(303);
    const inspectionPath = created.headers.location;
    const recorded = await t
      .http()
      .get(`/api/v1/inspections/${inspectionPath.split('/').pop()}`)
      .set(bearer(await t.login('zc_inspector')));
    expect(recorded.body).toMatchObject({ round: '第三轮', docNumber: '县督反馈〔2026〕8号', docDate: '2026-07-29' });
    const page = await agent.get(inspectionPath);
    const action = /action="(\/findings\/[0-9a-f-]{36}\/check\?_csrf=[^"]+)"/.exec(page.text)?.[1].replace(/&amp;/g, '&') as string;
    expect(action).toBeDefined();

    const bad = findingsRows(3);
    bad[2][3] = '不存在的社区';
    bad[3][6] = '明年';
    const rejected = await agent.post(action).attach('file', csv(bad), 'findings.csv');
    expect(rejected.status).toBe(422);
    expect(rejected.text).toContain('不存在的社区');
    // Each bad row by its sheet row and 序号, told in the console's language (Chinese by default).
    expect(rejected.text.match(/<tr><td>\d+ （序号 \d+）<\/td>/g)?.length).toBeGreaterThanOrEqual(2);
    expect(rejected.text).toContain('<tr><td>3 （序号 2）</td><td>责任单位</td><td>被检查单位内没有名为“不存在的社区”的单位');
    expect(rejected.text).toMatch(/“明年”不是日期/);
    const leader = await t.login('zc_leader');
    const inspectionId = inspectionPath.split('/').pop();
    const none = await t.http().get(`/api/v1/issues?inspectionId=${inspectionId}`).set(bearer(leader));
    expect(none.body.total).toBe(0);

    const good = await agent.post(action).attach('file', csv(findingsRows(4)), 'findings.csv');
    expect(good.status).toBe(200);
    expect(good.text).toContain('4 行全部合格，尚未写入。');
    expect((await t.http().get(`/api/v1/issues?inspectionId=${inspectionId}`).set(bearer(leader))).body.total).toBe(0);
    const data = /name="data" value="([^"]+)"/.exec(good.text)?.[1] as string;
    const filename = /name="filename" value="([^"]+)"/.exec(good.text)?.[1] as string;
    const imported = await agent
      .post(`${inspectionPath}/import`)
      .type('form')
      .send({ _csrf: csrfOf(good.text), data, filename });
    expect(imported.status).toBe(200);
    expect(imported.text).toContain('已导入 4 个问题。');
    expect((await t.http().get(`/api/v1/issues?inspectionId=${inspectionId}`).set(bearer(leader))).body.total).toBe(4);
  });

  it('previews each row as it will be imported, common problems and likely duplicates flagged, before anything is written', async () => {
    const agent = await signIn('zc_inspector');
    const form = await agent.get('/findings');
    const township = /<select id="unitId" name="unitId"><option value="([0-9a-f-]{36})">中厂镇</.exec(form.text)?.[1];
    const created = await agent
      .post('/findings')
      .type('form')
      .send({
        _csrf: csrfOf(form.text),
        source: 'patrol',
        title: '县委第二巡察组反馈',
        issuedBy: '县委第二巡察组',
        date: '2026-07-30',
        unitId: township,
      });
    expect(created.status).toBe(303);
    const page = await agent.get(created.headers.location);
    const action = /action="(\/findings\/[0-9a-f-]{36}\/check\?_csrf=[^"]+)"/.exec(page.text)?.[1].replace(/&amp;/g, '&') as string;
    const list = readFileSync(join(__dirname, 'fixtures', 'findings', 'common-problems.xlsx'));
    const res = await agent.post(action).attach('file', list, 'common-problems.xlsx');
    expect(res.status).toBe(200);
    expect(res.text).toContain('4 行全部合格，尚未写入。');
    const rows = [...res.text.matchAll(/<tr( class="duplicate")?><td>(\d+) （序号 (\d+)）<\/td>(.*?)<\/tr>/g)];
    expect(rows.map((r) => [r[2], r[3], Boolean(r[1])])).toEqual([
      ['5', '1', false],
      ['6', '2', false],
      ['7', '3', true],
      ['9', '4', expect.any(Boolean)],
    ]);
    expect(rows[0][4]).toContain('<strong>共性问题（10 个单位）</strong>：');
    expect(rows[0][4]).toContain('<td>基础工作</td><td>限期整改</td><td>2026-09-30</td><td>已督促各村建立台账</td>');
    expect(rows[1][4]).toContain('<strong>共性问题（2 个单位）</strong>：中厂镇第一社区、中厂镇第二社区');
    expect(rows[2][4]).toContain('<span class="flag">与本表第 6 行相近</span>');
    expect(rows[3][4]).toContain('<td>资金管理</td><td>立行立改</td>');
    expect(res.text).toMatch(/\d+ 行疑似重复，请核对后再导入。/);
    const inspectionId = created.headers.location.split('/').pop();
    const leader = await t.login('zc_leader');
    expect((await t.http().get(`/api/v1/issues?inspectionId=${inspectionId}`).set(bearer(leader))).body.total).toBe(0);
  });

  it('lets the user map the columns of a sheet whose header is not recognised, and imports with that mapping', async () => {
    const agent = await signIn('zc_inspector');
    const form = await agent.get('/findings');
    const township = /<select id="unitId" name="unitId"><option value="([0-9a-f-]{36})">中厂镇</.exec(form.text)?.[1];
    const created = await agent
      .post('/findings')
      .type('form')
      .send({
        _csrf: csrfOf(form.text),
        source: 'supervision',
        title: '便民服务督查',
        issuedBy: '镇便民服务督查组',
        date: '2026-07-30',
        unitId: township,
      });
    const inspectionPath: string = created.headers.location;
    const page = await agent.get(inspectionPath);
    const action = /action="(\/findings\/[0-9a-f-]{36}\/check\?_csrf=[^"]+)"/.exec(page.text)?.[1].replace(/&amp;/g, '&') as string;
    const list = readFileSync(join(__dirname, 'fixtures', 'findings', 'own-headers.xlsx'));
    const rejected = await agent.post(action).attach('file', list, 'own-headers.xlsx');
    expect(rejected.status).toBe(422);
    expect(rejected.text).toContain('“编号”、“发现的情况”、“落实单位”、“办结日期”、“目前进度”');
    // The sheet's first rows, for telling which column is which.
    expect(rejected.text).toContain(
      '<tr><td>1</td><td>便民服务窗口无人值守</td><td>中厂镇第六社区</td><td>2026年9月30日前</td><td>已约谈</td></tr>',
    );
    const mappingForm = formFieldsOf(rejected.text, `${inspectionPath}/check`);
    expect(Object.keys(mappingForm)).toEqual(
      expect.arrayContaining(['data', 'filename', 'map_problem', 'map_unit', 'map_deadline', 'map_progress']),
    );
    expect(rejected.text).toMatch(
      /<select id="map-problem" name="map_problem"><option value="">—<\/option><option value="编号">编号<\/option><option value="发现的情况">/,
    );
    const checked = await agent
      .post(`${inspectionPath}/check`)
      .type('form')
      .send({
        ...mappingForm,
        map_no: '编号',
        map_problem: '发现的情况',
        map_unit: '落实单位',
        map_deadline: '办结日期',
        map_progress: '目前进度',
      });
    expect(checked.status).toBe(200);
    expect(checked.text).toContain('2 行全部合格，尚未写入。');
    expect(checked.text).toContain('<td>便民服务窗口无人值守</td><td>中厂镇第六社区</td>');
    const importForm = formFieldsOf(checked.text, `${inspectionPath}/import`);
    expect(JSON.parse(importForm.mapping)).toEqual({
      no: '编号',
      problem: '发现的情况',
      unit: '落实单位',
      deadline: '办结日期',
      progress: '目前进度',
    });
    const imported = await agent.post(`${inspectionPath}/import`).type('form').send(importForm);
    expect(imported.status).toBe(200);
    expect(imported.text).toContain('已导入 2 个问题。');
    // The same issuing body's next list is read with the mapping it used.
    const next = await agent
      .post('/findings')
      .type('form')
      .send({
        _csrf: csrfOf(form.text),
        source: 'supervision',
        title: '便民服务督查（9月）',
        issuedBy: '镇便民服务督查组',
        date: '2026-07-31',
        unitId: township,
      });
    const nextPage = await agent.get(next.headers.location);
    const nextAction = /action="(\/findings\/[0-9a-f-]{36}\/check\?_csrf=[^"]+)"/.exec(nextPage.text)?.[1].replace(/&amp;/g, '&') as string;
    const again = await agent.post(nextAction).attach('file', list, 'own-headers.xlsx');
    expect(again.status).toBe(200);
    expect(again.text).toContain('2 行全部合格，尚未写入。');
  });

  it('raises a finding by hand in an inspection, a common problem when several units are ticked', async () => {
    const agent = await signIn('zc_inspector');
    const form = await agent.get('/findings');
    const township = /<select id="unitId" name="unitId"><option value="([0-9a-f-]{36})">中厂镇</.exec(form.text)?.[1];
    const created = await agent
      .post('/findings')
      .type('form')
      .send({
        _csrf: csrfOf(form.text),
        source: 'supervision',
        title: '镇效能督查反馈',
        issuedBy: '县效能督查组',
        date: '2026-07-30',
        unitId: township,
      });
    const inspectionPath: string = created.headers.location;
    const page = await agent.get(inspectionPath);
    const fieldsOf = formFieldsOf(page.text, `${inspectionPath}/tickets`);
    expect(fieldsOf).toMatchObject({ unitId: township, rectificationClass: 'deadline' });
    const unitBox = (name: string) =>
      new RegExp(`<input type="checkbox" name="unitIds" value="([0-9a-f-]{36})"> ${name}<`).exec(page.text)?.[1];
    const [first, second] = [unitBox('中厂镇第一社区'), unitBox('中厂镇第二社区')];
    expect(first && second).toBeTruthy();
    const raised = await agent
      .post(`${inspectionPath}/tickets`)
      .type('form')
      .send(
        new URLSearchParams([
          ...Object.entries({
            ...fieldsOf,
            title: '各社区公示栏未及时更新',
            category: '基础工作',
            responsible: '各社区主任',
            deadline: '2026-09-30',
          }),
          ['unitIds', first!],
          ['unitIds', second!],
        ]).toString(),
      );
    expect(raised.status).toBe(303);
    const ticketId = /^\/tickets\/([0-9a-f-]{36})$/.exec(raised.headers.location)?.[1];
    const leader = await t.login('zc_leader');
    const detail = await t.http().get(`/api/v1/issues/${ticketId}`).set(bearer(leader));
    expect(detail.body).toMatchObject({
      isCommon: true,
      unitName: '中厂镇',
      title: '各社区公示栏未及时更新',
      inspectionId: inspectionPath.split('/').pop(),
    });
    expect(detail.body.children.map((c: { unitName: string }) => c.unitName).sort()).toEqual(['中厂镇第一社区', '中厂镇第二社区'].sort());
    // Without a unit ticked it is one ticket; a form the API would refuse is refused the same way.
    const single = await agent
      .post(`${inspectionPath}/tickets`)
      .type('form')
      .send({ ...fieldsOf, title: '会议记录不全', unitId: first, deadline: '2026-10-31' });
    expect(single.status).toBe(303);
    const one = await t
      .http()
      .get(`/api/v1/issues/${single.headers.location.split('/').pop()}`)
      .set(bearer(leader));
    expect(one.body).toMatchObject({ isCommon: false, unitName: '中厂镇第一社区', children: [] });
    const refused = await agent
      .post(`${inspectionPath}/tickets`)
      .type('form')
      .send({ ...fieldsOf, title: '无时限', deadline: '' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('deadline');
    expect(
      (
        await t
          .http()
          .get(`/api/v1/issues?inspectionId=${inspectionPath.split('/').pop()}`)
          .set(bearer(leader))
      ).body.total,
    ).toBe(4); // the common problem, its two units' tickets and the single one
  });

  it('files the monthly self-check, whose problems become the team’s tickets', async () => {
    const agent = await signIn('zc_team2');
    const page = await agent.get('/self-check');
    const unit = /name="unitId" value="([0-9a-f-]{36})"/.exec(page.text)?.[1];
    const statuses = Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`status${i}`, i === 2 ? 'partial' : 'done']));
    const res = await agent
      .post('/self-check')
      .type('form')
      .send({
        _csrf: csrfOf(page.text),
        unitId: unit,
        summary: '本月走访全覆盖',
        problems: '2户饮水不稳定\n1户危房未鉴定',
        deadline: '2026-08-31',
        ...statuses,
      });
    expect(res.status).toBe(303);
    const after = await agent.get('/self-check');
    expect(after.text).toContain('2户饮水不稳定');
    expect(after.text).not.toContain('name="summary"');
    // A malformed form is a 400 page naming the field.
    const bad = await agent
      .post('/self-check')
      .type('form')
      .send({ _csrf: csrfOf(after.text), unitId: unit, summary: 'x', status0: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('data-field="status0"');
    expect(bad.text).toContain('请选择“已完成”“部分完成”或“未完成”');
  });

  it('lets an administrator check an org import and add a user with a role', async () => {
    const agent = await signIn('county_admin');
    const org = await agent.get('/admin/org');
    expect(org.text).toContain('中厂镇第一社区');
    const action = /action="(\/admin\/org\/check\?_csrf=[^"]+)"/.exec(org.text)?.[1] as string;
    const sheet = csv([
      ['名称', '类型', '上级'],
      ['中厂镇第十一社区', '村', '白河县/中厂镇'],
      ['无名社区', '村', '不存在的镇'],
    ]);
    const checked = await agent.post(action).attach('file', sheet, 'org.csv');
    expect(checked.status).toBe(422);
    expect(checked.text).toContain('不存在的镇');
    const users = await agent.get('/admin/users');
    const unit = await unitId(t, '中厂镇第三社区');
    const res = await agent
      .post('/admin/users')
      .type('form')
      .send({
        _csrf: csrfOf(users.text),
        username: 'zc_team3',
        displayName: '第三社区工作队',
        password: 'Team3@2026!',
        unitId: unit,
        role: 'member',
      });
    expect(res.status).toBe(303);
    expect((await agent.get('/admin/users?q=zc_team3')).text).toContain('第三社区工作队');
    const team3 = await signIn('zc_team3', 'Team3@2026!');
    expect((await team3.get('/my-tasks')).text).toContain('中厂镇第三社区');
  });

  it('lets a leader draft a task list, edit it and dispatch it to the teams', async () => {
    const agent = await signIn('zc_leader');
    const page = await agent.get('/dispatch?period=2026-09');
    const township = /name="unitId" value="([0-9a-f-]{36})"/.exec(page.text)?.[1] as string;
    const teams = [...page.text.matchAll(/name="unitIds0" value="([0-9a-f-]{36})"/g)].map((m) => m[1]);
    expect(teams.length).toBeGreaterThan(1);
    const draft = await agent
      .post('/dispatch')
      .type('form')
      .send({
        _csrf: csrfOf(page.text),
        unitId: township,
        period: '2026-09',
        title0: '政策宣讲',
        deadline0: '2026-09-20',
        unitIds0: teams.slice(0, 2),
      });
    expect(draft.status).toBe(303);
    const listed = await agent.get(draft.headers.location);
    const edit = /href="(\/dispatch\?[^"]*edit=[0-9a-f-]{36})#editor"/.exec(listed.text)?.[1].replace(/&amp;/g, '&') as string;
    expect(edit).toBeDefined();
    const editor = await agent.get(edit);
    expect(editor.text).toContain('value="政策宣讲"');
    expect(editor.text.match(/name="unitIds0" value="[0-9a-f-]{36}" checked/g)).toHaveLength(2);
    const action = /<form method="post" action="(\/dispatch\/[0-9a-f-]{36}\/tasks)"/.exec(editor.text)?.[1] as string;
    const saved = await agent
      .post(action)
      .type('form')
      .send({
        _csrf: csrfOf(editor.text),
        title0: '政策宣讲（入户）',
        target0: '20',
        deadline0: '2026-09-20',
        unitIds0: teams.slice(0, 3),
        dispatch: '1',
      });
    expect(saved.status).toBe(303);
    const after = await agent.get(saved.headers.location);
    expect(after.text).toContain('已下发');
    expect(after.text.match(/政策宣讲（入户） — /g)).toHaveLength(3);
  });

  it('answers form values the API would refuse with a 400 page naming the field, and writes nothing', async () => {
    const db = t.app.get(DataSource);
    const admin = await signIn('county_admin');
    const users = await admin.get('/admin/users');
    const unit = await unitId(t, '中厂镇第三社区');
    const user = { _csrf: csrfOf(users.text), username: 'zc_bad_form', password: 'Team3@2026!', role: 'member' };
    const noName = await admin
      .post('/admin/users')
      .type('form')
      .send({ ...user, displayName: '', unitId: unit });
    expect(noName.status).toBe(400);
    expect(noName.text).toContain('displayName');
    const badUnit = await admin
      .post('/admin/users')
      .type('form')
      .send({ ...user, displayName: '坏表单', unitId: 'not-a-unit' });
    expect(badUnit.status).toBe(400);
    expect(badUnit.text).toContain('unitId');
    expect(await db.query(`SELECT 1 FROM app_user WHERE username = 'zc_bad_form'`)).toEqual([]);

    const leader = await signIn('zc_leader');
    const page = await leader.get('/dispatch?period=2026-10');
    const township = /name="unitId" value="([0-9a-f-]{36})"/.exec(page.text)?.[1] as string;
    const draft = await leader
      .post('/dispatch')
      .type('form')
      .send({ _csrf: csrfOf(page.text), unitId: township, period: '2026-10', title0: '政策宣讲', deadline0: '2026-10-20', unitIds0: 'x' });
    expect(draft.status).toBe(400);
    expect(draft.text).toContain('unitIds');
    expect(await db.query(`SELECT 1 FROM task_list WHERE unit_id = $1 AND period = '2026-10'`, [township])).toEqual([]);

    const team = await signIn('zc_team1');
    const tickets = await team.get('/tickets');
    const id = /href="\/tickets\/([0-9a-f-]{36})"/.exec(tickets.text)?.[1] as string;
    expect(id).toBeDefined();
    const before = await db.query(`SELECT status, version FROM ticket WHERE id = $1`, [id]);
    const submit = await team
      .post(`/tickets/${id}/transitions`)
      .type('form')
      .send({ _csrf: csrfOf(tickets.text), action: 'submit', comment: '已整改', evidenceIds: 'not-an-id' });
    expect(submit.status).toBe(400);
    expect(submit.text).toContain('evidenceIds');
    expect(await db.query(`SELECT status, version FROM ticket WHERE id = $1`, [id])).toEqual(before);
  });

  it('returns a close-out from the verification queue only with a reason', async () => {
    const agent = await signIn('zc_office');
    const queue = await agent.get('/verify');
    const id = /<a href="\/tickets\/([0-9a-f-]{36})">/.exec(queue.text)?.[1] as string;
    expect(id).toBeDefined();
    const token = csrfOf(queue.text);
    const noReason = await agent.post(`/tickets/${id}/transitions`).type('form').send({ _csrf: token, action: 'return', back: '/verify' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('reason');
    const returned = await agent
      .post(`/tickets/${id}/transitions`)
      .type('form')
      .send({ _csrf: token, action: 'return', reason: '照片看不清，请补拍', back: '/verify' });
    expect(returned.status).toBe(303);
    expect(returned.headers.location).toBe('/verify');
    const ticket = await agent.get(`/tickets/${id}`);
    expect(ticket.text).toContain('id="ticket-status">整改中<');
    expect(ticket.text).toContain('照片看不清，请补拍');
    // Approving it now is an illegal move: a 409 page naming what is allowed.
    const late = await agent.post(`/tickets/${id}/transitions`).type('form').send({ _csrf: token, action: 'approve' });
    expect(late.status).toBe(409);
    expect(late.text).toContain('现在允许：');
  });

  it('answers a bulletin asked for before the month’s earlier steps, or for a month to come, with a page that says why', async () => {
    const leader = await signIn('zc_leader');
    const township = await unitId(t, '中厂镇');
    const docs = await leader.get('/docs').expect(200);
    const early = await leader
      .post('/bulletin')
      .type('form')
      .send({ _csrf: csrfOf(docs.text), unitId: township, period: '2026-08' });
    expect(early.status).toBe(409);
    expect(early.text).toContain(
      '<p class="waiting">待先完成：月交办 + 任务清单、月自查 + 问题清单、月研判 + 整改清单、月汇报 + 进度清单</p>',
    );
    expect(early.text).not.toContain('现在允许');
    const ahead = await leader
      .post('/bulletin')
      .type('form')
      .send({ _csrf: csrfOf(docs.text), unitId: township, period: '2026-09' });
    expect(ahead.status).toBe(409);
    expect(ahead.text).toContain('<p class="waiting">2026-09 尚未开始（当地现在是 2026-08），该月的步骤在当月运行。</p>');
    const issued = await t.app.get(DataSource).query(`SELECT 1 FROM document WHERE kind = 'bulletin' AND unit_id = $1`, [township]);
    expect(issued).toEqual([]);
  });

  it('lets a leader edit a ticket’s fields and the team its person and measures, each change in the history; a stale form loses', async () => {
    const token = await t.login('zc_leader');
    const village = await unitId(t, '中厂镇第一社区');
    const id = await raiseTicket(t, token, { title: '饮水管网老化', unitId: village, deadline: '2026-09-30' });
    const leader = await signIn('zc_leader');
    const page = await leader.get(`/tickets/${id}`);
    expect(page.text).toContain(`<a href="/tickets/${id}/edit" class="edit-ticket">修改问题</a>`);
    const form = await leader.get(`/tickets/${id}/edit`).expect(200);
    const names = [...form.text.matchAll(/id="edit-([A-Za-z]+)"/g)].map((m) => m[1]);
    expect(names).toEqual(['title', 'description', 'category', 'responsible', 'supervisingLeader', 'measures']);
    const values = formFieldsOf(form.text, `/tickets/${id}/edit`);
    expect(values).toMatchObject({ version: '1', title: '饮水管网老化', responsible: '张三', measures: '督促整改' });
    const saved = await leader
      .post(`/tickets/${id}/edit`)
      .type('form')
      .send({ ...values, responsible: '李四', supervisingLeader: '王镇长', measures: '更换主管道' });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`/tickets/${id}#history`);
    const history = (await t.http().get(`/api/v1/issues/${id}/history`).set(bearer(token))).body;
    expect(history.filter((h: { kind: string }) => h.kind === 'updated').map((h: { data: unknown }) => h.data)).toEqual([
      { field: 'responsible', from: '张三', to: '李四' },
      { field: 'supervisingLeader', from: null, to: '王镇长' },
      { field: 'measures', from: '督促整改', to: '更换主管道' },
    ]);
    // The same form again was made on version 1: the ticket is at version 2 now.
    const stale = await leader
      .post(`/tickets/${id}/edit`)
      .type('form')
      .send({ ...values, title: '饮水管网老化（复核）' });
    expect(stale.status).toBe(409);
    expect((await t.http().get(`/api/v1/issues/${id}`).set(bearer(token))).body).toMatchObject({ title: '饮水管网老化', version: 2 });

    // The team may fill in only what the review step asks of it.
    const team = await signIn('zc_team1');
    const teamForm = await team.get(`/tickets/${id}/edit`).expect(200);
    expect([...teamForm.text.matchAll(/id="edit-([A-Za-z]+)"/g)].map((m) => m[1])).toEqual(['responsible', 'measures']);
    const teamValues = formFieldsOf(teamForm.text, `/tickets/${id}/edit`);
    expect(
      (
        await team
          .post(`/tickets/${id}/edit`)
          .type('form')
          .send({ ...teamValues, title: '改标题' })
      ).status,
    ).toBe(403);
    expect(
      (
        await team
          .post(`/tickets/${id}/edit`)
          .type('form')
          .send({ ...teamValues, measures: '更换主管道，月底前完成' })
      ).status,
    ).toBe(303);
    expect((await t.http().get(`/api/v1/issues/${id}`).set(bearer(token))).body).toMatchObject({
      measures: '更换主管道，月底前完成',
      version: 3,
    });
  });

  it("shows each village's close-out figures of the month on the leader's dashboard, as the ledger counts them", async () => {
    const agent = await signIn('zc_leader');
    const token = await t.login('zc_leader');
    const villages = await t.app
      .get(DataSource)
      .query(`SELECT v.id, v.name FROM org_unit v JOIN org_unit p ON p.id = v.parent_id WHERE p.name = '中厂镇' AND v.kind = 'village'`);
    expect(villages.length).toBeGreaterThan(1);
    let found = 0;
    let noTickets = 0;
    for (const [period, from, to] of [
      ['2026-07', '2026-07-01', '2026-07-31'],
      ['', '2026-08-01', '2026-08-31'],
    ]) {
      const page = await agent.get(`/dashboard${period ? `?period=${period}` : ''}`);
      expect(page.status).toBe(200);
      // The calendar began on 1 August: July's steps were skipped, which the cards say instead of 未开始.
      const skipped = page.text.match(/工作日历启用前，按日历不运行/g) ?? [];
      expect(skipped).toHaveLength(period ? 5 : 0);
      if (!period) {
        expect(page.text).toContain('<span class="waiting">待先完成：月交办 + 任务清单、月自查 + 问题清单</span>');
        // Only the step that can run now has the button: August's dispatch.
        expect(page.text.match(/action="\/cycle\/(\w+)\/run"/g)).toEqual(['action="/cycle/dispatch/run"']);
      }
      for (const v of villages as Array<{ id: string; name: string }>) {
        const c = (await t.http().get(`/api/v1/ledger?unitId=${v.id}&from=${from}&to=${to}&pageSize=1`).set(bearer(token))).body.totals;
        found += c.found;
        const live = c.found - c.cancelled;
        // A village with nothing to close reads 无问题, not 100 %.
        const rate = live ? `${Math.round(c.closureRate * 1000) / 10}%` : '<span class="no-tickets">无问题</span>';
        if (!live) noTickets++;
        const row = new RegExp(
          `<tr><td>${v.name}</td><td>${rate}</td><td>${c.closed}</td><td>${live}</td><td>${c.overdue}</td><td><span class="light `,
        );
        expect(page.text).toMatch(row);
      }
    }
    expect(found).toBeGreaterThan(0);
    expect(noTickets).toBeGreaterThan(0);
  });

  it('keeps every page of each role light (under 200 KB) and the API where it was', async () => {
    const pages: Record<string, string[]> = {
      zc_team1: ['/tickets', '/my-tasks', '/self-check', '/inbox'],
      zc_inspector: ['/verify', '/findings', '/docs'],
      zc_leader: ['/dashboard', '/dispatch', '/ranking', '/calendar', '/accountability-records'],
      county_admin: ['/admin/org', '/admin/users'],
    };
    for (const [user, paths] of Object.entries(pages)) {
      const agent = await signIn(user);
      for (const path of paths) {
        const res = await agent.get(path);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        expect(Buffer.byteLength(res.text)).toBeLessThan(200 * 1024);
      }
    }
    const css = await t.http().get('/assets/console.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect((await t.http().get('/assets/htmx.min.js')).status).toBe(200);
    expect((await t.http().get('/api/v1/health')).status).toBe(200);
    const missing = await t.http().get('/api/v1/no-such-route');
    expect(missing.status).toBe(404);
    expect(missing.body.statusCode).toBe(404);
  });
  it('answers a mistyped console address with the console’s 404 page, and an unknown API path with JSON', async () => {
    const anonymous = await t.http().get('/no-such-page?x=1');
    expect(anonymous.status).toBe(404);
    expect(anonymous.headers['content-type']).toMatch(/^text\/html/);
    expect(anonymous.text).toContain('<html lang="zh-CN">');
    expect(anonymous.text).toContain('没有这个页面');
    expect(anonymous.text).toContain('<a href="/">返回首页</a>');
    // A POST to nowhere is a missing page too, not a CSRF refusal.
    expect((await t.http().post('/no-such-page').type('form').send({ a: '1' })).status).toBe(404);

    const agent = await signIn('zc_team1');
    await agent.get('/lang/en?next=/').expect(303);
    for (const path of ['/tickets/a/b/c', '/my-taskz']) {
      const page = await agent.get(path);
      expect({ path, status: page.status }).toEqual({ path, status: 404 });
      expect(page.text).toContain('<html lang="en">');
      expect(page.text).toContain('There is no such page');
      expect(page.text).toContain('<a href="/">Back to the start page</a>');
      // Signed in, the menu is there to carry on.
      expect(page.text).toContain('href="/my-tasks"');
    }

    for (const path of ['/api/v1/no-such-route', '/api/nothing', '/api']) {
      const res = await t.http().get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
    }
    // A script that asks for JSON only keeps getting JSON outside the API too.
    const script = await t.http().get('/v1/issues').set('accept', 'application/json');
    expect(script.status).toBe(404);
    expect(script.body.statusCode).toBe(404);
  });

  it('lets a township leader edit the calendar, refusing a bad day and a stale version', async () => {
    const agent = await signIn('zc_leader');
    const page = await agent.get('/calendar');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(
      /<label for="steps\.report\.day">日期<\/label><input id="steps\.report\.day" name="steps\.report\.day" value="25"/,
    );
    expect(page.text).toContain('<label for="halfMonthly.days">');
    expect(page.text).toContain('<label for="quarterly.monthOfQuarter">');
    expect(/id="next-report"><time>([^<]+)</.exec(page.text)?.[1]).toBe('2026-08-25 09:00');
    const original = formFieldsOf(page.text, '/calendar');
    expect(original.version).toBe('0');

    const saved = await agent
      .post('/calendar')
      .type('form')
      .send({
        ...original,
        'steps.report.day': '26',
        'fixedDays.0.name': '结对帮扶日',
        'fixedDays.0.days': '17, 27',
        'fixedDays.0.checklist': '入户宣传扶贫政策\n填写《扶贫手册》',
        'halfMonthly.enabled': '1',
      });
    expect(saved.status).toBe(303);
    const after = await agent.get(saved.headers.location);
    expect(after.text).toContain('日历已保存（第 1 版）');
    expect(/id="next-report"><time>([^<]+)</.exec(after.text)?.[1]).toBe('2026-08-26 09:00');
    expect(after.text).toContain('<time>2026-08-16 09:00</time> 结对帮扶日 <span class="tag">提前提醒，当日为 2026-08-17</span>');
    expect(after.text).toContain('<time>2026-08-26 09:00</time> 月汇报 + 进度清单</li>');
    expect(after.text).toContain('入户宣传扶贫政策\n填写《扶贫手册》</textarea>');

    const fresh = formFieldsOf(after.text, '/calendar');
    expect(fresh.version).toBe('1');
    const bad = await agent
      .post('/calendar')
      .type('form')
      .send({ ...fresh, 'steps.report.day': '32' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('「月汇报 + 进度清单」日期</a>：应为 1–31 之间的日期，或“月末”');
    expect(bad.text).toMatch(/name="steps\.report\.day" value="32"[^>]*aria-invalid="true"/);
    const unchanged = await agent.get('/calendar');
    expect(/id="next-report"><time>([^<]+)</.exec(unchanged.text)?.[1]).toBe('2026-08-26 09:00');
    expect(formFieldsOf(unchanged.text, '/calendar').version).toBe('1');

    // The form shown before the first save is stale now: refused, and the latest shown instead.
    const stale = await agent
      .post('/calendar')
      .type('form')
      .send({ ...original, _csrf: fresh._csrf, 'steps.report.day': '24' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('日历已被他人修改（现为第 1 版）');
    expect(stale.text).toContain('name="steps.report.day" value="26"');
    // Correcting a stale form that was also invalid still cannot overwrite the newer calendar.
    const staleAndBad = await agent
      .post('/calendar')
      .type('form')
      .send({ ...original, _csrf: fresh._csrf, 'steps.report.day': '32' });
    expect(staleAndBad.status).toBe(400);
    expect(formFieldsOf(staleAndBad.text, '/calendar').version).toBe('0');
    expect(/id="next-report"><time>([^<]+)</.exec((await agent.get('/calendar')).text)?.[1]).toBe('2026-08-26 09:00');
  });

  it('keeps the calendar editor from those who may not change it', async () => {
    const viewer = await signIn('bh_viewer');
    const read = await viewer.get('/calendar');
    expect(read.status).toBe(200);
    expect(read.text).not.toContain('action="/calendar"');
    const township = /name="unitId" value="([0-9a-f-]{36})"/.exec((await (await signIn('zc_leader')).get('/calendar')).text)?.[1] as string;
    const refused = await viewer
      .post('/calendar')
      .type('form')
      .send({ _csrf: csrfOf(read.text), unitId: township, version: '1', 'steps.report.day': '20' });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('无权执行此操作');

    const team = await signIn('zc_team1');
    const page = await team.get('/calendar');
    expect(page.status).toBe(403);
    expect(page.text).not.toContain('steps.report.day');
    const tickets = await team.get('/tickets');
    expect(tickets.text).not.toContain('href="/calendar"');
    const post = await team
      .post('/calendar')
      .type('form')
      .send({ _csrf: csrfOf(tickets.text), unitId: township, version: '1', 'steps.report.day': '20' });
    expect(post.status).toBe(403);
    const leader = await signIn('zc_leader');
    expect(/id="next-report"><time>([^<]+)</.exec((await leader.get('/calendar')).text)?.[1]).toBe('2026-08-26 09:00');
  });
  it('lets a county administrator change a user’s units and roles and reset the password, within the county', async () => {
    const agent = await signIn('county_admin');
    const list = await agent.get('/admin/users');
    const [village, group, otherCounty] = await Promise.all([
      unitId(t, '中厂镇第一社区'),
      unitId(t, '中厂镇效能督查组'),
      unitId(t, '椿木营乡'),
    ]);
    await agent
      .post('/admin/users')
      .type('form')
      .send({
        _csrf: csrfOf(list.text),
        username: 'zc_helper',
        displayName: '第一社区帮扶干部',
        password: 'Helper@2026',
        unitId: village,
        role: 'member',
      })
      .expect(303);
    const found = await agent.get('/admin/users?q=zc_helper');
    const userPath = /<a href="(\/admin\/users\/[0-9a-f-]{36})">zc_helper<\/a>/.exec(found.text)?.[1] as string;
    expect(userPath).toBeDefined();
    const page = await agent.get(userPath);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<label for="unitId">');
    expect(page.text).toContain('<label for="role">');
    expect(page.text).toContain('<label for="password">');
    expect(Buffer.byteLength(page.text)).toBeLessThan(200 * 1024);
    const token = csrfOf(page.text);
    const membershipsOf = (html: string) =>
      [...html.matchAll(/name="unitId" value="([^"]*)"><input type="hidden" name="role" value="([^"]+)"/g)]
        .map((m) => `${m[1]} ${m[2]}`)
        .sort();
    expect(membershipsOf(page.text)).toEqual([`${village} member`]);

    const added = await agent.post(`${userPath}/memberships`).type('form').send({ _csrf: token, unitId: group, role: 'inspector' });
    expect(added.status).toBe(303);
    const afterAdd = await agent.get(added.headers.location);
    expect(afterAdd.text).toContain('单位与角色已保存。');
    expect(membershipsOf(afterAdd.text)).toEqual([`${group} inspector`, `${village} member`].sort());
    // One role per unit, as UserService has it: a 400 page naming the field.
    const twice = await agent.post(`${userPath}/memberships`).type('form').send({ _csrf: token, unitId: group, role: 'leader' });
    expect(twice.status).toBe(400);
    expect(twice.text).toContain('memberships.2');

    const removed = await agent.post(`${userPath}/memberships/remove`).type('form').send({ _csrf: token, unitId: village, role: 'member' });
    expect(removed.status).toBe(303);
    expect(membershipsOf((await agent.get(userPath)).text)).toEqual([`${group} inspector`]);
    const helper = await signIn('zc_helper', 'Helper@2026');
    // A member no more, an inspector now: the team's pages are gone from the menu.
    const verify = await helper.get('/verify');
    expect(verify.status).toBe(200);
    expect(verify.text).not.toContain('href="/tickets"');

    // Outside the county: a unit it does not administer, a user it cannot see.
    const foreignUnit = await agent
      .post(`${userPath}/memberships`)
      .type('form')
      .send({ _csrf: token, unitId: otherCounty, role: 'leader' });
    expect(foreignUnit.status).toBe(404);
    expect(membershipsOf((await agent.get(userPath)).text)).toEqual([`${group} inspector`]);
    const admin = await t.login('admin');
    const cmy = (await t.http().get('/api/v1/users?q=cmy_leader').set(bearer(admin))).body.items[0].id as string;
    for (const path of [`/admin/users/${cmy}`, '/admin/users/not-an-id']) {
      const res = await agent.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.text).toContain('找不到该页面或记录');
    }
    expect((await agent.post(`/admin/users/${cmy}/password`).type('form').send({ _csrf: token, password: 'Taken@2026!' })).status).toBe(
      404,
    );
    await signIn('cmy_leader');

    const short = await agent.post(`${userPath}/password`).type('form').send({ _csrf: token, password: 'short' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('password');
    const reset = await agent.post(`${userPath}/password`).type('form').send({ _csrf: token, password: 'Helper@2026-new' });
    expect(reset.status).toBe(303);
    expect((await agent.get(reset.headers.location)).text).toContain('密码已重置');
    // The old session and the old password are over; the new one works.
    expect((await helper.get('/verify')).status).toBe(303);
    const stale = request.agent(t.app.getHttpServer());
    const login = await stale.get('/login');
    expect(
      (
        await stale
          .post('/login')
          .type('form')
          .send({ username: 'zc_helper', password: 'Helper@2026', _csrf: csrfOf(login.text) })
      ).status,
    ).toBe(401);
    await signIn('zc_helper', 'Helper@2026-new');
  });

  it('keeps the user editor from those who are not administrators', async () => {
    const leader = await signIn('zc_leader');
    const users = await t
      .http()
      .get('/api/v1/users?q=zc_team1')
      .set(bearer(await t.login('admin')));
    const id = users.body.items[0].id as string;
    expect((await leader.get(`/admin/users/${id}`)).status).toBe(403);
    const page = await leader.get('/calendar');
    expect(page.text).not.toContain('href="/admin/users"');
    const res = await leader
      .post(`/admin/users/${id}/password`)
      .type('form')
      .send({ _csrf: csrfOf(page.text), password: 'Hijack@2026!' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('无权执行此操作');
    const add = await leader
      .post(`/admin/users/${id}/memberships`)
      .type('form')
      .send({ _csrf: csrfOf(page.text), unitId: '', role: 'admin' });
    expect(add.status).toBe(403);
    await signIn('zc_team1');
  });
});
