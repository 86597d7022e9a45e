import { PAIRING_DAYS, ReminderService, StepRunner } from '@app/cycles';
import { WebhookSender } from '@app/notifications';
import { FakeClock } from '@app/platform';
import { DEMO_PASSWORD } from '@app/org';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { bearer, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

describe('reminders, escalation, calendar events and webhooks', () => {
  const clock = new FakeClock('2026-06-20T00:00:00Z');
  let t: TestApp;
  let leader: string;
  let township: string;
  let v1: string;
  const receiver = new WebhookReceiver();
  const db = () => t.app.get(DataSource);

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({ clock, env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
    leader = await t.login('zc_leader');
    township = await unitId(t, '中厂镇');
    v1 = await unitId(t, '中厂镇第一社区');
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  it('reminds before a deadline, escalates when overdue, records accountability past the grace period — each once', async () => {
    // A ticket due 23 June (in 3 days) and one long overdue, both of 第一社区.
    const inspector = await t.login('zc_inspector');
    const soon = await t
      .http()
      .post('/api/v1/issues')
      .set(bearer(inspector))
      .send({ title: '提醒测试', unitId: v1, deadline: '2026-06-23', responsible: '赵六' });
    const sweep = () => t.app.get(ReminderService).sweep();
    const first = await sweep();
    expect(first.reminded).toBeGreaterThan(0);
    const again = await sweep();
    expect(again).toMatchObject({ reminded: 0, escalated: 0, accountability: 0 });
    const reminders = await db().query(`SELECT * FROM notification WHERE kind = 'deadline_reminder' AND data->>'ticketId' = $1`, [
      soon.body.id,
    ]);
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toMatchObject({ unit_id: v1, audience: 'members' });
    expect(reminders[0].body).toContain('赵六');

    // Ten days later it is overdue: the township's leaders are told.
    clock.set('2026-06-30T02:00:00Z');
    await sweep();
    const escalations = await db().query(`SELECT * FROM notification WHERE kind = 'overdue' AND data->>'ticketId' = $1`, [soon.body.id]);
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({ unit_id: township, audience: 'leaders' });
    const leaderInbox = await t.http().get('/api/v1/notifications?pageSize=200').set(bearer(leader));
    expect(
      leaderInbox.body.items.some((n: { kind: string; title: string }) => n.kind === 'overdue' && n.title.includes(soon.body.code)),
    ).toBe(true);

    // Past the 15-day grace period: an accountability record names the unit and the person.
    clock.set('2026-07-10T02:00:00Z');
    const third = await sweep();
    expect(third.accountability).toBeGreaterThan(0);
    await sweep();
    const records = await t.http().get(`/api/v1/accountability?unitId=${township}&pageSize=200`).set(bearer(leader));
    const mine = records.body.items.filter((r: { ticketId: string }) => r.ticketId === soon.body.id);
    expect(mine).toEqual([
      expect.objectContaining({ unitName: '中厂镇第一社区', person: '赵六', deadline: '2026-06-23', daysOverdue: 17 }),
    ]);
  });

  it('reminds a team of its task deadline and tells the leaders when it passes', async () => {
    clock.set('2026-07-10T02:00:00Z');
    const list = await t
      .http()
      .post('/api/v1/task-lists')
      .set(bearer(leader))
      .send({ unitId: township, period: '2026-07', tasks: [{ title: '产业摸底', target: 10, unitIds: [v1], deadline: '2026-07-12' }] });
    await t.http().post(`/api/v1/task-lists/${list.body.id}/dispatch`).set(bearer(leader));
    await t.app.get(ReminderService).sweep();
    const [task] = await db().query(`SELECT id FROM task WHERE task_list_id = $1`, [list.body.id]);
    const notes = await db().query(`SELECT kind FROM notification WHERE data->>'taskId' = $1 ORDER BY created_at`, [task.id]);
    expect(notes.map((n: { kind: string }) => n.kind)).toEqual(['deadline_reminder']);
    clock.set('2026-07-14T02:00:00Z');
    await t.app.get(ReminderService).sweep();
    await t.app.get(ReminderService).sweep();
    const after = await db().query(`SELECT kind FROM notification WHERE data->>'taskId' = $1 ORDER BY kind`, [task.id]);
    expect(after.map((n: { kind: string }) => n.kind)).toEqual(['deadline_reminder', 'overdue']);
  });

  it('announces the pairing day the day before with its checklist', async () => {
    const current = (await t.http().get(`/api/v1/units/${township}/calendar`).set(bearer(leader))).body;
    const config = { ...current.config, fixedDays: [PAIRING_DAYS] };
    expect((await t.http().put(`/api/v1/units/${township}/calendar`).set(bearer(leader)).send({ config })).status).toBe(200);
    const runner = t.app.get(StepRunner);
    const run = await runner.run(township, '2026-08', 'event:pairing_day:17', { kind: 'schedule' });
    expect(run.state).toBe('done');
    await runner.run(township, '2026-08', 'event:pairing_day:17', { kind: 'schedule' });
    const team = await t.login('zc_team1');
    const inbox = await t.http().get('/api/v1/notifications?pageSize=200').set(bearer(team));
    const pairing = inbox.body.items.filter((n: { kind: string }) => n.kind === 'pairing_day');
    expect(pairing).toHaveLength(1);
    expect(pairing[0].body).toContain('2026-08-17 为结对帮扶日');
    expect(pairing[0].body).toContain('填写《扶贫手册》');
    const cycle = await t.http().get(`/api/v1/cycles?unitId=${township}&period=2026-08`).set(bearer(leader));
    expect(cycle.body.events.find((e: { key: string }) => e.key === 'event:pairing_day:17')).toMatchObject({
      state: 'done',
      title: '结对帮扶日',
    });
  });

  it('sends a unit’s notifications to its robot webhook: retried on failure, never twice', async () => {
    const put = await t.http().put(`/api/v1/units/${v1}/webhook`).set(bearer(leader)).send({ url: receiver.url, style: 'wecom' });
    expect(put.status).toBe(200);
    clock.set('2026-07-20T02:00:00Z');
    const inspector = await t.login('zc_inspector');
    await t.http().post('/api/v1/issues').set(bearer(inspector)).send({ title: '网络推送测试', unitId: v1, deadline: '2026-07-22' });
    receiver.reply = { status: 500, body: { errcode: -1 } };
    await t.app.get(ReminderService).sweep();
    const [delivery] = await db().query(
      `SELECT d.* FROM webhook_delivery d JOIN notification n ON n.id = d.notification_id WHERE n.title LIKE '%2026-07-22%' AND d.unit_id = $1`,
      [v1],
    );
    expect(delivery.payload).toMatchObject({ msgtype: 'text', text: { content: expect.stringContaining('网络推送测试') } });
    const sender = t.app.get(WebhookSender);
    await expect(sender.send(delivery.id)).rejects.toThrow(/HTTP 500/);
    expect((await db().query(`SELECT state, attempts FROM webhook_delivery WHERE id = $1`, [delivery.id]))[0]).toEqual({
      state: 'pending',
      attempts: 1,
    });
    receiver.reply = { status: 200, body: { errcode: 0, errmsg: 'ok' } };
    const before = receiver.received.length;
    expect(await sender.send(delivery.id)).toBe('sent');
    expect(await sender.send(delivery.id)).toBe('skipped');
    expect(receiver.received.length).toBe(before + 1);
    expect((await db().query(`SELECT state, attempts FROM webhook_delivery WHERE id = $1`, [delivery.id]))[0]).toEqual({
      state: 'sent',
      attempts: 2,
    });
  });

  it('does not resend a delivery interrupted mid-send', async () => {
    const [n] = await db().query(`SELECT id FROM notification WHERE unit_id = $1 LIMIT 1`, [v1]);
    const [d] = await db().query(
      `INSERT INTO webhook_delivery (notification_id, unit_id, url, payload, state, created_at)
       VALUES ($1, $2, $3, '{"msgtype":"text","text":{"content":"x"}}', 'sending', now()) ON CONFLICT DO NOTHING RETURNING id`,
      [n.id, township, receiver.url],
    );
    const before = receiver.received.length;
    expect(await t.app.get(WebhookSender).send(d.id)).toBe('skipped');
    expect((await db().query(`SELECT state, last_error FROM webhook_delivery WHERE id = $1`, [d.id]))[0]).toMatchObject({
      state: 'failed',
      last_error: expect.stringMatching(/never arrives twice/),
    });
    expect(receiver.received.length).toBe(before);
  });

  it('escalates up the tree: the township when overdue, the county past a second grace period, each named on the record', async () => {
    const county = await unitId(t, '白河县');
    const [ticket] = await db().query(`SELECT id, code FROM ticket WHERE title = '提醒测试'`);
    const countyNotices = async () =>
      db().query(`SELECT * FROM notification WHERE kind = 'overdue_escalated' AND data->>'ticketId' = $1`, [ticket.id]);
    const record = async () =>
      (await t.http().get(`/api/v1/accountability?unitId=${township}&pageSize=200`).set(bearer(leader))).body.items.find(
        (r: { ticketId: string }) => r.ticketId === ticket.id,
      );
    // Due 23 June: 30 days overdue is the 15-day grace period and the 15 days after it, not yet past them.
    clock.set('2026-07-23T02:00:00Z');
    await t.app.get(ReminderService).sweep();
    expect(await countyNotices()).toEqual([]);
    expect((await record()).levelsTold).toEqual([
      { unitId: township, unitName: '中厂镇', kind: 'township', at: '2026-06-30T02:00:00.000Z' },
    ]);

    clock.set('2026-07-24T02:00:00Z');
    const sweep = await t.app.get(ReminderService).sweep();
    expect(sweep.escalated).toBeGreaterThan(0);
    await t.app.get(ReminderService).sweep();
    const notices = await countyNotices();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      unit_id: county,
      audience: 'leaders',
      title: `中厂镇第一社区问题${ticket.code}逾期31天，报白河县督办`,
    });
    expect(notices[0].body).toContain('已告知中厂镇');
    expect((await record()).levelsTold).toEqual([
      { unitId: township, unitName: '中厂镇', kind: 'township', at: '2026-06-30T02:00:00.000Z' },
      { unitId: county, unitName: '白河县', kind: 'county', at: '2026-07-24T02:00:00.000Z' },
    ]);
    // The console's accountability page names them too.
    const agent = request.agent(t.app.getHttpServer());
    const login = await agent.get('/login').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)![1];
    await agent.post('/login').type('form').send({ username: 'zc_leader', password: DEMO_PASSWORD, _csrf: csrf, next: '/' }).expect(303);
    const page = await agent.get(`/accountability-records?unitId=${township}`).expect(200);
    expect(page.text).toContain('<td class="levels-told">中厂镇、白河县</td>');
  });

  it('marks notifications read, one by one or all at once', async () => {
    const team = await t.login('zc_team1');
    const unread = await t.http().get('/api/v1/notifications?unread=true').set(bearer(team));
    expect(unread.body.unread).toBeGreaterThan(0);
    const first = unread.body.items[0];
    expect((await t.http().post(`/api/v1/notifications/${first.id}/read`).set(bearer(team))).status).toBe(204);
    const after = await t.http().get('/api/v1/notifications?unread=true').set(bearer(team));
    expect(after.body.unread).toBe(unread.body.unread - 1);
    await t.http().post('/api/v1/notifications/read-all').set(bearer(team));
    expect((await t.http().get('/api/v1/notifications?unread=true').set(bearer(team))).body.total).toBe(0);
  });
});
