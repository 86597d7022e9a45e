import { FakeClock } from '@app/platform';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { bearer, closeOutTicket, draftJulyTasks, raiseTicket, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

/**
 * One month of 中厂镇's cycle, step by step as a leader runs them: dispatch of the task list,
 * self-check, review, report with ranking, supervision with the bulletin and evaluation list.
 */
describe('the monthly cycle', () => {
  // The demo data is written on 20 June 2026; the month under test is July.
  const clock = new FakeClock('2026-06-20T00:00:00Z');
  let t: TestApp;
  let leader: string;
  let team1: string;
  let team2: string;
  let township: string;
  let v1: string;
  let v2: string;
  const at = (iso: string) => clock.set(iso);
  const run = (step: string, token = leader) =>
    t.http().post(`/api/v1/cycles/2026-07/steps/${step}/run?unitId=${township}`).set(bearer(token));
  const db = () => t.app.get(DataSource);
  const inbox = async (token: string) => (await t.http().get('/api/v1/notifications?pageSize=200').set(bearer(token))).body;

  beforeAll(async () => {
    t = await startTestApp({ clock });
    leader = await t.login('zc_leader');
    team1 = await t.login('zc_team1');
    team2 = await t.login('zc_team2');
    township = await unitId(t, '中厂镇');
    v1 = await unitId(t, '中厂镇第一社区');
    v2 = await unitId(t, '中厂镇第二社区');
  });
  afterAll(() => t.close());

  describe('calendar', () => {
    it('starts from the seed town’s rhythm, in Asia/Shanghai, moved off holidays', async () => {
      const res = await t.http().get(`/api/v1/units/${township}/calendar`).set(bearer(leader));
      expect(res.status).toBe(200);
      expect(res.body.config).toMatchObject({
        timezone: 'Asia/Shanghai',
        steps: {
          dispatch: { day: 1, time: '08:00' },
          self_check: { day: 10 },
          review: { day: 15 },
          report: { day: 25 },
          supervision: { day: 'last' },
        },
        reminders: { daysBeforeDeadline: 3, overdueGraceDays: 15 },
      });
      // 25 July 2026 is a Saturday: the report moves to Friday the 24th.
      const report = res.body.upcoming.find((o: { period: string; key: string }) => o.period === '2026-07' && o.key === 'step:report');
      expect(report).toMatchObject({ day: '2026-07-24', nominalDay: '2026-07-25', holiday: '周末' });
    });

    it('validates a new calendar field by field, and refuses a stale version', async () => {
      const current = (await t.http().get(`/api/v1/units/${township}/calendar`).set(bearer(leader))).body;
      const bad = structuredClone(current.config);
      bad.steps.dispatch.day = 32;
      bad.steps.review.time = '9am';
      bad.timezone = 'Mars/Base';
      const res = await t.http().put(`/api/v1/units/${township}/calendar`).set(bearer(leader)).send({ config: bad });
      expect(res.status).toBe(400);
      const fields = res.body.details.fields.map((f: { field: string }) => f.field);
      expect(fields).toEqual(expect.arrayContaining(['config.steps.dispatch.day', 'config.steps.review.time']));
      const order = structuredClone(current.config);
      order.steps.report.day = 5;
      const misordered = await t.http().put(`/api/v1/units/${township}/calendar`).set(bearer(leader)).send({ config: order });
      expect(misordered.status).toBe(400);
      expect(misordered.body.message).toMatch(/steps.report.day: must not come before review/);
      const ok = await t
        .http()
        .put(`/api/v1/units/${township}/calendar`)
        .set(bearer(leader))
        .send({ config: current.config, version: current.version });
      expect(ok.status).toBe(200);
      expect(ok.body.version).toBe(current.version + 1);
      const stale = await t
        .http()
        .put(`/api/v1/units/${township}/calendar`)
        .set(bearer(leader))
        .send({ config: current.config, version: current.version });
      expect(stale.status).toBe(409);
    });
  });

  it('refuses a month that has not begun, and a step before the month’s earlier steps, writing nothing', async () => {
    const runs = async () => (await db().query(`SELECT count(*)::int AS n FROM cycle_run`))[0].n;
    const documents = async () => (await db().query(`SELECT count(*)::int AS n FROM document`))[0].n;
    const before = [await runs(), await documents()];
    at('2026-06-25T02:00:00Z');
    for (const period of ['2026-07', '2027-06']) {
      const early = await t.http().post(`/api/v1/cycles/${period}/steps/supervision/run?unitId=${township}`).set(bearer(leader));
      expect(early.status).toBe(409);
      expect(early.body).toMatchObject({ statusCode: 409, details: { period, current: '2026-06' } });
      expect(early.body.message).toContain(`${period} has not begun in Asia/Shanghai (it is 2026-06 there)`);
    }
    at('2026-07-01T00:10:00Z');
    const bulletin = await run('supervision');
    expect(bulletin.status).toBe(409);
    expect(bulletin.body.details).toEqual({ missing: ['dispatch', 'self_check', 'review', 'report'], allowed: ['dispatch'] });
    expect(bulletin.body.message).toBe('2026-07 supervision waits for dispatch, self_check, review, report: run dispatch first');
    expect((await run('review')).body.details.missing).toEqual(['dispatch', 'self_check']);
    expect([await runs(), await documents()]).toEqual(before);

    const july = (await t.http().get(`/api/v1/cycles?unitId=${township}&period=2026-07`).set(bearer(leader))).body;
    expect(july.steps.map((s: { waitingFor: string[] }) => s.waitingFor.length)).toEqual([0, 1, 2, 3, 4]);
    expect(july.steps.every((s: { beforeCalendar: boolean }) => !s.beforeCalendar)).toBe(true);
    // The calendar began on 20 June: June's first three steps were skipped, and are not waited for.
    const june = (await t.http().get(`/api/v1/cycles?unitId=${township}&period=2026-06`).set(bearer(leader))).body;
    expect(june.steps.map((s: { beforeCalendar: boolean }) => s.beforeCalendar)).toEqual([true, true, true, false, false]);
    expect(june.steps.map((s: { waitingFor: string[] }) => s.waitingFor)).toEqual([[], [], [], [], ['report']]);
  });

  it('dispatches the drafted task list to each team, once', async () => {
    at('2026-06-25T02:00:00Z');
    const draft = await draftJulyTasks(t, leader, township, [v1, v2]);
    expect(draft.status).toBe(201);
    expect(draft.body).toMatchObject({ status: 'draft', title: '中厂镇7月重点工作任务清单' });
    expect(draft.body.tasks).toHaveLength(3);
    expect((await t.http().get(`/api/v1/tasks?unitId=${v1}&period=2026-07`).set(bearer(team1))).body).toEqual([]);

    at('2026-07-01T00:30:00Z');
    const first = await run('dispatch');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      step: 'dispatch',
      state: 'done',
      trigger: 'manual',
      produced: { teams: 2, tasks: 3, dispatchedNow: true },
    });
    expect(first.body.outputs.filter((o: { kind: string }) => o.kind === 'task_list')).toHaveLength(2);
    const notices = (await inbox(team1)).items.filter((n: { kind: string }) => n.kind === 'task_list_dispatched');
    expect(notices).toHaveLength(1);
    expect(notices[0].body).toContain('入户走访（走访贫困户 30户）');

    const again = await run('dispatch');
    expect(again.body).toEqual(first.body);
    expect((await inbox(team1)).items.filter((n: { kind: string }) => n.kind === 'task_list_dispatched')).toHaveLength(1);
    const mine = await t.http().get(`/api/v1/tasks?unitId=${v1}&period=2026-07`).set(bearer(team1));
    expect(mine.body.map((x: { title: string }) => x.title)).toEqual(['入户走访', '政策宣讲']);
  });

  it('lets a team report progress against its target', async () => {
    const [visit, talk] = (await t.http().get(`/api/v1/tasks?unitId=${v1}&period=2026-07`).set(bearer(team1))).body;
    const half = await t.http().post(`/api/v1/tasks/${visit.id}/progress`).set(bearer(team1)).send({ actual: 18, comment: '已走访18户' });
    expect(half.body).toMatchObject({ actual: 18, completion: 0.6, done: false });
    const done = await t.http().post(`/api/v1/tasks/${visit.id}/progress`).set(bearer(team1)).send({ actual: 30 });
    expect(done.body).toMatchObject({ completion: 1, done: true });
    expect((await t.http().post(`/api/v1/tasks/${talk.id}/progress`).set(bearer(team1)).send({ actual: 1, done: true })).body.done).toBe(
      true,
    );
    expect((await t.http().post(`/api/v1/tasks/${visit.id}/progress`).set(bearer(team2)).send({ actual: 1 })).status).toBe(404);
    const detail = await t.http().get(`/api/v1/tasks/${visit.id}`).set(bearer(leader));
    expect(detail.body.progress.map((p: { actual: number }) => p.actual)).toEqual([18, 30]);
  });

  it('refuses a self-check problem of an unknown category as POST /issues does, and writes nothing', async () => {
    at('2026-07-05T01:00:00Z');
    const counts = async () =>
      (
        await db().query<Array<{ checks: number; inspections: number; tickets: number }>>(
          `SELECT (SELECT count(*)::int FROM self_check WHERE unit_id = $1) AS checks,
                  (SELECT count(*)::int FROM inspection WHERE unit_id = $1 AND source = 'self_check') AS inspections,
                  (SELECT count(*)::int FROM ticket WHERE unit_id = $1 AND source = 'self_check') AS tickets`,
          [v1],
        )
      )[0];
    const before = await counts();
    const refused = await t
      .http()
      .post('/api/v1/self-checks')
      .set(bearer(team1))
      .send({
        unitId: v1,
        period: '2026-07',
        summary: '自查发现问题2个。',
        checklist: [],
        problems: [
          { title: '1户危房改造未完成', category: '两不愁三保障' },
          { title: '台账不全', category: '杂项' },
        ],
      });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity' });
    expect(refused.body.details.rows).toEqual([
      { row: 2, column: 'category', message: expect.stringContaining('"杂项" is not a category') },
    ]);
    expect(await counts()).toEqual(before);
    // The same category on a single ticket: refused with the same words.
    const single = await t
      .http()
      .post('/api/v1/issues')
      .set(bearer(leader))
      .send({ title: '台账不全', category: '杂项', unitId: v1, deadline: '2026-08-31' });
    expect(single.status).toBe(400);
    expect(single.body.message).toContain('"杂项" is not a category');
    expect(await counts()).toEqual(before);
  });

  it('files a self-check whose problems become tickets, and compiles the reports at the due date', async () => {
    at('2026-07-05T02:00:00Z');
    const filed = await t
      .http()
      .post('/api/v1/self-checks')
      .set(bearer(team1))
      .send({
        unitId: v1,
        period: '2026-07',
        summary: '对照“两不愁三保障”逐户自查，发现问题1个。',
        checklist: [{ item: '“八个一批”落实情况', status: 'done' }],
        problems: [{ title: '1户饮水设施老化', category: '两不愁三保障' }],
      });
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ title: '《中厂镇第一社区7月脱贫攻坚自查报告》', onTime: true });
    expect(filed.body.problems).toHaveLength(1);
    const ticket = await t.http().get(`/api/v1/issues/${filed.body.problems[0].id}`).set(bearer(team1));
    expect(ticket.body).toMatchObject({ source: 'self_check', status: 'open', deadline: null });
    expect(
      (
        await t
          .http()
          .post('/api/v1/self-checks')
          .set(bearer(team1))
          .send({ unitId: v1, period: '2026-07', summary: 'again', checklist: [], problems: [] })
      ).status,
    ).toBe(409);

    at('2026-07-10T10:30:00Z');
    const step = await run('self_check');
    expect(step.body.state).toBe('done');
    expect(step.body.produced.filed).toBe(1);
    expect(step.body.produced.missing).toContain('中厂镇第二社区');
    // The township's list and the compiled reports name the problems the report filed, and no others.
    const listed = await t.http().get(`/api/v1/self-checks?unitId=${township}&period=2026-07`).set(bearer(leader));
    expect(listed.body.map((s: { unitName: string; problems: unknown[] }) => [s.unitName, s.problems])).toEqual([
      ['中厂镇第一社区', filed.body.problems],
    ]);
    const reports = await db().query<Array<{ subject_unit_id: string; data: { filed: boolean; problems: unknown[] } }>>(
      `SELECT subject_unit_id, data FROM cycle_output WHERE kind = 'self_check_report' AND period = '2026-07'`,
    );
    const reportOf = (unit: string) => reports.find((r) => r.subject_unit_id === unit)?.data;
    expect(reportOf(v1)).toMatchObject({
      filed: true,
      problems: [{ code: filed.body.problems[0].code, title: '1户饮水设施老化' }],
    });
    expect(Object.keys(reportOf(v1)!.problems[0] as object)).toEqual(['code', 'title']);
    expect(reportOf(v2)).toMatchObject({ filed: false, problems: [] });
    expect((await inbox(team2)).items.some((n: { kind: string }) => n.kind === 'self_check_missing')).toBe(true);
    expect(
      (await inbox(leader)).items.some(
        (n: { kind: string; title: string }) => n.kind === 'self_check_missing' && /个工作队未报送/.test(n.title),
      ),
    ).toBe(true);
  });

  it('lists every open ticket for review and flags those missing a deadline, person or measures', async () => {
    at('2026-07-15T02:00:00Z');
    const step = await run('review');
    expect(step.body.produced.open).toBeGreaterThan(5);
    expect(step.body.produced.incomplete).toBe(1);
    const [list] = await db().query(`SELECT data FROM cycle_output WHERE kind = 'rectification_list' AND period = '2026-07'`);
    const flagged = list.data.items.filter((i: { missing: string[] }) => i.missing.length);
    expect(flagged.map((i: { title: string; missing: string[] }) => [i.title, i.missing])).toEqual([
      ['1户饮水设施老化', ['责任人', '整改时限', '整改措施']],
    ]);
    expect((await inbox(team1)).items.some((n: { kind: string }) => n.kind === 'rectification_incomplete')).toBe(true);
  });

  it('reports progress per team and ranks the teams', async () => {
    at('2026-07-24T01:00:00Z');
    const step = await run('report');
    expect(step.body.state).toBe('done');
    const ranking = await t.http().get(`/api/v1/rankings?unitId=${township}&period=2026-07`).set(bearer(leader));
    expect(ranking.status).toBe(200);
    const scores = ranking.body.map((r: { score: number }) => r.score);
    // Equal scores share a rank (1, 1, 3).
    expect(ranking.body.map((r: { rank: number }) => r.rank)).toEqual(
      scores.map((s: number) => 1 + scores.findIndex((x: number) => x === s)),
    );
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const first = ranking.body.find((r: { unitName: string }) => r.unitName === '中厂镇第一社区');
    expect(first.breakdown).toMatchObject({ taskCompletion: 40, selfCheck: 10 });
    expect(ranking.body.every((r: { provisional?: boolean }) => !r.provisional)).toBe(true);
    const [progress] = await db().query(`SELECT data FROM cycle_output WHERE kind = 'progress_list' AND period = '2026-07'`);
    const row = progress.data.rows.find((r: { team: { name: string } }) => r.team.name === '中厂镇第一社区');
    expect(row).toMatchObject({ tasks: { total: 2, done: 2, completion: 1 }, selfCheck: 'on_time' });
  });

  it('finds and closes out problems of the first team late in July', async () => {
    at('2026-07-26T02:00:00Z');
    const inspector = await t.login('zc_inspector');
    const ids = [];
    for (const title of ['村道护栏缺失', '公示栏未更新', '帮扶手册填写不全'])
      ids.push(await raiseTicket(t, leader, { title, unitId: v1, deadline: '2026-07-28' }));
    await closeOutTicket(t, team1, inspector, ids[0]);
    expect((await t.http().get(`/api/v1/issues/${ids[0]}`).set(bearer(leader))).body.status).toBe('closed');
  });

  it('issues the supervision bulletin’s data and the evaluation list at month end', async () => {
    at('2026-07-31T08:30:00Z');
    const step = await run('supervision');
    expect(step.body.state).toBe('done');
    // The step writes the facts; the documents lib words them (title, reasons, problems) as it issues the bulletin.
    const [bulletin] = await db().query(`SELECT data FROM cycle_output WHERE kind = 'bulletin' AND period = '2026-07'`);
    expect(bulletin.data.title).toBeUndefined();
    expect(bulletin.data.criticised[0].facts).toMatchObject({ selfCheck: expect.any(String), overdue: expect.any(Number) });
    const [issued] = (await t.http().get(`/api/v1/documents?unitId=${township}&kind=bulletin&period=2026-07`).set(bearer(leader))).body
      .items;
    const document = (await t.http().get(`/api/v1/documents/${issued.id}`).set(bearer(leader))).body;
    expect(document).toMatchObject({ issuer: '中厂镇效能督查组', title: '关于2026年7月脱贫攻坚工作督查情况的通报' });
    const b = document.snapshot.data;
    expect(b.figures.teams).toBe(12);
    // Teams with no tasks and no tickets this month have nothing to show and are never praised;
    // the one team that worked (第一社区) has a ticket overdue past the limit: nobody is praised.
    const ranking = (await t.http().get(`/api/v1/rankings?unitId=${township}&period=2026-07`).set(bearer(leader))).body;
    const empty = ranking.filter((r: { nothingToShow: boolean }) => r.nothingToShow).map((r: { unitName: string }) => r.unitName);
    expect(empty).toEqual(expect.arrayContaining(['中厂镇第三社区', '中厂镇脱贫攻坚办公室']));
    expect(b.praised).toEqual([]);
    expect(b.criticised.find((c: { unitName: string }) => c.unitName === '中厂镇第一社区').reasons.join('')).toMatch(/逾期超过30天/);
    // An empty team is criticised only for its missing self-check, never for "slow progress".
    const office = b.criticised.find((c: { unitName: string }) => c.unitName === '中厂镇脱贫攻坚办公室');
    if (office) expect(office.reasons).toEqual(['未报送月度自查报告']);
    // 第二社区 has a ticket overdue for more than 30 days.
    const second = b.criticised.find((c: { unitName: string }) => c.unitName === '中厂镇第二社区');
    expect(second.reasons.join('')).toMatch(/逾期超过30天/);
    expect(b.praised.some((p: { unitName: string }) => p.unitName === '中厂镇第二社区')).toBe(false);
    expect(b.nextSteps.length).toBeGreaterThan(0);
    expect(b.closeOutRates).toHaveLength(12);
    const [evaluation] = await db().query(`SELECT data FROM cycle_output WHERE kind = 'evaluation_list' AND period = '2026-07'`);
    expect(evaluation.data.rows).toHaveLength(12);
    expect(evaluation.data.rows[0]).toMatchObject({ rank: 1, grade: expect.stringMatching(/优秀|良好|一般|较差/) });
  });

  it('gives a team the same close-out rate in the bulletin, the ledger and the dashboard', async () => {
    // Found in July: the self-check problem and the three raised on the 26th; one closed out.
    const bulletins = await t.http().get(`/api/v1/documents?unitId=${township}&kind=bulletin&period=2026-07`).set(bearer(leader));
    expect(bulletins.body.items).toHaveLength(1);
    const issued = await t.http().get(`/api/v1/documents/${bulletins.body.items[0].id}`).set(bearer(leader));
    const rates = issued.body.snapshot.data.closeOutRates as Array<{ unitName: string; rate: number; found: number; closed: number }>;
    const first = rates.find((r) => r.unitName === '中厂镇第一社区')!;
    expect(first).toMatchObject({ found: 4, closed: 1, rate: 0.25 });
    // Not every team at 100 %: the chart shows each team's own rate.
    expect(new Set(rates.map((r) => r.rate)).size).toBeGreaterThan(1);

    const ledger = await t.http().get(`/api/v1/ledger?unitId=${v1}&from=2026-07-01&to=2026-07-31`).set(bearer(leader));
    expect(ledger.status).toBe(200);
    expect(ledger.body.totals).toMatchObject({ found: 4, closed: 1, closureRate: first.rate });
    const township_ = await t.http().get(`/api/v1/ledger?unitId=${township}&from=2026-07-01&to=2026-07-31`).set(bearer(leader));
    const row = township_.body.totals.byUnit.find((u: { unitId: string }) => u.unitId === v1);
    expect(row).toMatchObject({ closureRate: first.rate, overdue: 2, light: 'yellow' });

    const agent = request.agent(t.app.getHttpServer());
    const login = await agent.get('/login').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)![1];
    await agent.post('/login').type('form').send({ username: 'zc_leader', password: 'Demo@2026', _csrf: csrf, next: '/' }).expect(303);
    const dashboard = await agent.get(`/dashboard?unitId=${township}&period=2026-07`);
    expect(dashboard.status).toBe(200);
    expect(dashboard.text).toMatch(
      /<tr><td>中厂镇第一社区<\/td><td>25%<\/td><td>1<\/td><td>4<\/td><td>2<\/td><td><span class="light yellow"/,
    );
    // The year so far is counted the same way: of the tickets found this year, the share closed out.
    const year = await t.http().get(`/api/v1/ledger?unitId=${township}&from=2026-01-01&to=2026-07-31`).set(bearer(leader));
    expect(issued.body.snapshot.data.figures).toMatchObject({
      yearFound: year.body.totals.found,
      yearClosureRate: year.body.totals.closureRate,
    });
  });

  it('shows the month’s cycle: every step done, when it ran and what it produced', async () => {
    const res = await t.http().get(`/api/v1/cycles?unitId=${township}&period=2026-07`).set(bearer(leader));
    expect(res.body.steps.map((s: { step: string; state: string }) => [s.step, s.state])).toEqual([
      ['dispatch', 'done'],
      ['self_check', 'done'],
      ['review', 'done'],
      ['report', 'done'],
      ['supervision', 'done'],
    ]);
    expect(res.body.steps[0]).toMatchObject({ label: '月交办 + 任务清单', dueAt: '2026-07-01T00:00:00.000Z', ranAt: expect.any(String) });
    const year = await t.http().get(`/api/v1/rankings?unitId=${township}&period=2026`).set(bearer(leader));
    expect(year.body[0].breakdown).toMatchObject({ months: 1 });
  });

  it('lets leaders run steps by hand, and nobody else', async () => {
    expect((await run('review', await t.login('zc_inspector'))).status).toBe(403);
    expect((await run('review', team1)).status).toBe(404);
    const badStep = await t.http().post(`/api/v1/cycles/2026-07/steps/audit/run?unitId=${township}`).set(bearer(leader));
    expect(badStep.status).toBe(400);
    expect((await t.http().post(`/api/v1/cycles/2026-13/steps/review/run?unitId=${township}`).set(bearer(leader))).status).toBe(400);
  });
});
