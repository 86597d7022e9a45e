import { FakeClock } from '@app/platform';
import { findRepeats } from '@app/tickets';
import { DataSource } from 'typeorm';
import { bearer, closeOutTicket, createInspection, csv, draftJulyTasks, raiseTicket, unitId } from './support/fixtures';
import { consoleSignIn } from './support/console-session';
import { startTestApp, TestApp } from './support/test-app';

interface Flags {
  flags: string[];
  repeatOf: string[];
}

/**
 * 屡查屡犯, 自查不实 and 纸面销号 over one month of 中厂镇, the steps run by hand: a problem closed in
 * June comes back in July, supervision finds a problem the first team's self-check did not list,
 * and the second team closes a ticket with a photo that already backs another one.
 */
describe('repeat problems, honest self-checks and suspect close-outs', () => {
  const clock = new FakeClock('2026-06-20T00:00:00Z');
  let t: TestApp;
  let leader: string;
  let inspector: string;
  let team1: string;
  let team2: string;
  let township: string;
  let v1: string;
  let v2: string;
  const ids: Record<string, string> = {};
  const at = (iso: string) => clock.set(iso);
  const run = (step: string) => t.http().post(`/api/v1/cycles/2026-07/steps/${step}/run?unitId=${township}`).set(bearer(leader));
  const flagsOf = async (id: string): Promise<Flags> => {
    const res = await t.http().get(`/api/v1/issues/${id}`).set(bearer(leader));
    expect(res.status).toBe(200);
    // The list's items carry the same flags as the ticket's own page.
    const list = await t.http().get(`/api/v1/issues?unitId=${res.body.unitId}&pageSize=100`).set(bearer(leader));
    expect(list.status).toBe(200);
    const item = (list.body.items as Array<Flags & { id: string }>).find((i) => i.id === id)!;
    expect({ flags: item.flags, repeatOf: item.repeatOf }).toEqual({ flags: res.body.flags, repeatOf: res.body.repeatOf });
    return { flags: res.body.flags, repeatOf: res.body.repeatOf };
  };
  const flaggedEntries = async (id: string) => {
    const res = await t.http().get(`/api/v1/issues/${id}/history`).set(bearer(leader));
    expect(res.status).toBe(200);
    return (res.body as Array<{ kind: string; action: string; data: Record<string, unknown> }>).filter((e) => e.kind === 'flagged');
  };
  const codeOf = async (id: string): Promise<string> => (await t.http().get(`/api/v1/issues/${id}`).set(bearer(leader))).body.code;
  const tickets = async () => (await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM ticket`))[0].n as number;

  beforeAll(async () => {
    t = await startTestApp({ clock });
    leader = await t.login('zc_leader');
    inspector = await t.login('zc_inspector');
    team1 = await t.login('zc_team1');
    team2 = await t.login('zc_team2');
    township = await unitId(t, '中厂镇');
    v1 = await unitId(t, '中厂镇第一社区');
    v2 = await unitId(t, '中厂镇第二社区');
  });
  afterAll(() => t.close());

  it('flags a new ticket that rewords a closed ticket of the same unit and category, and no other', async () => {
    at('2026-06-25T02:00:00Z');
    ids.closed = await raiseTicket(t, leader, {
      title: '村卫生室未配备常用药品',
      category: '两不愁三保障',
      unitId: v1,
      deadline: '2026-07-10',
    });
    await closeOutTicket(t, team1, inspector, ids.closed);
    // Still open, not closed: nothing new repeats it.
    ids.open = await raiseTicket(t, leader, { title: '贫困户不知晓帮扶政策', category: '政策落实', unitId: v1, deadline: '2026-07-31' });
    at('2026-06-26T02:00:00Z');
    expect((await draftJulyTasks(t, leader, township, [v1, v2])).status).toBe(201);
    at('2026-07-01T00:30:00Z');
    expect((await run('dispatch')).body.state).toBe('done');

    at('2026-07-02T02:00:00Z');
    ids.repeat = await raiseTicket(t, leader, {
      title: '村卫生室常用药品未配备齐全',
      category: '两不愁三保障',
      unitId: v1,
      deadline: '2026-07-31',
    });
    const otherProblem = await raiseTicket(t, leader, {
      title: '村卫生室医生未取得执业资格',
      category: '两不愁三保障',
      unitId: v1,
      deadline: '2026-07-31',
    });
    ids.otherCategory = await raiseTicket(t, leader, {
      title: '村卫生室常用药品未配备齐全',
      category: '基础工作',
      unitId: v1,
      deadline: '2026-07-31',
    });
    const otherVillage = await raiseTicket(t, leader, {
      title: '村卫生室常用药品未配备齐全',
      category: '两不愁三保障',
      unitId: v2,
      deadline: '2026-07-31',
    });
    const notClosed = await raiseTicket(t, leader, {
      title: '贫困户对帮扶政策不知晓',
      category: '政策落实',
      unitId: v1,
      deadline: '2026-07-31',
    });

    expect(await flagsOf(ids.repeat)).toEqual({ flags: ['repeat'], repeatOf: [ids.closed] });
    for (const id of [otherProblem, ids.otherCategory, otherVillage, notClosed, ids.closed])
      expect(await flagsOf(id)).toEqual({ flags: [], repeatOf: [] });
    // The history says when and why the ticket was flagged, and the chain still verifies.
    expect(await flaggedEntries(ids.repeat)).toEqual([
      expect.objectContaining({
        action: 'repeat',
        data: { flag: 'repeat', period: null, repeatOf: [{ id: ids.closed, code: await codeOf(ids.closed) }] },
      }),
    ]);
    expect(await flaggedEntries(otherProblem)).toEqual([]);
    const verified = await t.http().get(`/api/v1/issues/${ids.repeat}/history/verify`).set(bearer(leader));
    expect(verified.body).toMatchObject({ ok: true });
  });

  it('looks back only REPEAT_LOOKBACK_MONTHS months', async () => {
    const db = t.app.get(DataSource);
    const candidate = { unitId: v1, category: '两不愁三保障', title: '村卫生室常用药品未配备齐全' };
    expect((await findRepeats(db, [candidate], new Date('2027-06-01T00:00:00Z'), 12))[0].map((r) => r.id)).toEqual([ids.closed]);
    expect(await findRepeats(db, [candidate], new Date('2027-06-01T00:00:00Z'), 6)).toEqual([[]]);
  });

  it('shows the repeats in an import’s dry run before anything is written, and flags them when imported', async () => {
    at('2026-07-03T02:00:00Z');
    const inspection = await createInspection(t, inspector, {
      source: 'patrol',
      date: '2026-07-03',
      unitId: township,
      title: '县委巡察组巡察反馈问题',
    });
    const file = csv([
      ['序号', '问题描述', '问题类别', '责任单位', '责任人', '整改措施', '整改时限'],
      ['1', '村卫生室常用药品未配备', '两不愁三保障', '中厂镇第一社区', '张三', '补齐药品', '2026-07-31'],
      ['2', '村集体资产台账未建立', '基础工作', '中厂镇第一社区', '张三', '建立台账', '2026-07-31'],
    ]);
    const before = await tickets();
    const dry = await t
      .http()
      .post(`/api/v1/inspections/${inspection}/findings/import?dryRun=true`)
      .set(bearer(inspector))
      .attach('file', file, 'list.csv');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, created: 2, issues: [] });
    expect(dry.body.repeats).toEqual([
      {
        row: 1,
        title: '村卫生室常用药品未配备',
        repeatOf: [
          {
            id: ids.closed,
            code: await codeOf(ids.closed),
            title: '村卫生室未配备常用药品',
            closedAt: expect.any(String),
            similarity: expect.any(Number),
          },
        ],
      },
    ]);
    expect(await tickets()).toBe(before);
    const done = await t
      .http()
      .post(`/api/v1/inspections/${inspection}/findings/import`)
      .set(bearer(inspector))
      .attach('file', file, 'list.csv');
    expect(done.status).toBe(200);
    expect(await flagsOf(done.body.issues[0])).toEqual({ flags: ['repeat'], repeatOf: [ids.closed] });
    expect(await flagsOf(done.body.issues[1])).toEqual({ flags: [], repeatOf: [] });
    ids.importedRepeat = done.body.issues[0];
    ids.imported = done.body.issues[1];
  });

  it('shows the flag on the console’s ticket page, linking the ticket it repeats', async () => {
    const agent = await consoleSignIn(t, 'zc_team1');
    const page = await agent.get(`/tickets/${ids.repeat}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('屡查屡犯：与已销号问题重复');
    expect(page.text).toContain(`<a href="/tickets/${ids.closed}">${await codeOf(ids.closed)}</a>`);
    expect((await agent.get(`/tickets/${ids.open}`)).text).not.toContain('屡查屡犯');
  });

  it('names the repeated tickets in the ledger', async () => {
    const res = await t.http().get(`/api/v1/ledger?unitId=${v1}&format=json`).set(bearer(leader));
    expect(res.status).toBe(200);
    const rows = res.body.rows as Array<{ id: string; repeatOf: string[] }>;
    const closedCode = await codeOf(ids.closed);
    expect(rows.find((r) => r.id === ids.repeat)?.repeatOf).toEqual([closedCode]);
    expect(rows.find((r) => r.id === ids.open)?.repeatOf).toEqual([]);
  });

  it('runs the month: self-check, supervision, a close-out over a reused photo', async () => {
    at('2026-07-05T02:00:00Z');
    const filed = await t
      .http()
      .post('/api/v1/self-checks')
      .set(bearer(team1))
      .send({
        unitId: v1,
        period: '2026-07',
        summary: '自查发现问题2个。',
        checklist: [],
        problems: [
          { title: '1户饮水设施老化', category: '两不愁三保障' },
          { title: '村卫生室常用药品仍未配备', category: '两不愁三保障' },
        ],
      });
    expect(filed.status).toBe(201);
    // A problem filed in a self-check is compared with the closed tickets as any other.
    ids.selfCheckRepeat = filed.body.problems.find((x: { title: string }) => x.title === '村卫生室常用药品仍未配备').id;
    expect(await flagsOf(ids.selfCheckRepeat)).toEqual({ flags: ['repeat'], repeatOf: [ids.closed] });
    at('2026-07-10T10:30:00Z');
    expect((await run('self_check')).body.state).toBe('done');

    at('2026-07-12T02:00:00Z');
    const supervision = await createInspection(t, inspector, {
      source: 'supervision',
      date: '2026-07-12',
      unitId: township,
      title: '县督查组督查反馈问题',
    });
    const raise = (title: string, unit: string, category = '两不愁三保障') =>
      raiseTicket(t, inspector, { inspectionId: supervision, title, category, unitId: unit, deadline: '2026-08-31' });
    ids.listed = await raise('饮水设施老化，1户未维修', v1);
    ids.missed = await raise('扶贫手册收入计算有误', v1, '基础工作');
    // 第二社区 filed no self-check: it is judged for that, not for what its self-check left out.
    ids.noSelfCheck = await raise('扶贫手册收入计算有误', v2, '基础工作');

    // 第二社区 closes a ticket with the photo that already backs the June close-out of 第一社区.
    ids.paper = await raiseTicket(t, leader, { title: '李某某户厕所改造未完成', unitId: v2, deadline: '2026-07-31' });
    await closeOutTicket(t, team2, inspector, ids.paper);
    const evidence = await t.http().get(`/api/v1/issues/${ids.paper}/evidence`).set(bearer(leader));
    expect(evidence.body[0].warnings.map((w: { code: string }) => w.code)).toContain('duplicate');

    at('2026-07-15T02:00:00Z');
    expect((await run('review')).body.state).toBe('done');
    at('2026-07-24T01:00:00Z');
    expect((await run('report')).body.state).toBe('done');
    at('2026-07-31T08:30:00Z');
    expect((await run('supervision')).body.state).toBe('done');
  });

  it('flags the supervision problem the self-check did not list, and not the one it did', async () => {
    expect(await flagsOf(ids.missed)).toEqual({ flags: ['self_check_missed'], repeatOf: [] });
    expect(await flaggedEntries(ids.missed)).toEqual([
      expect.objectContaining({ action: 'self_check_missed', data: { flag: 'self_check_missed', period: '2026-07', repeatOf: [] } }),
    ]);
    expect(await flaggedEntries(ids.listed)).toEqual([]);
    expect(await flagsOf(ids.listed)).toEqual({ flags: [], repeatOf: [] });
    expect(await flagsOf(ids.noSelfCheck)).toEqual({ flags: [], repeatOf: [] });
    // Raised by hand (source supervision) or imported from the patrol's list in July, before the
    // self-check was filed: missed unless the self-check lists the same problem, in the same
    // category when both have one.
    expect((await flagsOf(ids.imported)).flags).toEqual(['self_check_missed']);
    expect(await flagsOf(ids.importedRepeat)).toEqual({ flags: ['repeat'], repeatOf: [ids.closed] });
    expect((await flagsOf(ids.repeat)).flags).toEqual(['repeat']);
    expect((await flagsOf(ids.otherCategory)).flags).toEqual(['self_check_missed']);
    // Raised in June: not this month's.
    expect(await flagsOf(ids.open)).toEqual({ flags: [], repeatOf: [] });
  });

  it('takes the cases off the teams’ scores in the ranking breakdown and counts them in the evaluation list', async () => {
    const ranking = (await t.http().get(`/api/v1/rankings?unitId=${township}&period=2026-07`).set(bearer(leader))).body as Array<{
      unitId: string;
      breakdown: Record<string, number | null>;
    }>;
    const first = ranking.find((r) => r.unitId === v1)!;
    const second = ranking.find((r) => r.unitId === v2)!;
    // 第一社区: three repeats (raised, imported, filed in its self-check) and five July problems
    // its self-check missed (of the five raised by hand and two imported, two it listed).
    expect(first.breakdown).toMatchObject({ repeats: -6, selfCheckMissed: -10, paperCloseOuts: 0 });
    expect(second.breakdown).toMatchObject({ repeats: 0, selfCheckMissed: 0, paperCloseOuts: -2 });

    const [evaluation] = await t.app
      .get(DataSource)
      .query(`SELECT data FROM cycle_output WHERE kind = 'evaluation_list' AND period = '2026-07'`);
    const rows = evaluation.data.rows as Array<{ unitId: string; integrity: Record<string, number> }>;
    expect(rows.find((r) => r.unitId === v1)?.integrity).toEqual({ repeats: 3, selfCheckMissed: 5, paperCloseOuts: 0 });
    expect(rows.find((r) => r.unitId === v2)?.integrity).toEqual({ repeats: 0, selfCheckMissed: 0, paperCloseOuts: 1 });
  });

  it('lists repeats, the teams whose self-checks missed problems and the suspected 纸面销号 in the bulletin', async () => {
    const list = await t.http().get(`/api/v1/documents?unitId=${township}&kind=bulletin&period=2026-07`).set(bearer(leader));
    const document = (await t.http().get(`/api/v1/documents/${list.body.items[0].id}`).set(bearer(leader))).body;
    const problems = (document.snapshot.data.problems as string[]).join('\n');
    expect(problems).toContain(
      `屡查屡犯问题3个：中厂镇第一社区${await codeOf(ids.repeat)}“村卫生室常用药品未配备齐全”（前次${await codeOf(ids.closed)}已销号）`,
    );
    expect(problems).toMatch(/1个工作队自查不实，督查巡查发现的问题未列入自查问题清单：中厂镇第一社区5个/);
    expect(problems).toContain(await codeOf(ids.missed));
    expect(problems).toContain(
      `疑似纸面销号1件：中厂镇第二社区${await codeOf(ids.paper)}“李某某户厕所改造未完成”（佐证照片与其他问题重复）`,
    );
  });
});
