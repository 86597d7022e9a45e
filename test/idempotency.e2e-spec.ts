import { FakeClock } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { bearer, PNG, raiseTicket, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

/**
 * `Idempotency-Key` on the API's writes: a request sent again with its key (an answer lost on a
 * bad connection) or twice at once is done once and answered as the first; the same key with
 * another body is refused; a key is the caller's own.
 */
describe('Idempotency-Key on /api/v1 writes', () => {
  const clock = new FakeClock('2026-08-20T02:00:00Z');
  let t: TestApp;
  let db: DataSource;
  let inspector: string;
  let team: string;
  let village: string;

  beforeAll(async () => {
    t = await startTestApp({ clock });
    db = t.app.get(DataSource);
    inspector = await t.login('zc_inspector');
    team = await t.login('zc_team1');
    village = await unitId(t, '中厂镇第一社区');
  }, 30_000);
  afterAll(() => t.close());

  const ticketsTitled = async (title: string) =>
    (await db.query<Array<{ id: string }>>(`SELECT id FROM ticket WHERE title = $1`, [title])).map((r) => r.id);
  const history = async (id: string) =>
    (await t.http().get(`/api/v1/issues/${id}/history`).set(bearer(team))).body as Array<{ kind: string; action: string | null }>;

  it('makes one ticket of a create sent again with its key, and answers the retry with that ticket', async () => {
    const key = randomUUID();
    const body = { title: '重发创建：村口垃圾堆放', unitId: village, deadline: '2026-09-30', responsible: '王五', measures: '清运' };
    const first = await t.http().post('/api/v1/issues').set(bearer(inspector)).set('Idempotency-Key', key).send(body);
    expect(first.status).toBe(201);
    // The same fields in another order are the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await t.http().post('/api/v1/issues').set(bearer(inspector)).set('Idempotency-Key', key).send(reordered);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.code).toBe(first.body.code);
    expect(await ticketsTitled(body.title)).toEqual([first.body.id]);

    // The key with another body: refused, and nothing is created.
    const other = await t
      .http()
      .post('/api/v1/issues')
      .set(bearer(inspector))
      .set('Idempotency-Key', key)
      .send({ ...body, deadline: '2026-10-31' });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ statusCode: 409, error: 'Conflict', details: { reason: 'idempotency_key_reused' } });
    expect(await ticketsTitled(body.title)).toHaveLength(1);

    // Without a key, the same body is a new ticket.
    const plain = await t.http().post('/api/v1/issues').set(bearer(inspector)).send(body);
    expect(plain.status).toBe(201);
    expect(await ticketsTitled(body.title)).toHaveLength(2);
  });

  it('makes one ticket of the same create sent several times at once', async () => {
    const key = randomUUID();
    const body = { title: '并发创建：桥面护栏松动', unitId: village, deadline: '2026-09-30', responsible: '王五', measures: '加固' };
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => t.http().post('/api/v1/issues').set(bearer(inspector)).set('Idempotency-Key', key).send(body)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    const ids = new Set(answers.map((a) => a.body.id as string));
    expect(ids.size).toBe(1);
    expect(await ticketsTitled(body.title)).toEqual([...ids]);
    const keys = await db.query(`SELECT 1 FROM idempotency_key WHERE key = $1`, [key]);
    expect(keys).toHaveLength(1);
  });

  it('keeps each user’s keys apart: another user’s same key is a request of its own', async () => {
    const key = `shared-${randomUUID()}`;
    const body = { title: '各自的键：卫生室漏雨', unitId: village, deadline: '2026-09-30', responsible: '王五', measures: '修补' };
    const mine = await t.http().post('/api/v1/issues').set(bearer(inspector)).set('Idempotency-Key', key).send(body);
    const leader = await t.login('zc_leader');
    const theirs = await t.http().post('/api/v1/issues').set(bearer(leader)).set('Idempotency-Key', key).send(body);
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect((await ticketsTitled(body.title)).sort()).toEqual([mine.body.id, theirs.body.id].sort());
  });

  it('refuses a malformed key with the error shape, before doing anything', async () => {
    const body = { title: '坏键：水渠破损', unitId: village, deadline: '2026-09-30' };
    for (const key of ['x'.repeat(201), 'two words', ' ']) {
      const res = await t.http().post('/api/v1/issues').set(bearer(inspector)).set('Idempotency-Key', key).send(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', details: { fields: [{ field: 'Idempotency-Key' }] } });
    }
    expect(await ticketsTitled(body.title)).toHaveLength(0);
  });

  it('applies a transition, an evidence upload and a progress report sent again with their keys once', async () => {
    const id = await raiseTicket(t, inspector, { title: '重发操作：路灯损坏', unitId: village, deadline: '2026-09-30' });
    const send = (path: string, key: string) => t.http().post(path).set(bearer(team)).set('Idempotency-Key', key);
    const startKey = randomUUID();
    for (let i = 0; i < 2; i++) {
      const res = await send(`/api/v1/issues/${id}/transitions`, startKey).send({ action: 'start' });
      expect([i, res.status, res.body.status]).toEqual([i, 200, 'in_progress']);
    }
    const photoKey = randomUUID();
    const uploads = [];
    for (let i = 0; i < 2; i++) uploads.push(await send(`/api/v1/issues/${id}/evidence`, photoKey).attach('file', PNG, 'lamp.png'));
    expect(uploads.map((u) => u.status)).toEqual([201, 201]);
    expect(uploads[1].body).toEqual(uploads[0].body);
    // Another file under the photo's key is another request.
    const otherFile = await send(`/api/v1/issues/${id}/evidence`, photoKey).attach('file', Buffer.concat([PNG, Buffer.from([0])]), 'b.png');
    expect(otherFile.status).toBe(409);
    const submitKey = randomUUID();
    const submit = { action: 'submit', comment: '已更换灯泡', evidenceIds: [uploads[0].body.id] };
    const submits = await Promise.all([0, 1].map(() => send(`/api/v1/issues/${id}/transitions`, submitKey).send(submit)));
    expect(submits.map((s) => [s.status, s.body.status])).toEqual([
      [200, 'pending_review'],
      [200, 'pending_review'],
    ]);
    const entries = await history(id);
    expect(entries.filter((h) => h.action === 'start')).toHaveLength(1);
    expect(entries.filter((h) => h.action === 'submit')).toHaveLength(1);
    expect(entries.filter((h) => h.kind === 'evidence_added')).toHaveLength(1);
    expect((await t.http().get(`/api/v1/issues/${id}/evidence`).set(bearer(team))).body).toHaveLength(1);

    const leader = await t.login('zc_leader');
    const list = await t
      .http()
      .post('/api/v1/task-lists')
      .set(bearer(leader))
      .send({
        unitId: await unitId(t, '中厂镇'),
        period: '2026-08',
        tasks: [{ title: '重发进度：入户走访', target: 20, unitIds: [village], deadline: '2026-08-28' }],
      });
    expect(list.status).toBe(201);
    expect((await t.http().post(`/api/v1/task-lists/${list.body.id}/dispatch`).set(bearer(leader))).status).toBe(200);
    const tasks = (await t.http().get(`/api/v1/tasks?unitId=${village}&period=2026-08`).set(bearer(team))).body as Array<{
      id: string;
      title: string;
    }>;
    const task = tasks.find((x) => x.title === '重发进度：入户走访')!;
    const progressKey = randomUUID();
    const reports = await Promise.all(
      [0, 1, 2].map(() => send(`/api/v1/tasks/${task.id}/progress`, progressKey).send({ actual: 6, comment: '走访6户' })),
    );
    expect(reports.map((r) => [r.status, r.body.actual])).toEqual([
      [200, 6],
      [200, 6],
      [200, 6],
    ]);
    const again = await send(`/api/v1/tasks/${task.id}/progress`, progressKey).send({ actual: 7, comment: '走访6户' });
    expect(again.status).toBe(409);
    expect(await db.query(`SELECT actual FROM task_progress WHERE task_id = $1`, [task.id])).toHaveLength(1);
  });

  it('files one self-check of a filing sent again with its key, answering the retry with it', async () => {
    const team2 = await t.login('zc_team2');
    const unit = await unitId(t, '中厂镇第二社区');
    const key = randomUUID();
    const body = {
      unitId: unit,
      period: '2026-08',
      summary: '逐户自查，发现问题1个。',
      checklist: [{ item: '“八个一批”落实情况', status: 'done' }],
      problems: [{ title: '重发自查：1户饮水设施老化', category: '两不愁三保障' }],
    };
    const first = await t.http().post('/api/v1/self-checks').set(bearer(team2)).set('Idempotency-Key', key).send(body);
    expect(first.status).toBe(201);
    const again = await t.http().post('/api/v1/self-checks').set(bearer(team2)).set('Idempotency-Key', key).send(body);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    // Without the key the second filing is refused: the key is what made the retry harmless.
    const plain = await t.http().post('/api/v1/self-checks').set(bearer(team2)).send(body);
    expect(plain.status).toBe(409);
    expect(await ticketsTitled('重发自查：1户饮水设施老化')).toHaveLength(1);
  });
});
