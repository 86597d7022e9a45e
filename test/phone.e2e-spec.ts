import { FakeClock } from '@app/platform';
import sharp from 'sharp';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { bearer, PNG, raiseTicket, transition, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The phone console over HTTP: the installable app's files, writes resent with their
 * Idempotency-Key applied once, the township's bulletins and ranking for its teams, and forms
 * refused in Chinese with what was typed.
 */
describe('phone console (HTTP)', () => {
  // 10:00 on 20 August 2026 in Shanghai.
  const clock = new FakeClock('2026-08-20T02:00:00Z');
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

  async function signIn(username: string): Promise<{ agent: TestAgent; csrf: string }> {
    const agent = request.agent(t.app.getHttpServer());
    const page = await agent.get('/login').expect(200);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ username, password: 'Demo@2026', _csrf: csrfOf(page.text), next: '/' });
    expect(res.status).toBe(303);
    const home = await agent.get('/tickets');
    return { agent, csrf: csrfOf(home.text) };
  }

  it('serves a favicon, a Chinese manifest with PNG icons, and a service worker on Workbox served from this site', async () => {
    const http = t.http();
    const ico = await http.get('/favicon.ico').expect(200);
    expect(ico.headers['content-type']).toBe('image/x-icon');
    expect([...ico.body.subarray(0, 4)]).toEqual([0, 0, 1, 0]);
    const manifest = await http.get('/manifest.webmanifest').expect(200);
    const m = JSON.parse(manifest.text);
    expect(m.name).toBe('整改销号 · 督查督办');
    expect(m.display).toBe('standalone');
    for (const icon of m.icons.filter((i: { type: string }) => i.type === 'image/png')) {
      const png = await http
        .get(icon.src)
        .buffer(true)
        .parse((res, cb) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => cb(null, Buffer.concat(chunks)));
        })
        .expect(200);
      const meta = await sharp(png.body as Buffer).metadata();
      expect(`${meta.width}x${meta.height}`).toBe(icon.sizes);
      expect(meta.format).toBe('png');
    }
    const sw = await http.get('/sw.js').expect(200);
    expect(sw.headers['content-type']).toMatch(/javascript/);
    expect(sw.headers['service-worker-allowed']).toBe('/');
    const imported = [...sw.text.matchAll(/'(\/assets\/[^']+\.js)'/g)].map((x) => x[1]);
    expect(imported).toEqual(expect.arrayContaining(['/assets/workbox-sw.js', '/assets/idb.js', '/assets/outbox.js']));
    expect(sw.text).not.toMatch(/https?:\/\//);
    for (const name of [
      ...imported,
      '/assets/workbox-routing.prod.js',
      '/assets/workbox-strategies.prod.js',
      '/assets/workbox-core.prod.js',
    ]) {
      const res = await http.get(name);
      expect([name, res.status]).toEqual([name, 200]);
    }
    // No page needs anything from another site, and no script is inline (a strict CSP allows them).
    const { agent } = await signIn('zc_team1');
    const page = (await agent.get('/tickets')).text;
    expect(page).not.toMatch(/(src|href)="https?:/);
    expect(page.match(/<script(?![^>]*\b(src=|type="application\/json"))[^>]*>/g)).toBeNull();
    expect(page).toContain('<link rel="manifest" href="/manifest.webmanifest">');
  });

  it('applies a close-out, a photo and a progress report resent with the same Idempotency-Key once', async () => {
    const inspector = await t.login('zc_inspector');
    const id = await raiseTicket(t, inspector, {
      title: '手机重发测试：渠道淤塞',
      unitId: await unitId(t, '中厂镇第一社区'),
      deadline: '2026-09-10',
    });
    const { agent, csrf } = await signIn('zc_team1');
    const key = (s: string) => ({ 'Idempotency-Key': `phone-test-${s}-0001`, 'x-csrf-token': csrf });

    for (let i = 0; i < 2; i++) {
      const res = await agent.post(`/tickets/${id}/transitions`).set(key('start')).type('form').send({ action: 'start' });
      expect(res.status).toBe(303);
    }
    for (let i = 0; i < 2; i++) {
      const res = await agent.post(`/tickets/${id}/evidence`).set(key('photo')).attach('file', PNG, 'photo.png');
      expect(res.status).toBe(303);
    }
    for (let i = 0; i < 2; i++) {
      const res = await agent
        .post(`/tickets/${id}/transitions`)
        .set(key('submit'))
        .type('form')
        .send({ action: 'submit', comment: '已清淤' });
      expect(res.status).toBe(303);
    }
    const team = await t.login('zc_team1');
    const evidence = (await t.http().get(`/api/v1/issues/${id}`).set(bearer(team))).body;
    expect(evidence.status).toBe('pending_review');
    const history = (await t.http().get(`/api/v1/issues/${id}/history`).set(bearer(team))).body as Array<{ kind: string; action: string }>;
    expect(history.filter((h) => h.action === 'start')).toHaveLength(1);
    expect(history.filter((h) => h.action === 'submit')).toHaveLength(1);
    expect(history.filter((h) => h.kind === 'evidence_added')).toHaveLength(1);

    // Without the key the second start is refused (409), so the key is what made it harmless.
    const again = await agent
      .post(`/tickets/${id}/transitions`)
      .set({ 'x-csrf-token': csrf })
      .type('form')
      .send({ action: 'submit', comment: '已清淤' });
    expect(again.status).toBe(409);
    // The same key for a different request is refused, and changes nothing.
    const reused = await agent.post(`/tickets/${id}/transitions`).set(key('start')).type('form').send({ action: 'cancel', reason: 'x' });
    expect(reused.status).toBe(409);

    // Progress on a task of the month.
    const leader = await t.login('zc_leader');
    const township = await unitId(t, '中厂镇');
    const team1 = await unitId(t, '中厂镇第一社区');
    const list = await t
      .http()
      .post('/api/v1/task-lists')
      .set(bearer(leader))
      .send({
        unitId: township,
        period: '2026-08',
        tasks: [
          { title: '重发测试：入户走访', target: 10, unitIds: [team1], deadline: '2026-08-28' },
          { title: '表单测试：政策宣讲', target: 5, unitIds: [await unitId(t, '中厂镇第二社区')], deadline: '2026-08-28' },
        ],
      });
    expect(list.status).toBe(201);
    expect((await t.http().post(`/api/v1/task-lists/${list.body.id}/dispatch`).set(bearer(leader))).status).toBeLessThan(300);
    const tasks = (await t.http().get(`/api/v1/tasks?unitId=${team1}&period=2026-08`).set(bearer(team))).body as Array<{
      id: string;
      title: string;
    }>;
    const task = tasks.find((x) => x.title === '重发测试：入户走访');
    expect(task).toBeDefined();
    for (let i = 0; i < 2; i++) {
      const res = await agent
        .post(`/my-tasks/${task!.id}/progress`)
        .set(key('progress'))
        .type('form')
        .send({ actual: '4', comment: '走访4户' });
      expect(res.status).toBe(303);
    }
    const rows = await t.app.get(DataSource).query(`SELECT actual FROM task_progress WHERE task_id = $1`, [task!.id]);
    expect(rows).toHaveLength(1);
  });

  it('tells a phone what others did to a ticket since the entry it last saw', async () => {
    const inspector = await t.login('zc_inspector');
    const team = await t.login('zc_team1');
    const id = await raiseTicket(t, inspector, {
      title: '手机冲突测试：路灯损坏',
      unitId: await unitId(t, '中厂镇第一社区'),
      deadline: '2026-09-10',
    });
    await transition(t, team, id, { action: 'start' });
    const { agent } = await signIn('zc_team1');
    const page = (await agent.get(`/tickets/${id}`)).text;
    const head = Number(/data-head="(\d+)"/.exec(page)?.[1]);
    expect(head).toBeGreaterThan(0);
    const quiet = (await agent.get(`/tickets/${id}/state?since=${head}`).expect(200)).body;
    expect(quiet.changes).toEqual([]);
    const ev = await t.http().post(`/api/v1/issues/${id}/evidence`).set(bearer(team)).attach('file', PNG, 'a.png');
    await transition(t, team, id, { action: 'submit', comment: '已修复', evidenceIds: [ev.body.id] });
    await transition(t, inspector, id, { action: 'return', reason: '照片看不出是哪盏灯' });
    const state = (await agent.get(`/tickets/${id}/state?since=${head}`).expect(200)).body;
    expect(state.status).toBe('in_progress');
    // The team's own entries are not news to it; the return is.
    expect(state.changes).toEqual([expect.objectContaining({ what: '退回', to: '整改中', comment: '照片看不出是哪盏灯' })]);
  });

  it('lets a village team read its township’s bulletin and ranking, with the breakdown, and nothing of another township', async () => {
    const leader = await t.login('zc_leader');
    const township = await unitId(t, '中厂镇');
    // The calendar began on 20 August: the report is the one earlier step of the month the bulletin waits for.
    for (const step of ['report', 'supervision']) {
      const run = await t.http().post(`/api/v1/cycles/2026-08/steps/${step}/run?unitId=${township}`).set(bearer(leader));
      expect(run.status).toBeLessThan(300);
    }
    const team = await t.login('zc_team1');
    const docs = (await t.http().get('/api/v1/documents?kind=bulletin').set(bearer(team))).body;
    expect(docs.items.length).toBeGreaterThan(0);
    const bulletin = docs.items[0];
    expect((await t.http().get(`/api/v1/documents/${bulletin.id}/html`).set(bearer(team))).status).toBe(200);
    // The township's other documents (its task list) stay out of reach.
    expect(
      ((await t.http().get('/api/v1/documents').set(bearer(team))).body.items as Array<{ kind: string }>).every(
        (d) => ['bulletin', 'evaluation_list'].includes(d.kind) || false,
      ),
    ).toBe(true);
    const ranking = await t.http().get(`/api/v1/rankings?unitId=${township}&period=2026-08`).set(bearer(team));
    expect(ranking.status).toBe(200);

    const { agent } = await signIn('zc_team1');
    const menu = (await agent.get('/tickets')).text;
    expect(menu).toContain('href="/ranking"');
    expect(menu).toContain('href="/docs"');
    const page = await agent.get('/ranking?period=2026-08');
    expect(page.status).toBe(200);
    expect(page.text).toContain('中厂镇第一社区');
    expect(page.text).toContain('得分构成');
    expect(page.text).toMatch(/<ul class="parts"[^>]*><li>任务完成 <b>/);
    const list = await agent.get('/docs');
    expect(list.text).toContain('督查通报');

    // Another township's ranking is unknown to the team.
    const other = await t.app.get(DataSource).query(`SELECT id FROM org_unit WHERE kind = 'township' AND name <> '中厂镇' LIMIT 1`);
    if (other.length) {
      expect((await t.http().get(`/api/v1/rankings?unitId=${other[0].id}&period=2026-08`).set(bearer(team))).status).toBe(404);
    }
  });

  it('refuses a bad progress report in Chinese, with the form shown again holding what was typed', async () => {
    const team2 = await unitId(t, '中厂镇第二社区');
    const { agent } = await signIn('zc_team2');
    const tasks = (await agent.get('/my-tasks')).text;
    const taskId = new RegExp(`action="/my-tasks/([0-9a-f-]{36})/progress"[^>]*data-label="[^"]*表单测试`).exec(tasks)?.[1];
    expect(taskId).toBeDefined();
    const bad = await agent
      .post(`/my-tasks/${taskId}/progress`)
      .type('form')
      .send({ _csrf: csrfOf(tasks), actual: '-3', comment: '宣讲了三场', unitId: team2 });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('不能小于 0');
    expect(bad.text).toContain('value="宣讲了三场"');
    expect(bad.text).toContain('value="-3"');
    const main = bad.text.slice(bad.text.indexOf('<main'));
    expect(main.replace(/<[^>]+>/g, ' ')).not.toMatch(/\b(must|should|Bad Request|OK)\b/);

    // The ticket search reads 搜索, with its label beside the input.
    const search = (await agent.get('/tickets')).text;
    expect(search).toContain('<button type="submit">搜索</button>');
    expect(search).toMatch(/<span class="field"><label for="q">关键词<\/label>\s*<input id="q"/);
    expect(search).not.toContain('>OK<');
  });

  it('writes the month’s last day of the calendar as 月末 in Chinese and takes 月末 back', async () => {
    const { agent } = await signIn('zc_leader');
    const page = await agent.get('/calendar');
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/value="last"/);
    expect(page.text).toContain('“月末”');
  });
});
