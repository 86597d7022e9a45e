import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { DocumentDetail, DocumentIssuer, LedgerRow, LedgerTotals } from '@app/documents';
import { FakeClock } from '@app/platform';
import { bearer, closeOutTicket, createInspection, raiseTicket, unitId } from './support/fixtures';
import { binary, pdfText } from './support/downloads';
import { startTestApp, TestApp } from './support/test-app';

type Doc = DocumentDetail & { snapshot: { data: { rows: LedgerRow[]; totals: LedgerTotals; subtitle: string } } };

describe('the ledger as a document of record', () => {
  // 10:00 on 1 August 2026 in Shanghai.
  const clock = new FakeClock('2026-08-01T02:00:00Z');
  let t: TestApp;
  let inspector: string;
  let leader: string;
  let team1: string;
  let township: string;
  let c1: string;
  let c2: string;
  let openTicket: string;
  let first: Doc;
  const march = { from: '2025-03-01', to: '2025-03-31' };
  const db = () => t.app.get(DataSource);

  const get = (token: string, path: string) => t.http().get(`/api/v1${path}`).set(bearer(token));
  const issue = (token: string, body: Record<string, unknown>) =>
    t
      .http()
      .post('/api/v1/documents')
      .set(bearer(token))
      .send({ kind: 'ledger', ...body });

  const raise = (body: Record<string, unknown>) => raiseTicket(t, inspector, body);

  const closeOut = (id: string) => closeOutTicket(t, team1, inspector, id);

  beforeAll(async () => {
    t = await startTestApp({ clock });
    [inspector, leader, team1] = await Promise.all(['zc_inspector', 'zc_leader', 'zc_team1'].map((u) => t.login(u)));
    township = await unitId(t, '中厂镇');
    c1 = await unitId(t, '中厂镇第一社区');
    c2 = await unitId(t, '中厂镇第二社区');
    // March 2025 in 中厂镇 holds these tickets alone: the demo's own were found in 2026.
    const patrol = await createInspection(t, inspector, {
      source: 'patrol',
      date: '2025-03-10',
      unitId: township,
      title: '县委巡察组反馈问题',
    });
    const audit = await createInspection(t, inspector, { source: 'audit', date: '2025-03-20', unitId: township, title: '审计反馈问题' });
    const onTime = await raise({ inspectionId: patrol, unitId: c1, title: '危房改造回头看未完成', deadline: '2026-09-30' });
    const late = await raise({ inspectionId: patrol, unitId: c1, title: '2户饮水安全未达标', deadline: '2026-07-31' });
    await raise({ inspectionId: patrol, unitId: c2, title: '产业奖补资金未公示', deadline: '2026-07-15' });
    openTicket = await raise({ inspectionId: audit, unitId: c1, title: '扶贫项目资产台账不全', deadline: '2026-12-31' });
    await closeOut(onTime);
    await closeOut(late);
  }, 60_000);
  afterAll(() => t.close());

  it('issues the ledger of a township for a month, numbered as a ledger, with the rows and totals of GET /ledger', async () => {
    const res = await issue(leader, { unitId: township, period: '2025-03' });
    expect(res.status).toBe(201);
    first = res.body;
    expect(first).toMatchObject({
      kind: 'ledger',
      unitId: township,
      period: '2025-03',
      number: 1,
      numberLabel: '台账〔2025〕1号',
      title: '中厂镇2025年3月问题整改台账',
      issuer: '中厂镇脱贫攻坚领导小组办公室',
      issuedAt: '2026-08-01T02:00:00.000Z',
      corrects: null,
    });
    const live = await get(leader, `/ledger?unitId=${township}&from=${march.from}&to=${march.to}&pageSize=500`);
    expect(live.status).toBe(200);
    expect(first.snapshot.data.rows).toHaveLength(4);
    expect(first.snapshot.data.rows).toEqual(live.body.rows);
    expect(first.snapshot.data.totals).toEqual(live.body.totals);
    expect(first.snapshot.data.totals).toMatchObject({ found: 4, closed: 2, closedOnTime: 1, closedLate: 1, overdue: 1 });

    const html = await get(leader, `/documents/${first.id}/html`);
    expect(html.status).toBe(200);
    expect(createHash('sha256').update(html.text, 'utf8').digest('hex')).toBe(first.sha256);
    expect(t.app.get(DocumentIssuer).render(first.snapshot).sha256).toBe(first.sha256);
    const sentence = '排查出问题4个，已整改销号2个，其中按期销号1个、逾期销号1个，销号率50%，逾期未整改1个。';
    expect(first.snapshot.data.totals.sentence).toBe(sentence);
    for (const text of [
      '中厂镇2025年3月问题整改台账',
      '台账〔2025〕1号',
      '2026年8月1日',
      `2025年3月，中厂镇（含下辖单位）${sentence}`,
      '一、按问题来源汇总',
      '二、按责任单位汇总',
      '三、问题整改销号明细',
      '按期销号',
      '逾期销号',
      '逾期未整改（17天）',
      '中厂镇效能督查组',
      ...live.body.rows.map((r: LedgerRow) => r.code),
    ])
      expect(html.text).toContain(text);
  });

  it('gives the ledger document as a workbook and a CSV with its rows and totals', async () => {
    const rows = first.snapshot.data.rows;
    const res = await get(leader, `/documents/${first.id}/xlsx`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.read(Readable.from([res.body as Buffer]));
    const ws = wb.getWorksheet('问题台账')!;
    expect(ws.getCell('A1').value).toBe('中厂镇2025年3月问题整改台账');
    expect(ws.getCell('A2').value).toBe('中厂镇脱贫攻坚领导小组办公室 台账〔2025〕1号');
    rows.forEach((r, i) => {
      const line = ws.getRow(4 + i);
      expect([line.getCell(1).value, line.getCell(2).value, line.getCell(7).value, line.getCell(9).value]).toEqual([
        r.seq,
        r.code,
        r.title,
        r.unitName,
      ]);
    });
    expect(ws.getRow(4 + rows.length).getCell(2).value).toBe('问题4个');
    expect(ws.getRow(5 + rows.length).getCell(1).value).toBe(first.snapshot.data.totals.sentence);

    const csv = await get(leader, `/documents/${first.id}/csv`).buffer(true).parse(binary);
    expect(csv.status).toBe(200);
    const records: string[][] = parse(csv.body as Buffer, { bom: true, relax_column_count: true, skip_empty_lines: true });
    expect(records.slice(1, 1 + rows.length).map((r) => r[1])).toEqual(rows.map((r) => r.code));
  });

  it('prints the ledger document to PDF', async () => {
    const res = await get(leader, `/documents/${first.id}/pdf`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const flat = pdfText(res.body as Buffer).replace(/\s+/g, '');
    expect(flat).toContain('中厂镇2025年3月问题整改台账');
    expect(flat).toContain('台账〔2025〕1号');
  });

  it('refuses a second issue, and a correction re-reads the tickets under a new number', async () => {
    const again = await issue(inspector, { unitId: township, period: '2025-03' });
    expect(again.status).toBe(409);
    expect(again.body.details.documentId).toBe(first.id);

    clock.set('2026-08-03T02:00:00Z');
    await closeOut(openTicket);
    const res = await issue(inspector, { unitId: township, period: '2025-03', corrects: first.id });
    expect(res.status).toBe(201);
    const corrected: Doc = res.body;
    expect(corrected).toMatchObject({
      number: 2,
      numberLabel: '台账〔2025〕2号',
      corrects: { id: first.id, numberLabel: '台账〔2025〕1号' },
      issuedAt: '2026-08-03T02:00:00.000Z',
    });
    expect(corrected.snapshot.data.totals).toMatchObject({ found: 4, closed: 3 });
    const live = await get(leader, `/ledger?unitId=${township}&from=${march.from}&to=${march.to}`);
    expect(corrected.snapshot.data.rows).toEqual(live.body.rows);
    // The first keeps what it said when it was issued.
    expect((await get(leader, `/documents/${first.id}`)).body).toMatchObject({
      sha256: first.sha256,
      correctedBy: { id: corrected.id, numberLabel: '台账〔2025〕2号' },
    });
    expect((await get(leader, `/documents/${first.id}`)).body.snapshot.data.totals.closed).toBe(2);
    const html = (await get(leader, `/documents/${corrected.id}/html`)).text;
    expect(html).toContain('本件为对台账〔2025〕1号《中厂镇2025年3月问题整改台账》的更正，以本件为准。');

    const twice = await issue(leader, { unitId: township, period: '2025-03', corrects: first.id });
    expect(twice.status).toBe(409);
    expect(twice.body.details.documentId).toBe(corrected.id);
  });

  it('issues the ledger of a year, and of a village by its township’s office', async () => {
    const year = await issue(leader, { unitId: township, period: '2025', locale: 'en' });
    expect(year.status).toBe(201);
    expect(year.body).toMatchObject({
      period: '2025',
      number: 3,
      numberLabel: 'Ledger [2025] No. 3',
      title: 'Problem ledger of 中厂镇, 2025',
    });
    const live = await get(leader, `/ledger?unitId=${township}&from=2025-01-01&to=2025-12-31`);
    expect(year.body.snapshot.data.rows).toEqual(live.body.rows);
    const html = (await get(leader, `/documents/${year.body.id}/html`)).text;
    expect(html).toContain('1. By source');
    expect(html).toContain('overdue (19 days)');

    const village = await issue(inspector, { unitId: c1, period: '2025-03' });
    expect(village.status).toBe(201);
    expect(village.body).toMatchObject({
      unitId: c1,
      title: '中厂镇第一社区2025年3月问题整改台账',
      issuer: '中厂镇脱贫攻坚领导小组办公室',
      number: 4,
    });
    expect(village.body.snapshot.data.rows.map((r: LedgerRow) => r.unitName)).toEqual(Array(3).fill('中厂镇第一社区'));

    // Only a ledger covers a year.
    const bulletin = await t
      .http()
      .post('/api/v1/documents')
      .set(bearer(leader))
      .send({ kind: 'bulletin', unitId: township, period: '2025' });
    expect(bulletin.status).toBe(400);
    expect(bulletin.body.details.fields.map((f: { field: string }) => f.field)).toContain('period');
    expect((await issue(leader, { unitId: township, period: '2025-13' })).status).toBe(400);
  });

  it('lets a member of a village read but not issue, and hides units out of scope', async () => {
    expect((await issue(team1, { unitId: c1, period: '2025-04' })).status).toBe(403);
    expect((await issue(team1, { unitId: township, period: '2025-04' })).status).toBe(404);
    expect((await issue(await t.login('cmy_leader'), { unitId: township, period: '2025-04' })).status).toBe(404);
    expect((await get(team1, `/documents/${first.id}`)).status).toBe(404);
  });

  it('refuses a ledger document over 5,000 rows, pointing to the spreadsheet, without taking a number', async () => {
    const [unit] = await db().query<Array<{ path: string; timezone: string }>>(`SELECT path, timezone FROM org_unit WHERE id = $1`, [c2]);
    await db().query(
      `INSERT INTO ticket (code, source, title, unit_id, unit_path, unit_tz, rectification_class, deadline, status, search_grams, created_at, updated_at)
       SELECT '中厂镇-2024-' || lpad(i::text, 5, '0'), 'verification', '专项核查问题' || i, $1, $2, $3, 'deadline', '2024-06-30',
              'in_progress', '{}', '2024-05-01T02:00:00Z', '2024-05-01T02:00:00Z'
         FROM generate_series(1, 5001) AS i`,
      [c2, unit.path, unit.timezone],
    );
    const res = await issue(leader, { unitId: township, period: '2024-05' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/5001 rows; a ledger document holds at most 5000/);
    expect(res.body.message).toContain(`GET /api/v1/ledger?unitId=${township}&from=2024-05-01&to=2024-05-31&format=xlsx`);
    const taken = await db().query(`SELECT 1 FROM document_sequence WHERE kind = 'ledger' AND year = 2024`);
    expect(taken).toEqual([]);
  });
});
