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
    const writing = statements.filter((s) => /INSERT|UPDATE/.test(s));
    expect(writing).toHaveLength(1);
    expect(writing[0]).toMatch(/INSERT INTO ticket_sequence.*INSERT INTO ticket \(.*INSERT INTO ticket_event/);
    expect(statements.filter((s) => /FROM org_unit/.test(s) && !/INSERT/.test(s))).toHaveLength(1);
  });
});
