import { FakeClock, PrincipalResolver } from '@app/platform';
import { TicketCreation } from '@app/tickets';
import { DataSource } from 'typeorm';
import { bearer, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

describe('ticket codes under concurrent creates', () => {
  const clock = new FakeClock('2026-08-01T02:00:00Z');
  let t: TestApp;
  let inspector: string;
  let villages: string[];

  beforeAll(async () => {
    t = await startTestApp({ clock });
    inspector = await t.login('zc_inspector');
    villages = [await unitId(t, '中厂镇第一社区'), await unitId(t, '中厂镇第二社区')];
  });
  afterAll(() => t.close());

  const raise = (i: number) =>
    t
      .http()
      .post('/api/v1/issues')
      .set(bearer(inspector))
      .send({ title: `第${i}处围墙开裂`, unitId: villages[i % 2], deadline: '2026-08-20', responsible: '张三' });

  const numbers = (codes: string[]) => codes.map((c) => Number(/^中厂镇-2026-(\d{4,})$/.exec(c)![1])).sort((a, b) => a - b);
  const consecutive = (ns: number[]) => ns.every((n, i) => i === 0 || n === ns[i - 1] + 1);

  it('8 creates at once in one township take 8 consecutive codes, each with its first history entry', async () => {
    const before = (await raise(0)).body.code as string;
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => raise(i + 1)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    const ns = numbers(answers.map((a) => a.body.code as string));
    expect(new Set(ns).size).toBe(8);
    expect(ns[0]).toBe(numbers([before])[0] + 1);
    expect(consecutive(ns)).toBe(true);
    for (const a of answers) {
      const verify = await t.http().get(`/api/v1/issues/${a.body.id}/history/verify`).set(bearer(inspector));
      expect(verify.body).toMatchObject({ ok: true, entries: 1 });
      expect(a.body).toMatchObject({ status: 'open', title: expect.stringMatching(/围墙开裂$/) });
    }
  });

  it('a batch rolled back leaves no gap, while creates beside it go on', async () => {
    const db = t.app.get(DataSource);
    const [{ id, token_version }] = await db.query(`SELECT id, token_version FROM app_user WHERE username = 'zc_inspector'`);
    const principal = (await t.app.get(PrincipalResolver).resolve(id, token_version))!;
    const creation = t.app.get(TicketCreation);
    const first = numbers([(await raise(0)).body.code])[0];
    const refused = db.transaction(async (m) => {
      const made = await creation.createMany(
        principal,
        [0, 1, 2].map((i) => ({ title: `第${i}处排水沟堵塞`, unitId: villages[0], deadline: '2026-08-20' })),
        'supervision',
        m,
      );
      expect(made).toHaveLength(3);
      throw new Error('the inspection was withdrawn');
    });
    const beside = Promise.all(Array.from({ length: 6 }, (_, i) => raise(i)));
    await expect(refused).rejects.toThrow('the inspection was withdrawn');
    const answers = await beside;
    const after = (await raise(7)).body.code as string;
    const ns = numbers([...answers.map((a) => a.body.code as string), after]);
    expect(ns).toEqual(Array.from({ length: 7 }, (_, i) => first + 1 + i));
  });
});
