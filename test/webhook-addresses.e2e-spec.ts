import { WebhookSender } from '@app/notifications';
import { DataSource } from 'typeorm';
import { bearer, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

describe('webhooks reach only public addresses', () => {
  let t: TestApp;
  let leader: string;
  let township: string;
  let receiver: WebhookReceiver;
  const db = () => t.app.get(DataSource);

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    t = await startTestApp();
    leader = await t.login('zc_leader');
    township = await unitId(t, '中厂镇');
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  const put = (url: string) => t.http().put(`/api/v1/units/${township}/webhook`).set(bearer(leader)).send({ url, style: 'dingtalk' });

  it.each([
    'http://127.0.0.1:8080/robot/send',
    'http://localhost:8080/robot/send',
    'http://10.0.0.5/robot/send',
    'http://192.168.1.1/robot/send',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.1.1/robot/send',
    'http://[::1]/robot/send',
    'http://[fd00::1]/robot/send',
    'http://[::ffff:127.0.0.1]/robot/send',
    'http://224.0.0.1/robot/send',
    'http://0.0.0.0/robot/send',
  ])('refuses %s with a 400 on the url, and saves nothing', async (url) => {
    const res = await put(url);
    expect(res.status).toBe(400);
    expect(res.body.details.fields[0].field).toBe('url');
    expect(await db().query(`SELECT 1 FROM unit_webhook WHERE unit_id = $1`, [township])).toEqual([]);
  });

  it('accepts a public address and a name that does not resolve yet', async () => {
    expect((await put('https://203.119.169.1/robot/send?access_token=x')).status).toBe(200);
    expect((await put('https://robot.not-yet.invalid/robot/send?access_token=x')).status).toBe(200);
  });

  it('checks again at every send: a delivery to an internal address is refused, not sent, not retried', async () => {
    const [n] = await db().query(
      `INSERT INTO notification (unit_id, audience, kind, title, body, dedupe_key, created_at)
       VALUES ($1, 'members', 'test', '测试', '测试', 'webhook-recheck', now()) RETURNING id`,
      [township],
    );
    const [d] = await db().query(
      `INSERT INTO webhook_delivery (notification_id, unit_id, url, payload, state, created_at)
       VALUES ($1, $2, $3, '{"msgtype":"text","text":{"content":"x"}}', 'pending', now()) RETURNING id`,
      [n.id, township, receiver.url],
    );
    expect(await t.app.get(WebhookSender).send(d.id)).toBe('failed');
    const [row] = await db().query(`SELECT state, attempts, last_error FROM webhook_delivery WHERE id = $1`, [d.id]);
    expect(row).toMatchObject({ state: 'failed', attempts: 1, last_error: expect.stringMatching(/127\.0\.0\.1, an internal address/) });
    expect(receiver.received).toEqual([]);
  });
});
