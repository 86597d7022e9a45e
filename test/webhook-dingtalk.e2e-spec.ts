import { WebhookSender } from '@app/notifications';
import { createHmac } from 'node:crypto';
import { DataSource } from 'typeorm';
import { bearer, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const SECRET = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd';

describe('DingTalk robots with 加签', () => {
  let t: TestApp;
  let leader: string;
  let township: string;
  let receiver: WebhookReceiver;
  const db = () => t.app.get(DataSource);

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    t = await startTestApp({ env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
    leader = await t.login('zc_leader');
    township = await unitId(t, '中厂镇');
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  const put = (body: Record<string, unknown>) => t.http().put(`/api/v1/units/${township}/webhook`).set(bearer(leader)).send(body);

  it('keeps the secret sealed and never returns it', async () => {
    const res = await put({ url: receiver.url, style: 'dingtalk', secret: SECRET });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ unitId: township, url: receiver.url, style: 'dingtalk', enabled: true, signed: true });
    const read = await t.http().get(`/api/v1/units/${township}/webhook`).set(bearer(leader));
    expect(JSON.stringify(read.body)).not.toContain(SECRET);
    expect(read.body.webhook.signed).toBe(true);
    const [row] = await db().query(`SELECT secret_sealed FROM unit_webhook WHERE unit_id = $1`, [township]);
    expect(row.secret_sealed).toMatch(/^v1:/);
    expect(row.secret_sealed).not.toContain(SECRET.slice(3, 20));
    // Saving again without a secret keeps it; a WeCom robot takes none.
    expect((await put({ url: receiver.url, style: 'dingtalk', enabled: true })).body.signed).toBe(true);
    const wecom = await put({ url: receiver.url, style: 'wecom', secret: SECRET });
    expect(wecom.status).toBe(400);
    expect(wecom.body.details.fields[0].field).toBe('secret');
  });

  it('signs each request with timestamp and HMAC-SHA256 as DingTalk documents', async () => {
    const [n] = await db().query(
      `INSERT INTO notification (unit_id, audience, kind, title, body, dedupe_key, created_at)
       VALUES ($1, 'members', 'test', '督办提醒', '请按期整改', 'dingtalk-sign', now()) RETURNING id`,
      [township],
    );
    const [d] = await db().query(
      `INSERT INTO webhook_delivery (notification_id, unit_id, url, payload, state, created_at)
       VALUES ($1, $2, $3, '{"msgtype":"text","text":{"content":"督办提醒"}}', 'pending', now()) RETURNING id`,
      [n.id, township, receiver.url],
    );
    expect(await t.app.get(WebhookSender).send(d.id)).toBe('sent');
    const url = new URL(receiver.urls.at(-1)!, 'http://robot');
    expect(url.searchParams.get('key')).toBe('test');
    const timestamp = url.searchParams.get('timestamp')!;
    expect(Math.abs(Number(timestamp) - Date.now())).toBeLessThan(60_000);
    const expected = createHmac('sha256', SECRET).update(`${timestamp}\n${SECRET}`).digest('base64');
    expect(url.searchParams.get('sign')).toBe(expected);
    expect(receiver.urls.at(-1)).toContain(`sign=${encodeURIComponent(expected)}`);
  });
});
