import { CHROMIUM_ARGS } from '@app/documents';
import { FakeClock } from '@app/platform';
import { mkdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { bearer, PNG, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

const ARTIFACTS = join(__dirname, '..', 'test-artifacts', 'console');
const PHONE = { width: 360, height: 740 };
/** A journey is a dozen page loads in a real browser, on a machine that may be busy. */
const JOURNEY_MS = 60_000;

/**
 * Each role's main journey through the web console in headless Chromium, on a phone-sized
 * screen; screenshots go to test-artifacts/console.
 */
describe('web console in a browser', () => {
  // 10:00 on 10 August 2026 in Shanghai.
  const clock = new FakeClock('2026-08-10T02:00:00Z');
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let ticketId: string;
  let ticketCode: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestApp({ clock });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: t.config.CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS, '--headless', '--disable-quic'],
    });
    // A fresh ticket for 中厂镇第一社区, raised by the inspection group.
    const inspector = await t.login('zc_inspector');
    const res = await t
      .http()
      .post('/api/v1/issues')
      .set(bearer(inspector))
      .send({
        title: '浏览器测试：村口危桥护栏缺失',
        unitId: await unitId(t, '中厂镇第一社区'),
        deadline: '2026-08-20',
        responsible: '张三',
      });
    expect(res.status).toBe(201);
    ticketId = res.body.id;
    ticketCode = res.body.code;
  }, JOURNEY_MS);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A fresh phone-sized session signed in as `username`, typing as a person would. */
  async function signIn(username: string): Promise<Page> {
    const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    expect(page.url()).toBe(`${base}/login`);
    // The username field has the focus; the rest is keyboard only.
    await page.keyboard.type(username);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Demo@2026');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname !== '/login');
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  it(
    'a village team closes a ticket out with a photo from the phone',
    async () => {
      const page = await signIn('zc_team1');
      expect(new URL(page.url()).pathname).toBe('/tickets');
      await shot(page, 'team-tickets');
      // Nothing is wider than the phone.
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      await page.getByRole('link', { name: new RegExp(ticketCode) }).click();
      await page.waitForURL(`**/tickets/${ticketId}`);
      expect(await page.getAttribute('#photo', 'capture')).toBe('environment');
      await page.getByRole('button', { name: '开始整改' }).click();
      await page.locator('#ticket-status', { hasText: '整改中' }).waitFor();
      await page.setInputFiles('#photo', { name: 'bridge.png', mimeType: 'image/png', buffer: PNG });
      await page.getByRole('button', { name: '上传' }).click();
      await page.waitForURL(`**/tickets/${ticketId}#evidence`);
      await page.locator('#evidence img').first().waitFor();
      await expect(page.locator('#evidence img').count()).resolves.toBe(1);
      await page.getByLabel('整改说明').fill('已安装护栏，现场拍照');
      await page.getByRole('button', { name: '申请销号' }).click();
      await page.locator('#ticket-status', { hasText: '待核验' }).waitFor();
      await shot(page, 'team-ticket-submitted');
      await page.context().close();
    },
    JOURNEY_MS,
  );

  it(
    'an inspector approves the close-out from the verification queue',
    async () => {
      const page = await signIn('zc_inspector');
      expect(new URL(page.url()).pathname).toBe('/verify');
      const row = page.locator('#queue li', { hasText: ticketCode });
      await expect(row.count()).resolves.toBe(1);
      await shot(page, 'inspector-queue');
      // The evidence carries warnings (a photo the phone shrank has no capture time): approving needs a reason.
      await row.getByLabel(/核验意见/).fill('经现场核查，屋面已修缮到位');
      await row.getByRole('button', { name: '通过' }).click();
      await page.locator('#queue li', { hasText: ticketCode }).waitFor({ state: 'detached' });
      await page.goto(`${base}/tickets/${ticketId}`);
      await expect(page.textContent('#ticket-status')).resolves.toBe('已销号');
      await page.context().close();
    },
    JOURNEY_MS,
  );

  it(
    'a leader dispatches a task list, issues the bulletin and sees the ranking',
    async () => {
      const page = await signIn('zc_leader');
      expect(new URL(page.url()).pathname).toBe('/dashboard');
      await expect(page.locator('svg.chart').count()).resolves.toBe(2);
      await shot(page, 'leader-dashboard');
      await page.goto(`${base}/dispatch`);
      await page.getByLabel('标题').first().fill('入户走访脱贫户');
      await page.locator('#target0').fill('30');
      await page.locator('#measureUnit0').fill('户');
      await page.getByRole('button', { name: '保存并下发' }).click();
      await page.waitForURL('**/dispatch?**');
      await expect(page.locator('section.card', { hasText: '入户走访脱贫户' }).textContent()).resolves.toContain('已下发');
      await page.goto(`${base}/ranking`);
      await expect(page.locator('#ranking tbody tr').count()).resolves.toBeGreaterThan(1);
      await shot(page, 'leader-ranking');
      // The bulletin waits for the month's earlier steps: the leader runs them by hand, in order.
      for (const step of ['月自查', '月研判', '月汇报']) {
        await page.goto(`${base}/dashboard`);
        await page.locator('#steps li', { hasText: step }).getByRole('button', { name: '立即执行' }).click();
        await page.waitForURL('**/dashboard?**');
        await expect(page.locator('#steps li', { hasText: step }).locator('.status').textContent()).resolves.toBe('已完成');
      }
      await page.goto(`${base}/docs`);
      await page.getByRole('button', { name: '印发督查通报' }).click();
      await page.waitForURL('**/docs');
      const bulletin = page.locator('#documents li', { hasText: '督查通报' }).first();
      const href = await bulletin.getByRole('link', { name: 'HTML' }).getAttribute('href');
      const html = await page.request.get(`${base}${href}`);
      expect(html.status()).toBe(200);
      expect(await html.text()).toContain('督查通报');
      const list = page.locator('#documents li', { hasText: '考评清单' }).first();
      const xlsx = await page.request.get(`${base}${await list.getByRole('link', { name: 'XLSX' }).getAttribute('href')}`);
      expect(xlsx.status()).toBe(200);
      expect(xlsx.headers()['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      await shot(page, 'leader-documents');
      await page.context().close();
    },
    JOURNEY_MS,
  );

  it(
    'the team sees its task and reports progress inline',
    async () => {
      const page = await signIn('zc_team1');
      await page.goto(`${base}/my-tasks`);
      const task = page.locator('#tasks li', { hasText: '入户走访脱贫户' });
      await task.getByLabel('完成数').fill('30');
      await task.getByRole('button', { name: '报进度' }).click();
      await page.locator('#tasks li', { hasText: '入户走访脱贫户' }).getByText('进度 100%').waitFor();
      await shot(page, 'team-tasks');
      await page.context().close();
    },
    JOURNEY_MS,
  );

  it(
    'a leader moves the report day with the keyboard; a mistyped address shows the 404 page',
    async () => {
      const page = await signIn('zc_leader');
      await page.goto(`${base}/calendar`);
      await expect(page.textContent('#next-report')).resolves.toBe('2026-08-25 09:00');
      const day = page.getByRole('group', { name: '月汇报 + 进度清单' }).getByLabel('日期');
      await day.focus();
      await page.keyboard.press('Control+A');
      await page.keyboard.type('26');
      await page.keyboard.press('Enter');
      await page.waitForURL('**/calendar?**saved=1');
      await expect(page.textContent('#next-report')).resolves.toBe('2026-08-26 09:00');
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      await shot(page, 'leader-calendar');
      const res = await page.goto(`${base}/calender`);
      expect(res?.status()).toBe(404);
      await expect(page.locator('h1').textContent()).resolves.toBe('找不到该页面或记录');
      await page.getByRole('link', { name: '返回首页' }).focus();
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === '/dashboard');
      await page.context().close();
    },
    JOURNEY_MS,
  );

  it(
    'shows another village’s ticket as a 404 page and refuses a form without its CSRF token',
    async () => {
      const page = await signIn('zc_team2');
      const res = await page.goto(`${base}/tickets/${ticketId}`);
      expect(res?.status()).toBe(404);
      await expect(page.locator('h1').textContent()).resolves.toBe('找不到该页面或记录');
      await shot(page, 'team-404');
      await page.goto(`${base}/self-check`);
      await page.evaluate(`document.querySelectorAll('input[name="_csrf"]').forEach((e) => e.remove())`);
      await page.getByLabel('自查情况').fill('本月自查情况');
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: '提交自查报告' }).click(),
      ]);
      expect(response.status()).toBe(403);
      await page.locator('main', { hasText: '表单已过期或来源不明' }).waitFor();
      // Refused while the user looked on, it shows as the plain form's answer would, and nothing waits to be sent.
      await expect(page.locator('#outbox').isHidden()).resolves.toBe(true);
      await page.context().close();
    },
    JOURNEY_MS,
  );
});
