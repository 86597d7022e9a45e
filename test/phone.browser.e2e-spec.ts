import { CHROMIUM_ARGS } from '@app/documents';
import { FakeClock } from '@app/platform';
import exifr from 'exifr';
import { mkdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import { bearer, PNG, raiseTicket, transition, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

const ARTIFACTS = join(__dirname, '..', 'test-artifacts', 'phone');
const PHONE = { width: 360, height: 740 };
const JOURNEY_MS = 120_000;

/** A phone camera's photo: 4000×3000, about 6 MB, with its capture time and GPS in EXIF. */
async function cameraPhoto(): Promise<Buffer> {
  const w = 4000;
  const h = 3000;
  const raw = Buffer.alloc(w * h * 3);
  let seed = 7;
  for (let i = 0; i < raw.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    raw[i] = (seed >> 16) & 0xff;
  }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 72 })
    .withExif({
      IFD0: { Make: 'Xiaomi', Model: 'Redmi Note 12' },
      IFD2: { DateTimeOriginal: '2026:08:19 15:30:00' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '26/1 35/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '106/1 42/1 0/1' },
    })
    .toBuffer();
}

/**
 * The phone console in headless Chromium at 360 px: pages kept for offline reading, work done
 * offline sent once when the connection returns, a ticket changed meanwhile left to the user,
 * and the fixed pages (menu, charts, ranking, forms) with screenshots in test-artifacts/phone.
 */
describe('phone console in a browser', () => {
  const clock = new FakeClock('2026-08-20T02:00:00Z');
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let inspector: string;
  let team: string;
  let village: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestApp({ clock });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: t.config.CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--headless', '--disable-quic'] });
    inspector = await t.login('zc_inspector');
    team = await t.login('zc_team1');
    village = await unitId(t, '中厂镇第一社区');
  }, JOURNEY_MS);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signIn(username: string): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', serviceWorkers: 'allow' });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.keyboard.type(username);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Demo@2026');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname !== '/login');
    // The service worker takes the pages from now on; reading a page keeps it.
    await page.evaluate('navigator.serviceWorker.ready.then(() => undefined)');
    return { page, context };
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const history = async (id: string) =>
    (await t.http().get(`/api/v1/issues/${id}/history`).set(bearer(team))).body as Array<{ kind: string; action: string; comment: string }>;

  /** Visits a page twice: the second read comes through the service worker, which keeps it. */
  async function keep(page: Page, path: string): Promise<void> {
    await page.goto(`${base}${path}`);
    await page.waitForFunction('navigator.serviceWorker.controller !== null');
    await page.goto(`${base}${path}`);
    await page.waitForFunction(`caches.open('rt-pages').then((c) => c.match(${JSON.stringify(base + path)})).then(Boolean)`);
  }

  /**
   * The township's task list for August, dispatched once by its leader: one task for the
   * village per test that reports progress (a township has one list a month).
   */
  const TASKS = ['离线进度：入户核查', '关页同步：饮水巡查', '回复丢失：危房排查'] as const;
  let dispatched: Promise<Array<{ id: string; title: string }>> | undefined;
  async function taskOfTheMonth(title: (typeof TASKS)[number]): Promise<{ id: string; title: string }> {
    dispatched ??= (async () => {
      const leader = await t.login('zc_leader');
      const list = await t
        .http()
        .post('/api/v1/task-lists')
        .set(bearer(leader))
        .send({
          unitId: await unitId(t, '中厂镇'),
          period: '2026-08',
          tasks: TASKS.map((x) => ({ title: x, target: 12, unitIds: [village], deadline: '2026-08-28' })),
        });
      expect(list.status).toBe(201);
      expect((await t.http().post(`/api/v1/task-lists/${list.body.id}/dispatch`).set(bearer(leader))).status).toBe(200);
      return (await t.http().get(`/api/v1/tasks?unitId=${village}&period=2026-08`).set(bearer(team))).body as Array<{
        id: string;
        title: string;
      }>;
    })();
    return (await dispatched).find((x) => x.title === title)!;
  }

  /** The progress entries the server holds for a task, as the database has them. */
  const progressOf = (taskId: string) =>
    t.app
      .get(DataSource)
      .query<Array<{ actual: number; comment: string | null }>>(
        `SELECT actual::float8 AS actual, comment FROM task_progress WHERE task_id = $1 ORDER BY id`,
        [taskId],
      );

  it(
    'keeps a photo and a close-out made offline and sends each exactly once when the connection returns',
    async () => {
      const id = await raiseTicket(t, inspector, { title: '离线测试：村道边沟堵塞', unitId: village, deadline: '2026-09-15' });
      await transition(t, team, id, { action: 'start' });
      const other = await raiseTicket(t, inspector, { title: '离线测试：公示栏未更新', unitId: village, deadline: '2026-09-30' });
      const { page, context } = await signIn('zc_team1');
      await keep(page, `/tickets/${other}`);
      await keep(page, `/tickets/${id}`);
      // A ticket page fetches the photo compressor once it has loaded, for use offline.
      await page.waitForFunction(
        `caches.open('rt-assets').then((c) => c.keys()).then((ks) => ks.some((k) => k.url.includes('image-compression')))`,
      );

      await context.setOffline(true);
      await page.reload();
      await expect(page.locator('#sync-state').textContent()).resolves.toMatch(/最后同步于 2026-08-20 10:00/);
      const photo = await cameraPhoto();
      expect(photo.length).toBeGreaterThan(5 * 1024 * 1024);
      // The labelled photo input, reached by its label as a screen reader would.
      await page.getByLabel(/拍照或选择图片/).setInputFiles({ name: 'IMG_20260819_153000.jpg', mimeType: 'image/jpeg', buffer: photo });
      await page.getByRole('button', { name: '上传' }).click();
      await page.locator('#outbox li', { hasText: '佐证照片' }).waitFor({ timeout: 60_000 });
      // The capture time and place read from the original go beside the smaller photo.
      const queued = await page.evaluate<Array<[string, string]>>(
        `RtOutbox.list().then((items) => items.find((i) => i.kind === 'evidence').fields)`,
      );
      const facts = Object.fromEntries(queued);
      expect(new Date(facts.takenAt).getTime()).toBe(new Date(2026, 7, 19, 15, 30).getTime());
      expect(Number(facts.lat)).toBeCloseTo(26.5833, 3);
      expect(Number(facts.lon)).toBeCloseTo(106.7, 3);
      await page.getByLabel('整改说明').fill('边沟已清理，现场拍照');
      await page.getByRole('button', { name: '申请销号' }).click();
      await page.locator('#outbox li', { hasText: '申请销号' }).waitFor();
      await expect(page.locator('#outbox li').count()).resolves.toBe(2);
      await expect(page.locator('#outbox-h').textContent()).resolves.toBe('待发送');
      await shot(page, 'offline-outbox');

      // Closing and opening the page offline loses nothing.
      await page.reload();
      await expect(page.locator('#outbox li').count()).resolves.toBe(2);
      expect((await history(id)).filter((h) => h.kind === 'evidence_added')).toHaveLength(0);

      const back = Date.now();
      await context.setOffline(false);
      await page.waitForFunction(
        `fetch(${JSON.stringify(`${base}/tickets/${id}/state`)}).then((r) => r.json()).then((s) => s.status === 'pending_review')`,
        undefined,
        { timeout: 30_000, polling: 250 },
      );
      const sentWithin = Date.now() - back;
      await page.locator('#outbox').waitFor({ state: 'hidden' });
      const entries = await history(id);
      expect(entries.filter((h) => h.kind === 'evidence_added')).toHaveLength(1);
      expect(entries.filter((h) => h.action === 'submit')).toHaveLength(1);
      expect(sentWithin).toBeLessThan(10_000);

      const evidence = (await t.http().get(`/api/v1/issues/${id}/evidence`).set(bearer(team))).body as Array<{ id: string; size: number }>;
      expect(evidence).toHaveLength(1);
      expect(evidence[0].size).toBeLessThan(1024 * 1024);
      const file = await t
        .http()
        .get(`/api/v1/issues/${id}/evidence/${evidence[0].id}`)
        .set(bearer(team))
        .buffer(true)
        .parse((res, cb) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      const meta = await sharp(file.body as Buffer).metadata();
      expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBe(1600);
      const exif = (await exifr.parse(file.body as Buffer, { gps: true })) as { DateTimeOriginal?: Date; latitude?: number };
      expect(exif.DateTimeOriginal).toBeDefined();
      expect(exif.latitude).toBeCloseTo(26.5833, 3);
      await page.reload();
      await page.locator('#ticket-status', { hasText: '待核验' }).waitFor();
      await shot(page, 'offline-sent');
      // What was sent changed this ticket's page and the lists, not the other ticket's page,
      // which stays readable offline.
      await context.setOffline(true);
      await page.goto(`${base}/tickets/${other}`);
      await expect(page.locator('#ticket').getAttribute('data-label')).resolves.toContain('离线测试：公示栏未更新');
      await context.close();
      console.log(`photo ${photo.length} B → ${evidence[0].size} B; sent ${sentWithin} ms after reconnecting`);
    },
    JOURNEY_MS,
  );

  it(
    'shows a close-out queued while the ticket was returned, and sends it only when the user says so',
    async () => {
      const id = await raiseTicket(t, inspector, { title: '冲突测试：路灯不亮', unitId: village, deadline: '2026-09-15' });
      await transition(t, team, id, { action: 'start' });
      const { page, context } = await signIn('zc_team1');
      await keep(page, `/tickets/${id}`);
      await context.setOffline(true);
      // Meanwhile a colleague submits it and the inspection group returns it.
      const ev = await t.http().post(`/api/v1/issues/${id}/evidence`).set(bearer(team)).attach('file', PNG, 'lamp.png');
      await transition(t, team, id, { action: 'submit', comment: '已更换灯泡', evidenceIds: [ev.body.id] });
      await transition(t, inspector, id, { action: 'return', reason: '照片看不出是哪盏灯' });
      await page.reload();
      await page.getByLabel('整改说明').fill('已更换灯泡，补拍照片');
      await page.getByRole('button', { name: '申请销号' }).click();
      await page.locator('#outbox li', { hasText: '申请销号' }).waitFor();
      await context.setOffline(false);
      const conflict = page.locator('#outbox li.conflict');
      await conflict.waitFor({ timeout: 20_000 });
      await expect(conflict.textContent()).resolves.toMatch(/退回 → 整改中：照片看不出是哪盏灯/);
      await expect(conflict.textContent()).resolves.toContain('请决定是否仍然发送');
      await shot(page, 'conflict');
      expect((await history(id)).filter((h) => h.action === 'submit')).toHaveLength(1);
      // The user decides, with the keyboard.
      await conflict.getByRole('button', { name: '仍然发送' }).focus();
      await page.keyboard.press('Enter');
      await page.locator('#outbox').waitFor({ state: 'hidden', timeout: 20_000 });
      const submits = (await history(id)).filter((h) => h.action === 'submit');
      expect(submits.map((s) => s.comment)).toEqual(['已更换灯泡', '已更换灯泡，补拍照片']);
      await context.close();
    },
    JOURNEY_MS,
  );

  it(
    'keeps a progress report made offline and sends it once when the connection returns',
    async () => {
      const task = await taskOfTheMonth('离线进度：入户核查');
      const entries = () => progressOf(task.id);

      const { page, context } = await signIn('zc_team1');
      // Every answer to a progress post, from the page or from the service worker.
      const posts: number[] = [];
      context.on('response', (res) => {
        if (res.request().method() === 'POST' && res.url().includes(`/my-tasks/${task.id}/progress`)) posts.push(res.status());
      });
      await keep(page, '/my-tasks');
      await context.setOffline(true);
      await page.reload();
      await expect(page.locator('#sync-state').textContent()).resolves.toMatch(/最后同步于/);
      const card = page.locator('#tasks li', { hasText: '离线进度：入户核查' });
      await card.getByLabel('完成数').fill('7');
      await card.getByLabel('说明').fill('已核查7户');
      await card.getByRole('button', { name: '报进度' }).click();
      const waiting = page.locator('#outbox li', { hasText: '离线进度：入户核查' });
      await waiting.waitFor();
      await expect(waiting.textContent()).resolves.toContain('报进度');
      await expect(page.locator('#outbox-h').textContent()).resolves.toBe('待发送');
      await shot(page, 'offline-progress-outbox');
      // Closing and opening the page offline keeps it waiting; nothing reached the server.
      await page.reload();
      await expect(page.locator('#outbox li').count()).resolves.toBe(1);
      expect(await entries()).toEqual([]);

      await context.setOffline(false);
      await page.locator('#outbox').waitFor({ state: 'hidden', timeout: 30_000 });
      for (let waited = 0; (await entries()).length === 0 && waited < 10_000; waited += 250) await page.waitForTimeout(250);
      // Sent once: the page and the service worker take turns, and what one sent the other does not send again.
      await page.waitForTimeout(1500);
      expect(posts.filter((s) => s < 400)).toHaveLength(1);
      expect(await entries()).toEqual([{ actual: 7, comment: '已核查7户' }]);
      const detail = (await t.http().get(`/api/v1/tasks/${task.id}`).set(bearer(team))).body as { actual: number; progress: unknown[] };
      expect(detail.actual).toBe(7);
      expect(detail.progress).toHaveLength(1);
      await page.reload();
      await expect(card.locator('progress').getAttribute('value')).resolves.toMatch(/^0\.58/);
      await shot(page, 'offline-progress-sent');
      await context.close();
    },
    JOURNEY_MS,
  );

  /*
   * Background Sync with no page left: the photo and the progress report are queued offline,
   * every page of the phone's browser is closed (its service worker stays registered), and the
   * connection comes back. Playwright takes the service worker offline and back through DevTools
   * network emulation of the worker's own target; Chromium's Background Sync follows that
   * emulation (it fires a sync registered while the worker was offline once the emulation is
   * lifted), so the `sync` event here is the browser's own, not one dispatched by the test.
   */
  it(
    'sends a photo and a progress report queued offline once each, from the service worker’s sync with every page closed',
    async () => {
      const id = await raiseTicket(t, inspector, { title: '关页同步：水池护栏', unitId: village, deadline: '2026-09-15' });
      await transition(t, team, id, { action: 'start' });
      const task = await taskOfTheMonth('关页同步：饮水巡查');
      const { page, context } = await signIn('zc_team1');
      await keep(page, '/my-tasks');
      await keep(page, `/tickets/${id}`);
      // Who sent each write: a page, or the service worker.
      const posts: Array<{ path: string; byWorker: boolean }> = [];
      context.on('request', (r) => {
        if (r.method() === 'POST') posts.push({ path: new URL(r.url()).pathname, byWorker: r.serviceWorker() !== null });
      });

      await context.setOffline(true);
      await page.reload();
      // The photo from before the work (taken last year: the service's clock stands in August).
      await page.getByLabel('照片性质').selectOption('before');
      await page.getByLabel(/拍照或选择图片/).setInputFiles(join(__dirname, 'fixtures', 'photos', 'house-last-year.jpg'));
      await page.getByRole('button', { name: '上传' }).click();
      await page.locator('#outbox li', { hasText: '佐证照片' }).waitFor();
      await page.goto(`${base}/my-tasks`);
      const card = page.locator('#tasks li', { hasText: '关页同步：饮水巡查' });
      await card.getByLabel('完成数').fill('5');
      await card.getByLabel('说明').fill('护栏已装好5处');
      await card.getByRole('button', { name: '报进度' }).click();
      await page.locator('#outbox li', { hasText: '关页同步：饮水巡查' }).waitFor();
      await expect(page.locator('#outbox li').count()).resolves.toBe(2);

      const evidence = async () =>
        (await t.http().get(`/api/v1/issues/${id}/evidence`).set(bearer(team))).body as Array<{ filename: string; role: string | null }>;
      expect(await evidence()).toEqual([]);
      expect(await progressOf(task.id)).toEqual([]);
      // No page of the site is open any more: only the service worker can send.
      for (const open of context.pages()) await open.close();
      expect(context.pages()).toHaveLength(0);
      expect(context.serviceWorkers()).toHaveLength(1);

      await context.setOffline(false);
      const back = Date.now();
      while ((!(await evidence()).length || !(await progressOf(task.id)).length) && Date.now() - back < 30_000) {
        await new Promise((r) => setTimeout(r, 250));
      }
      const sentWithin = Date.now() - back;
      // A while longer: a second send of either would show by now.
      await new Promise((r) => setTimeout(r, 2000));
      expect(await evidence()).toMatchObject([{ filename: 'house-last-year.jpg', role: 'before' }]);
      expect(await progressOf(task.id)).toEqual([{ actual: 5, comment: '护栏已装好5处' }]);
      expect((await history(id)).filter((h) => h.kind === 'evidence_added')).toHaveLength(1);
      expect(posts).toEqual([
        { path: `/tickets/${id}/evidence`, byWorker: true },
        { path: `/my-tasks/${task.id}/progress`, byWorker: true },
      ]);
      expect(sentWithin).toBeLessThan(10_000);
      await context.close();
      console.log(`sent by the service worker ${sentWithin} ms after reconnecting, no page open`);
    },
    JOURNEY_MS,
  );

  interface Post {
    key: string | undefined;
    byWorker: boolean;
    /** What the server held when it had the post, counted by `held`. */
    heldThen: number;
    heard: number | 'lost';
  }

  /**
   * The first post to `url` reaches the server, which applies it, and its reply is lost on the
   * way back (the connection resets); later posts go through. Each post as the server got it.
   */
  async function loseFirstReply(context: BrowserContext, url: string, held: () => Promise<number>): Promise<Post[]> {
    const posts: Post[] = [];
    await context.route(url, async (route) => {
      const request = route.request();
      const post: Post = { key: request.headers()['idempotency-key'], byWorker: request.serviceWorker() !== null, heldThen: 0, heard: 0 };
      posts.push(post);
      const reply = await route.fetch({ maxRedirects: 0 });
      post.heldThen = await held();
      if (posts.length === 1) {
        post.heard = 'lost';
        await route.abort('connectionreset');
      } else {
        post.heard = reply.status();
        await route.fulfill({ response: reply });
      }
    });
    return posts;
  }

  /** The outbox sent a post again after its reply was lost: with the same key, and answered. */
  async function sentAgainWithItsKey(page: Page, posts: Post[]): Promise<void> {
    for (let waited = 0; posts.length < 2 && waited < 20_000; waited += 250) await page.waitForTimeout(250);
    await page.locator('#outbox').waitFor({ state: 'hidden', timeout: 20_000 });
    // A while longer: a third send would show by now.
    await page.waitForTimeout(1500);
    expect(posts.map((p) => [p.heldThen, p.heard])).toEqual([
      [1, 'lost'],
      [1, 303],
    ]);
    expect(posts[0].key).toMatch(/^[0-9a-f-]{36}$/);
    expect(posts[1].key).toBe(posts[0].key);
    await expect(page.evaluate<number>('RtOutbox.list().then((items) => items.length)')).resolves.toBe(0);
  }

  it(
    'holds a progress report once when the server applied it but its reply was lost, and the outbox sent it again with its key',
    async () => {
      const task = await taskOfTheMonth('回复丢失：危房排查');
      const { page, context } = await signIn('zc_team1');
      await keep(page, '/my-tasks');
      const posts = await loseFirstReply(context, `**/my-tasks/${task.id}/progress`, async () => (await progressOf(task.id)).length);
      const card = page.locator('#tasks li', { hasText: '回复丢失：危房排查' });
      await card.getByLabel('完成数').fill('3');
      await card.getByLabel('说明').fill('已排查3户');
      await card.getByRole('button', { name: '报进度' }).click();
      await sentAgainWithItsKey(page, posts);
      expect(await progressOf(task.id)).toEqual([{ actual: 3, comment: '已排查3户' }]);
      await context.close();
      console.log(`the report whose reply was lost sent again by ${posts[1].byWorker ? 'the service worker' : 'the page'}`);
    },
    JOURNEY_MS,
  );

  it(
    'holds a photo once when the server stored it but its reply was lost, and the outbox sent it again with its key',
    async () => {
      const id = await raiseTicket(t, inspector, { title: '回复丢失：村口垃圾点', unitId: village, deadline: '2026-09-15' });
      await transition(t, team, id, { action: 'start' });
      const evidence = async () =>
        (await t.http().get(`/api/v1/issues/${id}/evidence`).set(bearer(team))).body as Array<{ filename: string }>;
      const { page, context } = await signIn('zc_team1');
      await keep(page, `/tickets/${id}`);
      const posts = await loseFirstReply(context, `**/tickets/${id}/evidence`, async () => (await evidence()).length);
      await page.getByLabel(/拍照或选择图片/).setInputFiles(join(__dirname, 'fixtures', 'photos', 'house-last-year.jpg'));
      await page.getByRole('button', { name: '上传' }).click();
      await sentAgainWithItsKey(page, posts);
      expect(await evidence()).toMatchObject([{ filename: 'house-last-year.jpg' }]);
      expect((await history(id)).filter((h) => h.kind === 'evidence_added')).toHaveLength(1);
      await context.close();
      console.log(`the photo whose reply was lost sent again by ${posts[1].byWorker ? 'the service worker' : 'the page'}`);
    },
    JOURNEY_MS,
  );

  it(
    'fits the leader’s menu, charts and ranking in 360 px, openable with the keyboard',
    async () => {
      const { page, context } = await signIn('zc_leader');
      await shot(page, 'leader-dashboard');
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      // Every chart label reads at 12 px or more on the phone.
      const smallest = await page.evaluate<number>(`(() => {
        let min = Infinity;
        for (const svg of document.querySelectorAll('svg.chart')) {
          const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
          for (const text of svg.querySelectorAll('text')) min = Math.min(min, parseFloat(getComputedStyle(text).fontSize) * scale);
        }
        return min;
      })()`);
      expect(smallest).toBeGreaterThanOrEqual(12);
      // The menu: a button, reached and opened from the keyboard; every item whole on screen.
      const toggle = page.getByRole('button', { name: '菜单' });
      await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
      await toggle.focus();
      await page.keyboard.press('Enter');
      await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
      const items = page.locator('#site-nav a');
      expect(await items.count()).toBeGreaterThanOrEqual(10);
      for (const box of await items.evaluateAll((as) =>
        as.map((a) => ({ ...a.getBoundingClientRect().toJSON(), w: a.scrollWidth, cw: a.clientWidth })),
      )) {
        expect(box.left).toBeGreaterThanOrEqual(0);
        expect(box.right).toBeLessThanOrEqual(PHONE.width);
        expect(box.w).toBeLessThanOrEqual(box.cw);
      }
      await expect(page.locator('#site-nav a', { hasText: '追责问责' }).isVisible()).resolves.toBe(true);
      await shot(page, 'leader-menu-open');
      await page.keyboard.press('Escape');
      await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
      await page.goto(`${base}/calendar`);
      await expect(page.locator('#day-hint').textContent()).resolves.toContain('月末');
      await shot(page, 'leader-calendar');
      await context.close();
    },
    JOURNEY_MS,
  );

  it(
    'shows a village team its township’s ranking with the breakdown, the search in Chinese and refused forms again',
    async () => {
      const { page, context } = await signIn('zc_team1');
      await shot(page, 'team-tickets');
      await expect(page.getByRole('button', { name: '搜索' }).isVisible()).resolves.toBe(true);
      const label = await page.locator('label[for="q"]').boundingBox();
      const input = await page.locator('#q').boundingBox();
      // The label sits right above its input, not wrapped away from it.
      expect(Math.abs((label?.x ?? 0) - (input?.x ?? 100))).toBeLessThan(4);
      expect((input?.y ?? 0) - (label?.y ?? 0)).toBeLessThan(40);
      await page.goto(`${base}/ranking`);
      await expect(page.locator('#ranking tbody tr').count()).resolves.toBeGreaterThan(1);
      await expect(page.locator('#ranking .parts').first().textContent()).resolves.toContain('任务完成');
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      await shot(page, 'team-ranking');
      await page.goto(`${base}/self-check`);
      await page.getByLabel('自查情况').fill('   ');
      await page.evaluate(`document.getElementById('summary').removeAttribute('required')`);
      await page.getByLabel('发现的问题（每行一个）').fill('1户饮水不稳定');
      await page.getByRole('button', { name: '提交自查报告' }).click();
      await page.locator('#form-problems').waitFor();
      await expect(page.locator('#form-problems').textContent()).resolves.toContain('自查情况：必须填写');
      await expect(page.getByLabel('发现的问题（每行一个）').inputValue()).resolves.toBe('1户饮水不稳定');
      await shot(page, 'team-self-check-refused');
      const favicon = await page.request.get(`${base}/favicon.ico`);
      expect(favicon.status()).toBe(200);
      await context.close();
    },
    JOURNEY_MS,
  );
});
