import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FakeClock } from '@app/platform';
import { bearer, raiseTicket, unitId } from './support/fixtures';
import { binary } from './support/downloads';
import { startTestApp, TestApp } from './support/test-app';

/** A list made with LibreOffice from test/fixtures/findings/round-title.html (see make.sh there). */
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', 'findings', name));

interface Row {
  title: string;
  round: string | null;
  docNumber: string | null;
  docDate: string | null;
}

describe('inspections of a round and feedback document, and the ledger by them', () => {
  const clock = new FakeClock('2026-08-01T02:00:00Z');
  let t: TestApp;
  let inspector: string;
  let leader: string;
  let township: string;
  let third: string;
  let second: string;
  // The demo's own tickets were found in 2026: the 2024 window holds this test's alone.
  const year = 'from=2024-01-01&to=2024-12-31';

  const createInspection = (body: Record<string, unknown>) =>
    t
      .http()
      .post('/api/v1/inspections')
      .set(bearer(inspector))
      .send({ source: 'patrol', title: '州委巡察组反馈问题', issuedBy: '州委第一巡察组', date: '2024-03-12', unitId: township, ...body });
  const upload = (inspection: string, name: string, query = '') =>
    t.http().post(`/api/v1/inspections/${inspection}/findings/import${query}`).set(bearer(inspector)).attach('file', fixture(name), name);
  const inspection = async (id: string) => (await t.http().get(`/api/v1/inspections/${id}`).set(bearer(inspector))).body;
  const ledger = (query: string) => t.http().get(`/api/v1/ledger?unitId=${township}&${year}&${query}`).set(bearer(leader));

  beforeAll(async () => {
    t = await startTestApp({ clock });
    [inspector, leader] = await Promise.all(['zc_inspector', 'zc_leader'].map((u) => t.login(u)));
    township = await unitId(t, '中厂镇');
  }, 60_000);
  afterAll(() => t.close());

  it('records an inspection’s round, 反馈文号 and its date, the brackets as the document prints them', async () => {
    const res = await createInspection({ round: ' 第二轮 ', docNumber: '黔巡反馈[2024]3号', docDate: '2024-02-20', date: '2024-02-25' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ round: '第二轮', docNumber: '黔巡反馈〔2024〕3号', docDate: '2024-02-20' });
    second = res.body.id;
    expect(await inspection(second)).toMatchObject({ round: '第二轮', docNumber: '黔巡反馈〔2024〕3号', docDate: '2024-02-20' });
    const plain = await createInspection({});
    expect(plain.body).toMatchObject({ round: null, docNumber: null, docDate: null });
    third = plain.body.id;
  });

  it.each([
    [{ docDate: '2024-02-30' }, 'docDate'],
    [{ docDate: '20240220' }, 'docDate'],
    [{ docDate: '1999-12-31' }, 'docDate'],
    [{ round: 3 }, 'round'],
    [{ round: '第'.repeat(51) }, 'round'],
    [{ docNumber: '号'.repeat(101) }, 'docNumber'],
  ])('refuses %j in the API’s error shape', async (body, field) => {
    const res = await createInspection(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(JSON.stringify(res.body.details)).toContain(field);
  });

  it('reads the round and document from the list’s title rows, filling only what the inspection lacks', async () => {
    const dry = await upload(third, 'round-title.xlsx', '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      dryRun: true,
      created: 2,
      feedback: { round: '第三轮', docNumber: '黔巡反馈〔2026〕12号', docDate: '2026-03-10' },
    });
    expect(await inspection(third)).toMatchObject({ round: null, docNumber: null, docDate: null });

    const done = await upload(third, 'round-title.xlsx');
    expect(done.status).toBe(200);
    expect(done.body.created).toBe(2);
    // 填报时间 (2026-08-01) is when the township filled the list in, not the document's date.
    expect(await inspection(third)).toMatchObject({ round: '第三轮', docNumber: '黔巡反馈〔2026〕12号', docDate: '2026-03-10' });

    // An inspection that has its own keeps them; the .xls that LibreOffice saves reads the same.
    const kept = await upload(second, 'round-title.xls');
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ created: 2, feedback: { round: '第三轮', docNumber: '黔巡反馈〔2026〕12号' } });
    expect(await inspection(second)).toMatchObject({ round: '第二轮', docNumber: '黔巡反馈〔2024〕3号', docDate: '2024-02-20' });
  });

  it('filters the ledger by round and by document, and counts it by each', async () => {
    const none = await createInspection({ title: '县委督查反馈问题', source: 'supervision', date: '2024-05-01' });
    await raiseTicket(t, inspector, {
      inspectionId: none.body.id,
      unitId: await unitId(t, '中厂镇第一社区'),
      title: '未标注轮次的问题',
      deadline: '2026-12-31',
    });

    const byRound = await ledger('round=第三轮');
    expect(byRound.status).toBe(200);
    expect((byRound.body.rows as Row[]).map((r) => [r.title, r.round, r.docNumber, r.docDate]).sort()).toEqual([
      ['临时救助台账不全', '第三轮', '黔巡反馈〔2026〕12号', '2026-03-10'],
      ['低保资格复核不及时', '第三轮', '黔巡反馈〔2026〕12号', '2026-03-10'],
    ]);
    const byDoc = await ledger(`docNumber=${encodeURIComponent('黔巡反馈[2024]3号')}`);
    expect((byDoc.body.rows as Row[]).map((r) => r.round)).toEqual(['第二轮', '第二轮']);
    expect((await ledger('round=第九轮')).body.total).toBe(0);

    const all = await ledger('');
    expect(all.body.totals.found).toBe(5);
    expect(all.body.totals.byRound.map((r: { round: string | null; found: number }) => [r.round, r.found])).toEqual([
      ['第二轮', 2],
      ['第三轮', 2],
      [null, 1],
    ]);
    expect(
      all.body.totals.byDocument.map((d: { docNumber: string | null; docDate: string | null; found: number }) => [
        d.docNumber,
        d.docDate,
        d.found,
      ]),
    ).toEqual([
      ['黔巡反馈〔2024〕3号', '2024-02-20', 2],
      ['黔巡反馈〔2026〕12号', '2026-03-10', 2],
      [null, null, 1],
    ]);
  });

  it('shows the round and document in the ledger sheet, with their summaries', async () => {
    const res = await t.http().get(`/api/v1/ledger?unitId=${township}&${year}&format=xlsx`).set(bearer(leader)).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.read(Readable.from([res.body as Buffer]));
    const ws = wb.getWorksheet('问题台账')!;
    const header = (ws.getRow(3).values as unknown[]).slice(1);
    const [roundAt, docAt, titleAt] = ['巡察轮次', '反馈文号', '问题描述'].map((h) => header.indexOf(h) + 1);
    expect(roundAt).toBeGreaterThan(0);
    const lines: unknown[][] = [];
    for (let r = 4; r < 9; r++)
      lines.push([ws.getRow(r).getCell(titleAt).value, ws.getRow(r).getCell(roundAt).value, ws.getRow(r).getCell(docAt).value]);
    expect(lines).toContainEqual(['低保资格复核不及时', '第三轮', '黔巡反馈〔2026〕12号（2026-03-10）']);
    expect(lines).toContainEqual(['未标注轮次的问题', null, null]);

    const summary = wb.getWorksheet('汇总')!;
    const rows: unknown[][] = [];
    summary.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows).toContainEqual(['按巡察轮次汇总']);
    expect(rows).toContainEqual(['第三轮', 2, 0, 0, 0, 0, 0, 0]);
    expect(rows).toContainEqual(['未标注轮次', 1, 0, 0, 0, 0, 0, 0]);
    expect(rows).toContainEqual(['黔巡反馈〔2024〕3号', '2024-02-20', '第二轮', 2, 0, 0, 0, 0, 0, 0]);
  });

  it.each([
    ['round=', 'round'],
    [`round=${'轮'.repeat(51)}`, 'round'],
    [`docNumber=${'号'.repeat(101)}`, 'docNumber'],
  ])('answers 400 for the ledger filter %s', async (query, field) => {
    const res = await ledger(query);
    expect(res.status).toBe(400);
    expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
  });
});
