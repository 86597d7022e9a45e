import { getQueueToken } from '@nestjs/bullmq';
import { CYCLES_QUEUE, CycleScheduler, HISTORY_AUDIT_CRON, HistoryAudit } from '@app/cycles';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { bearer, PNG, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

/** A ticket's history is a hash chain: whatever writes it, the chain verifies; tampering shows. */
describe('tamper-evident ticket history', () => {
  let t: TestApp;
  let db: DataSource;
  let inspector: string;
  let team1: string;
  let leader: string;
  let v1: string;

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
    inspector = await t.login('zc_inspector');
    team1 = await t.login('zc_team1');
    leader = await t.login('zc_leader');
    v1 = await unitId(t, '中厂镇第一社区');
  });
  afterAll(() => t.close());

  async function raise(): Promise<string> {
    const res = await t
      .http()
      .post('/api/v1/issues')
      .set(bearer(inspector))
      .send({ title: '村级活动场所“七牌一栏”未规范设置', unitId: v1, deadline: '2032-08-20', responsible: '张三' });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  const verify = async (id: string, token = team1) => {
    const res = await t.http().get(`/api/v1/issues/${id}/history/verify`).set(bearer(token));
    expect(res.status).toBe(200);
    return res.body as { ok: boolean; entries: number; head: string | null; brokenAt?: { seq: number; reason: string } };
  };

  /** Changes the history behind the service's back, as someone with the schema owner's rights could. */
  async function tamper(sql: string, params: unknown[]): Promise<void> {
    await db.transaction(async (m) => {
      await m.query(`ALTER TABLE ticket_event DISABLE TRIGGER ticket_event_append_only`);
      await m.query(sql, params);
      await m.query(`ALTER TABLE ticket_event ENABLE TRIGGER ticket_event_append_only`);
    });
  }

  it('chains every entry however it is written: creation, actions, evidence, edits', async () => {
    const id = await raise();
    const act = (token: string, body: Record<string, unknown>) =>
      t.http().post(`/api/v1/issues/${id}/transitions`).set(bearer(token)).send(body);
    expect((await act(team1, { action: 'start' })).status).toBe(200);
    const photo = await t.http().post(`/api/v1/issues/${id}/evidence`).set(bearer(team1)).attach('file', PNG, '现场照片.png');
    expect(photo.status).toBe(201);
    const version = (await t.http().get(`/api/v1/issues/${id}`).set(bearer(team1))).body.version;
    expect(
      (await t.http().patch(`/api/v1/issues/${id}`).set(bearer(leader)).send({ measures: '七牌一栏统一制作上墙', version })).status,
    ).toBe(200);
    expect((await act(team1, { action: 'submit', comment: '已按要求整改到位', evidenceIds: [photo.body.id] })).status).toBe(200);
    expect((await act(inspector, { action: 'approve', comment: '经现场核查，整改到位' })).status).toBe(200);

    const report = await verify(id);
    const history = (await t.http().get(`/api/v1/issues/${id}/history`).set(bearer(team1))).body as unknown[];
    expect(report).toEqual({ ok: true, entries: history.length, head: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(history.length).toBeGreaterThanOrEqual(6);
    const [last] = await db.query(`SELECT encode(hash, 'hex') AS hash FROM ticket_event WHERE ticket_id = $1 ORDER BY seq DESC LIMIT 1`, [
      id,
    ]);
    expect(report.head).toBe(last.hash);
  });

  it('keeps one chain when many entries arrive for a ticket at once', async () => {
    const id = await raise();
    const uploads = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t
          .http()
          .post(`/api/v1/issues/${id}/evidence`)
          .set(bearer(team1))
          .attach('file', Buffer.concat([PNG, Buffer.from([i])]), `照片${i}.png`),
      ),
    );
    expect(uploads.map((u) => u.status)).toEqual(Array(8).fill(201));
    const seqs = await db.query(`SELECT seq FROM ticket_event WHERE ticket_id = $1 ORDER BY seq`, [id]);
    expect(seqs.map((r: { seq: number }) => r.seq)).toEqual(seqs.map((_: unknown, i: number) => i + 1));
    expect((await verify(id)).ok).toBe(true);
  });

  it('names the first entry that was changed, and an entry taken out', async () => {
    const id = await raise();
    await t.http().post(`/api/v1/issues/${id}/transitions`).set(bearer(team1)).send({ action: 'start', comment: '立即整改' });
    await t
      .http()
      .post(`/api/v1/issues/${id}/evidence`)
      .set(bearer(team1))
      .attach('file', Buffer.concat([PNG, Buffer.from('x')]), 'a.png');
    expect((await verify(id)).ok).toBe(true);

    await tamper(`UPDATE ticket_event SET comment = '已整改' WHERE ticket_id = $1 AND seq = 2`, [id]);
    expect(await verify(id)).toMatchObject({ ok: false, brokenAt: { seq: 2, reason: 'hash_mismatch' } });

    const other = await raise();
    await t.http().post(`/api/v1/issues/${other}/transitions`).set(bearer(team1)).send({ action: 'start' });
    await t
      .http()
      .post(`/api/v1/issues/${other}/transitions`)
      .set(bearer(team1))
      .send({ action: 'request_extension', reason: '材料未到', deadline: '2032-09-30' });
    await tamper(`DELETE FROM ticket_event WHERE ticket_id = $1 AND seq = 2`, [other]);
    expect(await verify(other)).toMatchObject({ ok: false, brokenAt: { seq: 3, reason: 'out_of_order' } });
  });

  it('refuses to wipe the history, and a wiped history does not verify', async () => {
    await expect(db.query(`TRUNCATE ticket_event`)).rejects.toThrow(/append-only/);
    const id = await raise();
    await tamper(`DELETE FROM ticket_event WHERE ticket_id = $1`, [id]);
    expect(await verify(id)).toMatchObject({ ok: false, entries: 0, brokenAt: { reason: 'missing_history' } });
  });

  it('answers 404 for a ticket outside the caller’s scope', async () => {
    const id = await raise();
    const outsider = await t.login('cmy_team');
    expect((await t.http().get(`/api/v1/issues/${id}/history/verify`).set(bearer(outsider))).status).toBe(404);
  });

  it('checks every history written in the last day each night and tells the county’s administrators of a break, once', async () => {
    const intact = await raise();
    const broken = await raise();
    await t.http().post(`/api/v1/issues/${broken}/transitions`).set(bearer(team1)).send({ action: 'start', comment: '马上整改' });
    await tamper(`UPDATE ticket_event SET actor_name = '他人' WHERE ticket_id = $1 AND seq = 2`, [broken]);

    const audit = t.app.get(HistoryAudit);
    const first = await audit.run();
    expect(first.broken).toBeGreaterThanOrEqual(1);
    const countyAdmin = await t.login('county_admin');
    const alerts = async () =>
      (
        (await t.http().get('/api/v1/notifications?pageSize=200').set(bearer(countyAdmin))).body.items as Array<{
          kind: string;
          link: string;
          title: string;
        }>
      ).filter((n) => n.kind === 'history_broken');
    const mine = (await alerts()).filter((n) => n.link === `/issues/${broken}`);
    expect(mine).toHaveLength(1);
    expect(mine[0].title).toMatch(/整改过程记录校验未通过/);
    expect((await alerts()).some((n) => n.link === `/issues/${intact}`)).toBe(false);

    const again = await audit.run();
    expect(again.alerted).toBe(0);
    expect((await alerts()).filter((n) => n.link === `/issues/${broken}`)).toHaveLength(1);
    // A village team is not told.
    const teamInbox = (await t.http().get('/api/v1/notifications?pageSize=200').set(bearer(team1))).body.items as Array<{ kind: string }>;
    expect(teamInbox.some((n) => n.kind === 'history_broken')).toBe(false);
  });

  it('schedules the nightly check with the other jobs', async () => {
    await t.app.get(CycleScheduler).register();
    const scheduler = await t.app.get<Queue>(getQueueToken(CYCLES_QUEUE)).getJobScheduler('audit');
    expect(scheduler).toMatchObject({ name: 'audit', pattern: HISTORY_AUDIT_CRON });
  });
});
