import request from 'supertest';
import { consoleSignIn } from './support/console-session';
import { bearer } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

/** The BullMQ dashboard at /admin/queues: system administrators only. */
describe('queue dashboard', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('sends an anonymous browser to sign in and answers a script 401, showing nothing', async () => {
    const page = await request(t.app.getHttpServer()).get('/admin/queues').set('accept', 'text/html');
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2Fadmin%2Fqueues');
    for (const path of ['/admin/queues/api/queues', '/admin/queues/static/js/main.4c9f061c66.js']) {
      const res = await t.http().get(path);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
    }
    const put = await t.http().put('/admin/queues/api/queues/notifications/pause');
    expect(put.status).toBe(401);
  });

  it.each(['county_admin', 'zc_leader', 'zc_team1'])('refuses %s, who is no system administrator, with 403', async (user) => {
    const agent = await consoleSignIn(t, user);
    const page = await agent.get('/admin/queues').set('accept', 'text/html');
    expect(page.status).toBe(403);
    expect(page.text).not.toContain('__UI_CONFIG__');
    const api = await agent.get('/admin/queues/api/queues');
    expect(api.status).toBe(403);
    expect(api.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    const token = await t.login(user);
    expect((await t.http().get('/admin/queues/api/queues').set(bearer(token))).status).toBe(403);
    expect((await agent.put('/admin/queues/api/queues/notifications/pause')).status).toBe(403);
  });

  it('links the dashboard from the console’s menu for the system administrator only', async () => {
    const admin = await consoleSignIn(t, 'admin');
    expect((await admin.get('/inbox').expect(200)).text).toContain('href="/admin/queues"');
    const county = await consoleSignIn(t, 'county_admin');
    const page = (await county.get('/inbox').expect(200)).text;
    expect(page).toContain('href="/admin/users"');
    expect(page).not.toContain('href="/admin/queues"');
  });

  it('shows the system administrator the dashboard with the service’s queues', async () => {
    const agent = await consoleSignIn(t, 'admin');
    const page = await agent.get('/admin/queues').set('accept', 'text/html');
    expect(page.status).toBe(200);
    expect(page.text).toContain('__UI_CONFIG__');
    expect(page.text).toContain('整改销号 · 任务队列');
    const api = await agent.get('/admin/queues/api/queues');
    expect(api.status).toBe(200);
    const names = (api.body.queues as Array<{ name: string }>).map((q) => q.name).sort();
    expect(names).toEqual(['cycles', 'notifications']);
    const token = await t.login('admin');
    expect((await t.http().get('/admin/queues/api/queues').set(bearer(token))).status).toBe(200);
  });
});
