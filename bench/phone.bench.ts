import { CHROMIUM_ARGS } from '@app/documents';
import { FakeClock } from '@app/platform';
import { readFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Browser, chromium, CDPSession, Page } from 'playwright-core';
import sharp from 'sharp';
import { bearer, raiseTicket, transition, unitId } from '../test/support/fixtures';
import { startTestApp } from '../test/support/test-app';
import { runMain } from './support/bench-kit';

/**
 * The phone console on a mountain connection: Chromium throttled through the DevTools protocol
 * to ~400 kbit/s down, 200 kbit/s up and a 400 ms round trip, against the budgets a village team
 * needs (first load of its ticket list, a repeat visit from the phone's copy, the weight of a
 * ticket page, a photo queued offline leaving once the connection returns).
 */
const SLOW = { offline: false, latency: 400, downloadThroughput: (400 * 1000) / 8, uploadThroughput: (200 * 1000) / 8 };
/** How long after a post the service worker takes pages from the network first (sw.js), and a margin. */
const FRESH_AFTER_POST_MS = 15_000 + 1000;
const BUDGET = { firstLoadMs: 5000, repeatMs: 1000, ticketPageBytes: 150 * 1024, photoStartMs: 10_000, closedPageMs: 10_000 };

/** Bytes moved over the network (not from the service worker's copy) while `run` runs. */
async function transferred(cdp: CDPSession, run: () => Promise<void>): Promise<number> {
  let bytes = 0;
  const fromNetwork = new Set<string>();
  const onResponse = (e: { requestId: string; response: { fromServiceWorker?: boolean; fromDiskCache?: boolean } }) => {
    if (!e.response.fromServiceWorker && !e.response.fromDiskCache) fromNetwork.add(e.requestId);
  };
  const onFinished = (e: { requestId: string; encodedDataLength: number }) => {
    if (fromNetwork.has(e.requestId)) bytes += e.encodedDataLength;
  };
  cdp.on('Network.responseReceived', onResponse);
  cdp.on('Network.loadingFinished', onFinished);
  await run();
  // The last bytes are counted a moment after the page says it has loaded.
  await new Promise((r) => setTimeout(r, 500));
  cdp.off('Network.responseReceived', onResponse);
  cdp.off('Network.loadingFinished', onFinished);
  return bytes;
}

type Conditions = typeof SLOW;

/**
 * Network conditions for the service workers as well as the page. A worker is a target of its
 * own: the page's throttling does not reach what the worker sends (Background Sync uploads), so
 * each worker is attached through the browser's DevTools session and given the same conditions.
 */
class WorkerNetwork {
  private readonly sessions = new Map<string, string>();
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  private constructor(private readonly cdp: CDPSession) {
    cdp.on('Target.receivedMessageFromTarget', (e: { message: string }) => {
      const reply = JSON.parse(e.message) as { id?: number; error?: { message: string } };
      const w = reply.id !== undefined ? this.waiting.get(reply.id) : undefined;
      if (!w) return;
      this.waiting.delete(reply.id!);
      if (reply.error) w.reject(new Error(reply.error.message));
      else w.resolve();
    });
  }

  static async open(browser: Browser): Promise<WorkerNetwork> {
    return new WorkerNetwork(await browser.newBrowserCDPSession());
  }

  private send(sessionId: string, method: string, params: unknown): Promise<void> {
    const id = this.nextId++;
    const done = new Promise<void>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    void this.cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    return done;
  }

  /** Gives every service worker running now the conditions; returns how many there are. */
  async emulate(conditions: Conditions): Promise<number> {
    const { targetInfos } = (await this.cdp.send('Target.getTargets')) as { targetInfos: Array<{ targetId: string; type: string }> };
    const workers = targetInfos.filter((x) => x.type === 'service_worker');
    for (const w of workers) {
      let sessionId = this.sessions.get(w.targetId);
      if (!sessionId) {
        sessionId = (await this.cdp.send('Target.attachToTarget', { targetId: w.targetId, flatten: false })).sessionId;
        this.sessions.set(w.targetId, sessionId);
        await this.send(sessionId, 'Network.enable', {});
      }
      await this.send(sessionId, 'Network.emulateNetworkConditions', conditions);
    }
    return workers.length;
  }
}

/** The page and its service workers on the same network. */
async function network(cdp: CDPSession, workers: WorkerNetwork, conditions: Conditions): Promise<number> {
  await cdp.send('Network.emulateNetworkConditions', conditions);
  return workers.emulate(conditions);
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return Math.round(performance.now() - start);
}

