import { OutboundAddressPolicy, OutboundVerdict, Clock, SecretBox } from '@app/platform';
import { WebhookOutbox, WebhookSender } from '@app/notifications';
import { DataSource } from 'typeorm';
import { consoleSignIn } from './support/console-session';
import { bearer, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

let seq = 0;

describe('robot webhook delivery: WeCom markdown, retries with backoff, the delivery log, pinned addresses', () => {
  let t: TestApp;
  let leader: string;
  let township: string;
  let receiver: WebhookReceiver;
  const db = () => t.app.get(DataSource);

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    t = await startTestApp({
      worker: true,
      env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_ATTEMPTS: '3', WEBHOOK_RETRY_DELAY: '300ms', WEBHOOK_TIMEOUT: '500ms' },
    });
    leader = await t.login('zc_leader');
    township = await unitId(t, '中厂镇');
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  beforeEach(() => {
    receiver.received.length = 0;
    receiver.times.length = 0;
    receiver.urls.length = 0;
    receiver.script = [];
    receiver.scriptFor.clear();
    receiver.slow.clear();
    receiver.reply = { status: 200, body: { errcode: 0, errmsg: 'ok' } };
  });

  const setRobot = async (style: 'wecom' | 'dingtalk', url = receiver.url) => {
    const res = await t.http().put(`/api/v1/units/${township}/webhook`).set(bearer(leader)).send({ url, style });
    expect(res.status).toBe(200);
  };

  /** A notification of the township with its delivery to `url`, as the outbox writes them. */
  async function delivery(title: string, body: string, url = receiver.url): Promise<string> {
    const [n] = await db().query(
      `INSERT INTO notification (unit_id, audience, kind, title, body, dedupe_key, created_at)
       VALUES ($1, 'members', 'test', $2, $3, $4, now()) RETURNING id`,
      [township, title, body, `delivery-test-${++seq}`],
    );
    const [d] = await db().query(
      `INSERT INTO webhook_delivery (notification_id, unit_id, url, payload, state, created_at)
       VALUES ($1, $2, $3, jsonb_build_object('msgtype', 'text', 'text', jsonb_build_object('content', $4::text)), 'pending', now())
       RETURNING id`,
      [n.id, township, url, `【${title}】\n${body}`],
    );
    return d.id as string;
  }

  /** What reached the robot for the notification titled `title` (the worker may send the township's other news meanwhile). */
  const arrived = (title: string) => receiver.received.filter((m) => JSON.stringify(m).includes(title));
  const arrivedAt = (title: string) => receiver.times.filter((_, i) => JSON.stringify(receiver.received[i]).includes(title));

  const row = async (id: string) =>
    (await db().query(`SELECT state, attempts, last_error, sent_at FROM webhook_delivery WHERE id = $1`, [id]))[0] as {
      state: string;
      attempts: number;
      last_error: string | null;
      sent_at: Date | null;
    };

  async function until(id: string, states: string[], timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (states.includes((await row(id)).state)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`delivery ${id} is still ${(await row(id)).state}`);
  }

  it('sends a WeCom robot a markdown message: the title in bold, the body quoted', async () => {
    await setRobot('wecom');
    const id = await delivery('督办提醒', '第一社区 3 件问题已超期\n请于本周内*整改* [详见](x)');
    expect(await t.app.get(WebhookSender).send(id)).toBe('sent');
    expect(arrived('督办提醒')).toEqual([
      { msgtype: 'markdown', markdown: { content: '**【督办提醒】**\n> 第一社区 3 件问题已超期\n> 请于本周内＊整改＊ ［详见］(x)' } },
    ]);
  });

  it('keeps a WeCom message within the 4096 bytes WeCom takes', async () => {
    await setRobot('wecom');
    const id = await delivery('长消息', '整改'.repeat(2000));
    expect(await t.app.get(WebhookSender).send(id)).toBe('sent');
    const content = (arrived('长消息')[0] as { markdown: { content: string } }).markdown.content;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    expect(content.endsWith('…')).toBe(true);
  });

  it('sends a DingTalk robot the text message, whose keyword check reads the text', async () => {
    await setRobot('dingtalk');
    const id = await delivery('督办提醒', '请按期整改');
    expect(await t.app.get(WebhookSender).send(id)).toBe('sent');
    expect(arrived('督办提醒')).toEqual([{ msgtype: 'text', text: { content: '【督办提醒】\n请按期整改' } }]);
  });

  it('retries a robot that fails, waiting longer each time, and delivers once', async () => {
    await setRobot('wecom');
    receiver.scriptFor.set('第三次送达', [
      { status: 502, body: 'bad gateway' },
      { status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' } },
    ]);
    const id = await delivery('重试', '第三次送达');
    await t.app.get(WebhookOutbox).enqueue([id]);
    await until(id, ['sent', 'failed']);
    const done = await row(id);
    expect(done).toMatchObject({ state: 'sent', attempts: 3 });
    expect(done.sent_at).not.toBeNull();
    expect(arrived('第三次送达')).toHaveLength(3);
    // Exponential backoff from 300 ms: at least 300 ms, then at least 600 ms.
    const [first, second, third] = arrivedAt('第三次送达');
    expect(second - first).toBeGreaterThanOrEqual(300);
    expect(third - second).toBeGreaterThanOrEqual(600);
    // Enqueued again (a sweep, a second event): nothing more arrives.
    await t.app.get(WebhookOutbox).enqueue([id]);
    expect(await t.app.get(WebhookSender).send(id)).toBe('skipped');
    await new Promise((r) => setTimeout(r, 800));
    expect(arrived('第三次送达')).toHaveLength(3);
  });

  it('marks a delivery failed, with the last error, once its attempts are spent', async () => {
    await setRobot('wecom');
    receiver.scriptFor.set('三次都失败', Array(5).fill({ status: 500, body: { errmsg: 'internal' } }));
    const id = await delivery('失败', '三次都失败');
    await t.app.get(WebhookOutbox).enqueue([id]);
    await until(id, ['failed', 'sent']);
    expect(await row(id)).toMatchObject({
      state: 'failed',
      attempts: 3,
      last_error: expect.stringMatching(/^HTTP 500 .*no attempt left$/),
    });
    expect(arrived('三次都失败')).toHaveLength(3);
  });

  it('never sends again a message the robot may have received: no answer in time is final', async () => {
    await setRobot('wecom');
    receiver.slow.set('迟迟不答', 1500);
    const id = await delivery('超时', '迟迟不答');
    await t.app.get(WebhookOutbox).enqueue([id]);
    await until(id, ['failed', 'sent']);
    expect(await row(id)).toMatchObject({ state: 'failed', attempts: 1, last_error: 'no answer within 0.5 s; not resent' });
    // Well past the backoff of a retry: it arrived once, and only once.
    await new Promise((r) => setTimeout(r, 2000));
    expect(arrived('迟迟不答')).toHaveLength(1);
    expect((await row(id)).attempts).toBe(1);
  });

  it('shows the delivery log to the unit’s leader, newest first, without the robot’s key', async () => {
    await setRobot('wecom');
    receiver.reply = { status: 500, body: { errmsg: 'down' } };
    const failed = await delivery('日志失败', '正文');
    expect(await t.app.get(WebhookSender).send(failed, { lastAttempt: true })).toBe('failed');
    receiver.reply = { status: 200, body: { errcode: 0 } };
    const sent = await delivery('日志成功', '正文');
    expect(await t.app.get(WebhookSender).send(sent)).toBe('sent');

    const res = await t.http().get(`/api/v1/units/${township}/webhook/deliveries?pageSize=2`).set(bearer(leader));
    expect(res.status).toBe(200);
    expect(res.body.items.map((d: { id: string }) => d.id)).toEqual([sent, failed]);
    expect(res.body.items[1]).toMatchObject({
      title: '日志失败',
      state: 'failed',
      attempts: 1,
      lastError: expect.stringContaining('HTTP 500'),
      host: new URL(receiver.url).host,
      lastAttemptAt: expect.any(String),
      sentAt: null,
    });
    expect(res.body.items[0]).toMatchObject({ state: 'sent', attempts: 1, lastError: null, sentAt: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toContain('key=test');
    expect(res.body.total).toBeGreaterThanOrEqual(2);
    expect(res.body.counts.failed).toBeGreaterThanOrEqual(1);

    const onlyFailed = await t.http().get(`/api/v1/units/${township}/webhook/deliveries?state=failed`).set(bearer(leader));
    expect(onlyFailed.body.items.every((d: { state: string }) => d.state === 'failed')).toBe(true);
    expect((await t.http().get(`/api/v1/units/${township}/webhook/deliveries?state=lost`).set(bearer(leader))).status).toBe(400);
    const team = await t.login('zc_team1');
    expect((await t.http().get(`/api/v1/units/${township}/webhook/deliveries`).set(bearer(team))).status).toBe(404);
  });

  it('shows the robot and its delivery log on the console’s page for the township’s leader', async () => {
    await setRobot('wecom');
    receiver.reply = { status: 500, body: { errmsg: 'robot down' } };
    const id = await delivery('控制台失败', '正文');
    expect(await t.app.get(WebhookSender).send(id, { lastAttempt: true })).toBe('failed');
    const agent = await consoleSignIn(t, 'zc_leader');
    const inbox = await agent.get('/inbox').expect(200);
    expect(inbox.text).toContain('href="/inbox/robot"');
    const page = await agent.get('/inbox/robot').expect(200);
    expect(page.text).toContain('企业微信');
    expect(page.text).toContain(new URL(receiver.url).host);
    expect(page.text).not.toContain('key=test');
    const row = page.text.slice(page.text.indexOf('控制台失败') - 200, page.text.indexOf('控制台失败') + 400);
    expect(row).toContain('class="delivery-failed"');
    expect(row).toContain('失败');
    expect(row).toContain('HTTP 500');
    const failedOnly = await agent.get('/inbox/robot?state=sent').expect(200);
    expect(failedOnly.text).not.toContain('控制台失败');
    const team = await consoleSignIn(t, 'zc_team1');
    expect((await team.get('/inbox').expect(200)).text).not.toContain('href="/inbox/robot"');
    expect((await team.get('/inbox/robot')).status).toBe(404);
  });

  it('connects to the address it checked, without resolving the name a second time', async () => {
    const port = new URL(receiver.url).port;
    // The name resolves nowhere: any lookup after the check would fail the send.
    const url = `http://robot.rebinding.invalid:${port}/cgi-bin/webhook/send?key=pinned`;
    const checked: string[] = [];
    const policy = {
      async check(u: string): Promise<OutboundVerdict> {
        checked.push(u);
        return { ok: true, addresses: ['127.0.0.1'], allowListed: false };
      },
    } as unknown as OutboundAddressPolicy;
    const sender = new WebhookSender(db(), t.app.get(Clock), policy, t.app.get(SecretBox), t.config);
    const id = await delivery('固定地址', '正文', url);
    expect(await sender.send(id)).toBe('sent');
    expect(checked).toEqual([url]);
    expect(receiver.urls.filter((u) => u.includes('key=pinned'))).toEqual(['/cgi-bin/webhook/send?key=pinned']);
    expect(await row(id)).toMatchObject({ state: 'sent', attempts: 1 });
  });
});
