import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { bearer, csv, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

const ROSTER = readFileSync(join(__dirname, 'fixtures', 'campaigns', 'roster.xlsx'));

describe('verification campaigns', () => {
  let t: TestApp;
  let inspector: string;
  let team1: string;
  let team2: string;
  let township: string;
  let first: string;

  beforeAll(async () => {
    t = await startTestApp();
    [inspector, team1, team2] = await Promise.all([t.login('zc_inspector'), t.login('zc_team1'), t.login('zc_team2')]);
    township = await unitId(t, '中厂镇');
    first = await unitId(t, '中厂镇第一社区');
  });
  afterAll(() => t.close());

  const create = async (title: string, rules: Record<string, unknown> = { villages: 3, householdsPerVillage: 4 }) => {
    const res = await t
      .http()
      .post('/api/v1/campaigns')
      .set(bearer(inspector))
      .send({ title, kind: 'identification', unitId: township, period: '2026-07/2026-09', issuedBy: '中厂镇脱贫攻坚指挥部', rules });
    expect(res.status).toBe(201);
    return res.body as { id: string; inspectionId: string };
  };
  const importRoster = (id: string, file: Buffer, name = '花名册.xlsx') =>
    t.http().post(`/api/v1/campaigns/${id}/households/import`).set(bearer(inspector)).attach('file', file, name);
  const households = async (token: string, id: string) => {
    const res = await t.http().get(`/api/v1/campaigns/${id}/households?pageSize=200`).set(bearer(token));
    expect(res.status).toBe(200);
    return res.body.items as Array<{
      id: string;
      villageId: string;
      villageName: string;
      headName: string;
      idMasked: string | null;
      attribute: string;
      persons: number;
    }>;
  };
  const ticketsOf = async (inspectionId: string) =>
    t.app
      .get(DataSource)
      .query<Array<{ id: string; source: string; category: string; unit_id: string; title: string }>>(
        `SELECT id, source, category, unit_id, title FROM ticket WHERE inspection_id = $1`,
        [inspectionId],
      );

  it('records a campaign as a verification inspection and refuses bad input', async () => {
    const c = await create('中厂镇精准识别核查');
    const insp = await t.http().get(`/api/v1/inspections/${c.inspectionId}`).set(bearer(inspector));
    expect(insp.body).toMatchObject({ source: 'verification', title: '中厂镇精准识别核查', issuedBy: '中厂镇脱贫攻坚指挥部' });
    const bad = await t
      .http()
      .post('/api/v1/campaigns')
      .set(bearer(inspector))
      .send({ title: 'x', kind: 'census', unitId: township, period: '2026-13' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['kind', 'period']));
    const team = await t
      .http()
      .post('/api/v1/campaigns')
      .set(bearer(team1))
      .send({ title: 'x', kind: 'exit', unitId: first, period: '2026-07' });
    // A village team may read its own unit, but does not run campaigns.
    expect(team.status).toBe(403);
  });

  it('imports the roster saved by LibreOffice all or nothing, keeping ID numbers masked', async () => {
    const c = await create('花名册导入');
    const rejected = await importRoster(
      c.id,
      csv([
        ['户主', '身份证号', '村', '组', '人数', '属性'],
        ['王大山', '420921198801011234', '中厂镇第一社区', '1组', '4', '建档立卡'],
        ['李小河', '12345', '中厂镇第一社区', '1组', '3', '已脱贫'],
        ['赵四', '', '勾腰坝村', '2组', '2', '建档立卡'],
        ['钱五', '', '中厂镇第二社区', '2组', '0', '贫困'],
      ]),
      '花名册.csv',
    );
    expect(rejected.status).toBe(422);
    expect(rejected.body.details.rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 3, column: '身份证号' }),
        // A village of another township is not found inside the campaign's unit.
        expect.objectContaining({ row: 4, column: '村' }),
        expect.objectContaining({ row: 5, column: '人数' }),
        expect.objectContaining({ row: 5, column: '属性' }),
      ]),
    );
    expect(await households(inspector, c.id)).toHaveLength(0);

    const res = await importRoster(c.id, ROSTER);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ created: 60, matched: 0 });
    const list = await households(inspector, c.id);
    expect(list).toHaveLength(60);
    const wang = list.find((h) => h.headName === '王德明')!;
    expect(wang).toMatchObject({ villageName: '中厂镇第一社区', idMasked: '610929********100X', attribute: 'registered', persons: 1 });
    const stored = await t.app.get(DataSource).query(`SELECT * FROM household WHERE id = $1`, [wang.id]);
    expect(JSON.stringify(stored)).not.toContain('61092919500101100X');
    // 第三社区 is matched inside the township without its prefix.
    expect(list.filter((h) => h.villageName === '中厂镇第三社区')).toHaveLength(10);
    const again = await importRoster(c.id, ROSTER);
    expect(again.status).toBe(422);
    expect(await households(inspector, c.id)).toHaveLength(60);
  });

  it('draws the same sample from the same seed, none twice in a round, and pairs no team with itself', async () => {
    const a = await create('抽查甲');
    const b = await create('抽查乙');
    await importRoster(a.id, ROSTER);
    const second = await importRoster(b.id, ROSTER);
    // The households are kept across campaigns: the second roster matches every one.
    expect(second.body).toEqual({ created: 60, matched: 60 });
    const draw = (id: string, body: Record<string, unknown>) =>
      t.http().post(`/api/v1/campaigns/${id}/sample`).set(bearer(inspector)).send(body);
    const july = await draw(a.id, { seed: '2026-07-督查', month: '2026-07' });
    expect(july.status).toBe(200);
    expect(july.body.villages).toHaveLength(3);
    for (const v of july.body.villages) {
      expect(v.households).toHaveLength(4);
      expect(v.team).not.toBeNull();
      expect(v.team.id).not.toBe(v.villageId);
    }
    const ids = (d: { villages: Array<{ households: Array<{ id: string }> }> }) => d.villages.flatMap((v) => v.households.map((h) => h.id));
    expect((await draw(a.id, { seed: '2026-07-督查', month: '2026-07' })).body).toEqual(july.body);
    expect((await draw(a.id, { seed: 'other', month: '2026-07' })).status).toBe(409);
    // The same seed on the same households draws the same sample in another campaign.
    const bDraw = await draw(b.id, { seed: '2026-07-督查', month: '2026-07' });
    expect(ids(bDraw.body)).toEqual(ids(july.body));

    const august = await draw(a.id, { seed: '2026-08-督查', month: '2026-08' });
    const september = await draw(a.id, { seed: '2026-09-督查', month: '2026-09' });
    const all = [...ids(july.body), ...ids(august.body), ...ids(september.body)];
    expect(new Set(all).size).toBe(all.length);
    const detail = await t.http().get(`/api/v1/campaigns/${a.id}`).set(bearer(inspector));
    expect(detail.body.draws.map((x: { month: string; seed: string }) => [x.month, x.seed])).toEqual([
      ['2026-07', '2026-07-督查'],
      ['2026-08', '2026-08-督查'],
      ['2026-09', '2026-09-督查'],
    ]);
    const pairs = detail.body.assignments.map((x: { teamId: string; villageId: string }) => `${x.teamId}>${x.villageId}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    for (const x of detail.body.assignments) expect(x.teamId).not.toBe(x.villageId);
  });

  it('opens exactly one ticket per wrong verdict, on the household’s village, and not again on resubmission', async () => {
    const c = await create('错评漏评核查', { villages: 2, householdsPerVillage: 5, rectificationClass: 'deadline', deadlineDays: 15 });
    await importRoster(c.id, ROSTER);
    const list = await households(inspector, c.id);
    const registered = list.filter((h) => h.attribute === 'registered');
    const exited = list.filter((h) => h.attribute === 'exited');
    const others = list.filter((h) => h.attribute === 'non_registered');
    const items = [
      { householdId: registered[0].id, verdict: 'wrongly_included', persons: 3, note: '家中有营运货车一辆' },
      { householdId: registered[1].id, verdict: 'correct' },
      { householdId: registered[2].id, verdict: 'correct' },
      { householdId: registered[3].id, verdict: 'correct' },
      { householdId: exited[0].id, verdict: 'wrongly_exited' },
      { householdId: exited[1].id, verdict: 'correct' },
      { householdId: others[0].id, verdict: 'wrongly_excluded' },
    ];
    const send = (body: object, token = inspector) => t.http().post(`/api/v1/campaigns/${c.id}/verdicts`).set(bearer(token)).send(body);
    const first = await send({ items });
    expect(first.status).toBe(200);
    expect(first.body.ticketsOpened).toBe(3);
    let tickets = await ticketsOf(c.inspectionId);
    expect(tickets).toHaveLength(3);
    expect(tickets.every((x) => x.source === 'verification')).toBe(true);
    const included = tickets.find((x) => x.title.startsWith('错评'))!;
    expect(included.unit_id).toBe(registered[0].villageId);
    expect(included.category).toBe('精准识别');
    expect(included.title).toContain(registered[0].headName);
    expect(tickets.find((x) => x.title.startsWith('错退'))!.category).toBe('精准退出');

    const again = await send({ items });
    expect(again.status).toBe(200);
    expect(again.body.ticketsOpened).toBe(0);
    expect(again.body.items.every((i: { outcome: string }) => i.outcome === 'unchanged')).toBe(true);
    tickets = await ticketsOf(c.inspectionId);
    expect(tickets).toHaveLength(3);
    // A concurrent resubmission cannot open a second ticket either.
    const racing = await Promise.all([
      send({ items: [{ householdId: registered[1].id, verdict: 'wrongly_included' }] }),
      send({ items: [{ householdId: registered[1].id, verdict: 'wrongly_included' }] }),
    ]);
    expect(racing.map((r) => r.status)).toEqual([200, 200]);
    expect(await ticketsOf(c.inspectionId)).toHaveLength(4);
    // A verdict that opened a ticket stands; 错评 on a household that is not registered is refused.
    expect((await send({ items: [{ householdId: registered[0].id, verdict: 'correct' }] })).status).toBe(409);
    expect((await send({ items: [{ householdId: others[1].id, verdict: 'wrongly_included' }] })).status).toBe(400);
    expect(await ticketsOf(c.inspectionId)).toHaveLength(4);

    const detail = await t.http().get(`/api/v1/campaigns/${c.id}`).set(bearer(inspector));
    // Two 错评 of four registered households checked; one 错退 of two exited; one 漏评 of one non-registered.
    expect(detail.body.rates.wronglyIncluded.households).toEqual({ count: 2, base: 4, rate: 0.5, label: '50.00%' });
    expect(detail.body.rates.wronglyExited.households).toEqual({ count: 1, base: 2, rate: 0.5, label: '50.00%' });
    expect(detail.body.rates.wronglyExcluded.households).toEqual({ count: 1, base: 1, rate: 1, label: '100.00%' });
    expect(detail.body.rates.wronglyIncluded.persons.count).toBe(3 + registered[1].persons);
    expect(detail.body.counts.checked.households).toBe(7);
    const village = detail.body.villages.find((v: { villageId: string }) => v.villageId === registered[0].villageId);
    expect(village.counts.byVerdict.wrongly_included.households).toBeGreaterThanOrEqual(1);
  });

  it('shows a team only its own village’s households and those it was sent to check', async () => {
    const c = await create('交叉互查', { villages: 4, householdsPerVillage: 3 });
    await importRoster(c.id, ROSTER);
    await t.http().post(`/api/v1/campaigns/${c.id}/sample`).set(bearer(inspector)).send({ seed: 'scope', month: '2026-07' });
    const detail = await t.http().get(`/api/v1/campaigns/${c.id}`).set(bearer(inspector));
    const sentTo = detail.body.assignments
      .filter((a: { teamId: string }) => a.teamId === first)
      .map((a: { villageId: string }) => a.villageId);
    const seen = await households(team1, c.id);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen.map((h) => h.villageId))).toEqual(new Set([first, ...sentTo]));
    const all = await households(inspector, c.id);
    const notMine = all.find((h) => h.villageId !== first && !sentTo.includes(h.villageId))!;
    const res = await t
      .http()
      .post(`/api/v1/campaigns/${c.id}/verdicts`)
      .set(bearer(team1))
      .send({ items: [{ householdId: notMine.id, verdict: 'correct' }] });
    expect(res.status).toBe(404);
    const mine = all.find((h) => h.villageId === first)!;
    const own = await t
      .http()
      .post(`/api/v1/campaigns/${c.id}/verdicts`)
      .set(bearer(team1))
      .send({ items: [{ householdId: mine.id, verdict: 'correct' }] });
    expect(own.status).toBe(200);
    const teamView = await t.http().get(`/api/v1/campaigns/${c.id}`).set(bearer(team2));
    expect(teamView.status).toBe(200);
    // The draw depends on the roster's stored order, so the second team may have been sent to the first village:
    // it sees its own village and those it was sent to, nothing else.
    const second = await unitId(t, '中厂镇第二社区');
    const secondSentTo = detail.body.assignments
      .filter((a: { teamId: string }) => a.teamId === second)
      .map((a: { villageId: string }) => a.villageId);
    const allowed = new Set([second, ...secondSentTo]);
    expect(teamView.body.villages.length).toBeGreaterThan(0);
    expect(teamView.body.villages.every((v: { villageId: string }) => allowed.has(v.villageId))).toBe(true);
  });

  it('makes each cross-inspection assignment the team’s task, kept through the list’s edits, with the verdicts as its progress', async () => {
    const c = await create('八月交叉核查', { villages: 2, householdsPerVillage: 3 });
    await importRoster(c.id, ROSTER);
    const sample = await t.http().post(`/api/v1/campaigns/${c.id}/sample`).set(bearer(inspector)).send({ seed: 'tasks', month: '2026-08' });
    expect(sample.status).toBe(200);
    const villages = sample.body.villages as Array<{
      villageId: string;
      villageName: string;
      team: { id: string } | null;
      households: Array<{ id: string }>;
    }>;
    const detail = (await t.http().get(`/api/v1/campaigns/${c.id}`).set(bearer(inspector))).body;
    const assignments = detail.assignments as Array<{ teamId: string; villageId: string }>;
    expect(assignments.length).toBeGreaterThan(0);
    const db = t.app.get(DataSource);
    const tasks = async () =>
      db.query<
        Array<{ id: string; title: string; assignee_unit_id: string; target: number; actual: number; done: boolean; task_list_id: string }>
      >(
        `SELECT id, title, assignee_unit_id, target::float8 AS target, actual::float8 AS actual, done, task_list_id FROM task
          WHERE origin LIKE 'campaign:%' AND title LIKE '%八月交叉核查%' ORDER BY title`,
      );
    const made = await tasks();
    expect(made).toHaveLength(assignments.length);
    for (const a of assignments) {
      const task = made.find((x) => x.assignee_unit_id === a.teamId)!;
      const village = villages.find((v) => v.villageId === a.villageId)!;
      expect(village.team?.id).toBe(a.teamId);
      expect(task.title).toBe(`交叉核查${village.villageName}（八月交叉核查）`);
      expect(task.target).toBe(village.households.length);
      expect(task.actual).toBe(0);
    }

    // The leader rewrites the month's own tasks and sends the list out: the cross-inspection stays.
    const leader = await t.login('zc_leader');
    const listId = made[0].task_list_id;
    const replaced = await t
      .http()
      .put(`/api/v1/task-lists/${listId}/tasks`)
      .set(bearer(leader))
      .send({ tasks: [{ title: '完成8月份动态管理信息录入', unitIds: [first], deadline: '2026-08-25' }] });
    expect(replaced.status).toBe(200);
    expect(await tasks()).toHaveLength(assignments.length);
    expect((await t.http().post(`/api/v1/task-lists/${listId}/dispatch`).set(bearer(leader))).status).toBe(200);

    // Verdicts on every drawn household of the first assignment's village complete its task.
    const a = assignments[0];
    const village = villages.find((v) => v.villageId === a.villageId)!.households;
    const res = await t
      .http()
      .post(`/api/v1/campaigns/${c.id}/verdicts`)
      .set(bearer(inspector))
      .send({ items: village.map((h) => ({ householdId: h.id, verdict: 'correct' })) });
    expect(res.status).toBe(200);
    const after = (await tasks()).find((x) => x.assignee_unit_id === a.teamId)!;
    expect(after).toMatchObject({ actual: village.length, done: true });
    const team = await t.http().get(`/api/v1/tasks?unitId=${a.teamId}&period=2026-08`).set(bearer(leader));
    expect(team.status).toBe(200);
    expect(team.body.find((x: { id: string }) => x.id === after.id)).toMatchObject({
      actual: village.length,
      done: true,
      target: village.length,
    });
  });

  it('says which households the last round did not check', async () => {
    const before = await create('第一轮核查');
    await importRoster(before.id, ROSTER);
    const list = await households(inspector, before.id);
    await t
      .http()
      .post(`/api/v1/campaigns/${before.id}/verdicts`)
      .set(bearer(inspector))
      .send({ items: list.slice(0, 10).map((h) => ({ householdId: h.id, verdict: 'correct' })) });
    const after = await create('第二轮核查');
    await importRoster(after.id, ROSTER);
    const detail = await t.http().get(`/api/v1/campaigns/${after.id}`).set(bearer(inspector));
    expect(detail.body.lastRound.id).toBe(before.id);
    expect(detail.body.notCheckedLastRound).toBe(50);
  });

  it('renders the campaign report with its rates and the registration forms, in HTML, XLSX and PDF', async () => {
    const c = await create('中厂镇退出核查报告');
    await importRoster(c.id, ROSTER);
    const list = await households(inspector, c.id);
    const exited = list.filter((h) => h.attribute === 'exited').slice(0, 3);
    await t
      .http()
      .post(`/api/v1/campaigns/${c.id}/verdicts`)
      .set(bearer(inspector))
      .send({ items: exited.map((h, i) => ({ householdId: h.id, verdict: i === 0 ? 'wrongly_exited' : 'correct' })) });
    const html = await t.http().get(`/api/v1/campaigns/${c.id}/report`).set(bearer(inspector));
    expect(html.status).toBe(200);
    expect(html.text).toContain('中厂镇退出核查报告');
    expect(html.text).toContain('33.33%');
    expect(html.text).toContain('《脱贫退出户调查核实登记表》');
    expect(html.text.split('户主签字').length - 1).toBe(3);
    expect(html.text).toContain('工作队长签字');
    const en = await t.http().get(`/api/v1/campaigns/${c.id}/report?lang=en`).set(bearer(inspector));
    expect(en.text).toContain('Exited household verification form');
    const xlsx = await t
      .http()
      .get(`/api/v1/campaigns/${c.id}/report?format=xlsx`)
      .set(bearer(inspector))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as ArrayBuffer);
    const cells = wb.worksheets[0].getSheetValues().flat().map(String);
    expect(cells).toEqual(expect.arrayContaining(['合计', '33.33%']));
    const pdf = await t.http().get(`/api/v1/campaigns/${c.id}/report?format=pdf`).set(bearer(inspector));
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
  });

  it('takes a verdict on the phone form, one household per screen, and opens its ticket once', async () => {
    const c = await create('手机核查');
    await importRoster(c.id, ROSTER);
    const agent = request.agent(t.app.getHttpServer());
    const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];
    const login = await agent.get('/login');
    await agent
      .post('/login')
      .type('form')
      .send({ username: 'zc_team1', password: 'Demo@2026', _csrf: csrfOf(login.text), next: '/' })
      .expect(303);
    const list = await agent.get('/verification');
    expect(list.status).toBe(200);
    expect(list.text).toContain('手机核查');
    const page = await agent.get(`/verification/${c.id}`);
    expect(page.status).toBe(200);
    expect(page.text.match(/name="householdId"/g)).toHaveLength(1);
    expect(page.text).toContain('第 1 户，共 10 户');
    const householdId = /name="householdId" value="([^"]+)"/.exec(page.text)![1];
    const mine = (await households(inspector, c.id)).find((h) => h.id === householdId)!;
    expect(mine.villageId).toBe(first);
    const verdict =
      mine.attribute === 'registered' ? 'wrongly_included' : mine.attribute === 'exited' ? 'wrongly_exited' : 'wrongly_excluded';
    const post = () =>
      agent
        .post(`/verification/${c.id}/verdict`)
        .type('form')
        .send({ _csrf: csrfOf(page.text), householdId, verdict, persons: '2', note: '入户核实', i: '1', next: '1' });
    const res = await post();
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/verification/${c.id}?i=1`);
    expect(await ticketsOf(c.inspectionId)).toHaveLength(1);
    expect((await post()).status).toBe(303);
    expect(await ticketsOf(c.inspectionId)).toHaveLength(1);
  });
  it('opens a verdict’s ticket in the name of the team member recording it, on the team’s own village', async () => {
    const c = await create('本村自查核查');
    await importRoster(c.id, ROSTER);
    const mine = (await households(team1, c.id)).find((h) => h.villageId === first)!;
    const verdict =
      mine.attribute === 'registered' ? 'wrongly_included' : mine.attribute === 'exited' ? 'wrongly_exited' : 'wrongly_excluded';
    const res = await t
      .http()
      .post(`/api/v1/campaigns/${c.id}/verdicts`)
      .set(bearer(team1))
      .send({ items: [{ householdId: mine.id, verdict }] });
    expect(res.status).toBe(200);
    expect(res.body.ticketsOpened).toBe(1);
    const [ticket] = await t.app
      .get(DataSource)
      .query<Array<{ username: string; unit_id: string; source: string; actor_name: string; display_name: string }>>(
        `SELECT u.username, u.display_name, t.unit_id, t.source, e.actor_name
           FROM ticket t JOIN app_user u ON u.id = t.created_by JOIN ticket_event e ON e.ticket_id = t.id AND e.kind = 'created'
          WHERE t.inspection_id = $1`,
        [c.inspectionId],
      );
    expect(ticket).toMatchObject({ username: 'zc_team1', unit_id: first, source: 'verification' });
    expect(ticket.actor_name).toBe(ticket.display_name);
  });
});