async function main(): Promise<void> {
  const clock = new FakeClock('2026-08-20T02:00:00Z');
  const t = await startTestApp({ clock });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: t.config.CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--headless'] });
  try {
    const inspector = await t.login('zc_inspector');
    const team = await t.login('zc_team1');
    const id = await raiseTicket(t, inspector, {
      title: '测速：村道护栏',
      unitId: await unitId(t, '中厂镇第一社区'),
      deadline: '2026-09-15',
    });
    await transition(t, team, id, { action: 'start' });
    const closedId = await raiseTicket(t, inspector, {
      title: '测速：关页后发送',
      unitId: await unitId(t, '中厂镇第一社区'),
      deadline: '2026-09-15',
    });
    await transition(t, team, closedId, { action: 'start' });

    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    const page: Page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', SLOW);

    // Signing in is not part of the list's load; the first list view is, on a phone that kept nothing.
    await page.goto(`${base}/login`);
    await page.fill('#username', 'zc_team1');
    await page.fill('#password', 'Demo@2026');
    let firstBytes = 0;
    const signedInAt = performance.now();
    const firstLoadMs = await timed(async () => {
      firstBytes = await transferred(cdp, async () => {
        await Promise.all([page.waitForURL('**/tickets', { waitUntil: 'load' }), page.press('#password', 'Enter')]);
      });
    });
    await page.evaluate('navigator.serviceWorker.ready.then(() => undefined)');
    const workers = await WorkerNetwork.open(browser);
    if ((await network(cdp, workers, SLOW)) !== 1) throw new Error('expected the console’s service worker to run');
    // The page once more under the service worker, which keeps it.
    await page.goto(`${base}/tickets`, { waitUntil: 'load' });
    await page.goto(`${base}/tickets/${id}`, { waitUntil: 'load' });
    // A repeat visit comes later: for a while after a form post (signing in is one) the service
    // worker asks the network first, so that the page after the post shows what it changed.
    await page.waitForTimeout(Math.max(3000, FRESH_AFTER_POST_MS - (performance.now() - signedInAt)));

    let repeatBytes = 0;
    const repeatMs = await timed(async () => {
      repeatBytes = await transferred(cdp, async () => {
        await page.goto(`${base}/tickets`, { waitUntil: 'load' });
      });
    });

    // A ticket page's weight on a phone that has the scripts but not this page.
    const fresh = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN', serviceWorkers: 'block' });
    const cold = await fresh.newPage();
    const coldCdp = await fresh.newCDPSession(cold);
    await coldCdp.send('Network.enable');
    await coldCdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await coldCdp.send('Network.emulateNetworkConditions', SLOW);
    await fresh.addCookies(await context.cookies());
    const ticketBytes = await transferred(coldCdp, async () => {
      await cold.goto(`${base}/tickets/${id}`, { waitUntil: 'load' });
    });
    await fresh.close();

    // A photo queued offline, sent when the connection returns.
    // A camera photo's size and detail: 4000×3000 of fine grain, about 6 MB as the camera saves it.
    const raw = Buffer.alloc(4000 * 3000 * 3);
    let seed = 7;
    for (let i = 0; i < raw.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      raw[i] = (seed >> 16) & 0xff;
    }
    const photo = await sharp(raw, { raw: { width: 4000, height: 3000, channels: 3 } })
      .jpeg({ quality: 72 })
      .toBuffer();
    await page.goto(`${base}/tickets/${id}`, { waitUntil: 'load' });
    await page.waitForTimeout(2000);
    // Offline and back through DevTools on the page and the worker alike (Playwright's setOffline
    // would lift the throttling of both when it turns the network back on).
    await network(cdp, workers, { ...SLOW, offline: true });
    await page.setInputFiles('#photo', { name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: photo });
    await page.click('button:has-text("上传")');
    await page.locator('#outbox li', { hasText: '佐证照片' }).waitFor({ timeout: 60_000 });
    let uploadStarted = 0;
    let uploadedBy = '';
    // The service worker's requests (Background Sync) are the context's, not the page's.
    context.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/evidence') && !uploadStarted) {
        uploadStarted = performance.now();
        uploadedBy = r.serviceWorker() ? 'the service worker' : 'the page';
      }
    });
    const back = performance.now();
    await network(cdp, workers, SLOW);
    const deadline = Date.now() + 120_000;
    let evidence: Array<{ size: number }> = [];
    while (Date.now() < deadline) {
      evidence = (await t.http().get(`/api/v1/issues/${id}/evidence`).set(bearer(team))).body;
      if (evidence.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const photoSentMs = Math.round(performance.now() - back);
    const photoStartMs = uploadStarted ? Math.round(uploadStarted - back) : NaN;
    const uploadMs = Math.round(performance.now() - (uploadStarted || back));
    // What the photo's bytes alone take at 200 kbit/s: an upload faster than that was not throttled.
    const wireMs = Math.round(((evidence[0]?.size ?? 0) * 8) / 200);

    // A photo queued offline, every page then closed: only the service worker's Background Sync
    // can send it, once the worker's network comes back (through DevTools on the worker's own
    // target, as Playwright's setOffline(false) does it, here back to the throttled network).
    // A phone's photo from the test fixtures (the bench runs from the project's root, npm run).
    const fixture = readFileSync(join(process.cwd(), 'test', 'fixtures', 'photos', 'house-last-year.jpg'));
    const closing = await context.newPage();
    const closingCdp = await context.newCDPSession(closing);
    await closingCdp.send('Network.enable');
    await network(closingCdp, workers, SLOW);
    await closing.goto(`${base}/tickets/${closedId}`, { waitUntil: 'load' });
    await network(closingCdp, workers, { ...SLOW, offline: true });
    await closing.setInputFiles('#photo', { name: 'IMG_20250602.jpg', mimeType: 'image/jpeg', buffer: fixture });
    await closing.click('button:has-text("上传")');
    await closing.locator('#outbox li', { hasText: '佐证照片' }).waitFor({ timeout: 60_000 });
    await closing.close();
    await page.close();
    if (context.pages().length) throw new Error('expected every page of the phone to be closed');
    let closedSentBy = '';
    context.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes(`/tickets/${closedId}/evidence`))
        closedSentBy ||= r.serviceWorker() ? 'the service worker' : 'a page';
    });
    const reconnected = performance.now();
    await workers.emulate(SLOW);
    const closedDeadline = Date.now() + 60_000;
    let closedEvidence: Array<{ size: number }> = [];
    while (Date.now() < closedDeadline) {
      closedEvidence = (await t.http().get(`/api/v1/issues/${closedId}/evidence`).set(bearer(team))).body;
      if (closedEvidence.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const closedPageMs = closedEvidence.length ? Math.round(performance.now() - reconnected) : NaN;

    const rows: Array<[string, string, string, boolean]> = [
      [
        'first load of the ticket list',
        `${firstLoadMs} ms (${Math.round(firstBytes / 1024)} KB)`,
        `< ${BUDGET.firstLoadMs} ms`,
        firstLoadMs < BUDGET.firstLoadMs,
      ],
      [
        'repeat visit, from the phone',
        `${repeatMs} ms (${Math.round(repeatBytes / 1024)} KB over the network)`,
        `< ${BUDGET.repeatMs} ms`,
        repeatMs < BUDGET.repeatMs,
      ],
      [
        'a ticket page, no photos',
        `${Math.round(ticketBytes / 1024)} KB`,
        `< ${BUDGET.ticketPageBytes / 1024} KB`,
        ticketBytes < BUDGET.ticketPageBytes,
      ],
      [
        'queued photo: upload starts after reconnecting',
        `${photoStartMs} ms`,
        `< ${BUDGET.photoStartMs} ms`,
        photoStartMs < BUDGET.photoStartMs,
      ],
      [
        `queued photo: on the server (${Math.round(photo.length / 1024)} KB → ${Math.round((evidence[0]?.size ?? 0) / 1024)} KB)`,
        `${photoSentMs} ms, sent by ${uploadedBy || 'nobody'}`,
        `(upload ${uploadMs} ms; ≥ ${wireMs} ms at 200 kbit/s)`,
        evidence.length === 1 && uploadMs >= wireMs * 0.9,
      ],
      [
        `queued photo sent with page closed (${Math.round(fixture.length / 1024)} KB)`,
        `${closedPageMs} ms, sent by ${closedSentBy || 'nobody'}`,
        `< ${BUDGET.closedPageMs} ms`,
        closedPageMs < BUDGET.closedPageMs && closedEvidence.length === 1 && closedSentBy === 'the service worker',
      ],
    ];
    console.log('phone console at ~400/200 kbit/s, 400 ms RTT');
    for (const [what, value, budget, ok] of rows) console.log(`${ok ? 'ok  ' : 'OVER'}  ${what.padEnd(52)} ${value.padEnd(40)} ${budget}`);
    await context.close();
  } finally {
    await browser.close();
    await t.close();
  }
}

runMain(main);
