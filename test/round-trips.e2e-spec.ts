import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { bearer, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

/** The statements a request sends to the database, counted at the driver. */
describe('round trips per request', () => {
  let t: TestApp;
  const sent: string[] = [];
  let counting = false;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be called with each client as `this`
  const query = Client.prototype.query;

  beforeAll(async () => {
    t = await startTestApp();
    const patched = function (this: Client, ...args: unknown[]) {
      const first = args[0] as string | { text?: string };
      if (counting) sent.push((typeof first === 'string' ? first : (first?.text ?? '')).replace(/\s+/g, ' ').trim());
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    };
    Client.prototype.query = patched as typeof Client.prototype.query;
  });
  afterAll(async () => {
    Client.prototype.query = query;
    await t.close();
  });

  async function statementsOf(request: () => Promise<{ status: number }>, status: number): Promise<string[]> {
    await request(); // the principal is read once and kept
    sent.length = 0;
    counting = true;
    try {
      expect((await request()).status).toBe(status);
    } finally {
      counting = false;
    }
    return [...sent];
  }

  it('a ticket raised without a key: the change counter, the unit, the repeat check, one writing statement, the answer', async () => {
    const office = await t.login('zc_office');
    const village = await unitId(t, '中厂镇第一社区');
    let i = 0;
    const raise = () =>
      t
        .http()
        .post('/api/v1/issues')
        .set(bearer(office))
        .send({ title: `第${++i}组道路硬化未完成`, unitId: village, deadline: '2027-01-31' });
    const statements = await statementsOf(raise, 201);
    expect(statements).toHaveLength(5);
    expect(statements.filter((s) => /^(START TRANSACTION|BEGIN|COMMIT)/.test(s))).toEqual([]);
    // The ticket, its number, its first history entry and its search pieces: one statement.
    const writing = statements.filter((s) => /INSERT INTO|UPDATE ticket /.test(s));
    expect(writing).toHaveLength(1);
    expect(writing[0]).toMatch(/INSERT INTO ticket_sequence.*INSERT INTO ticket \(.*INSERT INTO ticket_event/);
    expect(statements.filter((s) => /FROM org_unit/.test(s) && !/INSERT/.test(s))).toHaveLength(1);
  });

  it('a transition writes the change and its history entry in one statement', async () => {
    const office = await t.login('zc_office');
    const team = await t.login('zc_team1');
    const village = await unitId(t, '中厂镇第一社区');
    const raised = async () =>
      (
        await t
          .http()
          .post('/api/v1/issues')
          .set(bearer(office))
          .send({ title: '村级活动场所消防器材过期', unitId: village, deadline: '2027-01-31' })
      ).body.id as string;
    const ids = [await raised(), await raised()];
    const start = () =>
      t.http().post(`/api/v1/issues/${ids.shift()}/transitions`).set(bearer(team)).send({ action: 'start', comment: '已开始整改' });
    const statements = await statementsOf(start, 200);
    const writing = statements.filter((s) => /INSERT INTO|UPDATE ticket /.test(s));
    expect(writing).toHaveLength(1);
    expect(writing[0]).toMatch(/^WITH changed AS \(UPDATE ticket SET .* INSERT INTO ticket_event/);
    expect(statements).toHaveLength(6);
  });

  it('a photo added: the evidence and its history entry in one statement, the zone read with the ticket', async () => {
    const office = await t.login('zc_office');
    const team = await t.login('zc_team1');
    const village = await unitId(t, '中厂镇第一社区');
    const photo = readFileSync(join(__dirname, 'fixtures/photos/field.jpg'));
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const raised = await t
        .http()
        .post('/api/v1/issues')
        .set(bearer(office))
        .send({ title: '饮水安全排查台账缺失', unitId: village, deadline: '2027-01-31' });
      ids.push(raised.body.id);
    }
    const upload = () => t.http().post(`/api/v1/issues/${ids.shift()}/evidence`).set(bearer(team)).attach('file', photo, 'field.jpg');
    const statements = await statementsOf(upload, 201);
    expect(statements.filter((s) => /INSERT INTO ticket_evidence|INSERT INTO ticket_event/.test(s))).toEqual([
      expect.stringMatching(/^WITH added AS \( INSERT INTO ticket_evidence .* INSERT INTO ticket_event/),
    ]);
    expect(statements.filter((s) => /SELECT unit_tz/.test(s))).toEqual([]);
  });
});
