import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FakeClock } from '@app/platform';
import { DataSource } from 'typeorm';
import { bearer, closeOutTicket, createInspection, raiseTicket, transition, unitId } from './support/fixtures';
import { binary, pdfText } from './support/downloads';
import { startTestApp, TestApp } from './support/test-app';

interface Row {
  seq: number;
  code: string;
  title: string;
  unitName: string;
  sourceLabel: string;
  statusLabel: string;
  closeOut: string | null;
  closeOutLabel: string | null;
  closedOn: string | null;
  verifier: string | null;
  foundOn: string;
  deadline: string | null;
  originalDeadline: string | null;
  inspectionTitle: string | null;
  overdue: boolean;
}

const HEADERS = [
  '序号',
  '问题编号',
  '问题来源',
  '检查批次',
  '巡察轮次',
  '反馈文号',
  '问题描述',
  '问题类别',
  '责任单位',
  '责任人',
  '发现日期',
  '原定整改时限',
  '整改时限',
  '整改措施',
  '整改状态',
  '销号日期',
  '销号情况',
  '验收人',
  '屡查屡犯',
  '佐证预警',
];

const cellText = (v: ExcelJS.CellValue): string | number | null => (v === undefined || v === null ? null : (v as string | number));

describe('the problem and close-out ledger', () => {
  // 10:00 on 1 August 2026 in Shanghai.
  const clock = new FakeClock('2026-08-01T02:00:00Z');
  let t: TestApp;
  let inspector: string;
  let leader: string;
  let team1: string;
  let admin: string;
  let township: string;
  let c1: string;
  let c2: string;
  let other: string;
  let onTimeId: string;
  const march = 'from=2025-03-01&to=2025-03-31';

  const get = (token: string, query: string) => t.http().get(`/api/v1/ledger?${query}`).set(bearer(token));
  const download = (token: string, query: string) => get(token, query).buffer(true).parse(binary);

  const raise = (token: string, body: Record<string, unknown>) => raiseTicket(t, token, body);

  const act = (token: string, id: string, body: Record<string, unknown>) => transition(t, token, id, body);

  const closeOut = (id: string) => closeOutTicket(t, team1, inspector, id);

  beforeAll(async () => {
    t = await startTestApp({ clock });
    [inspector, leader, team1, admin] = await Promise.all(['zc_inspector', 'zc_leader', 'zc_team1', 'admin'].map((u) => t.login(u)));
    township = await unitId(t, '中厂镇');
    c1 = await unitId(t, '中厂镇第一社区');
    c2 = await unitId(t, '中厂镇第二社区');
    other = await unitId(t, '椿木营乡');

    // Two inspections of March 2025 in 中厂镇, one in another township; the demo's own tickets
    // were found in 2026, so the March window holds these alone.
    const patrol = await createInspection(t, inspector, {
      source: 'patrol',
      date: '2025-03-10',
      unitId: township,
      title: '县委巡察组反馈问题',
    });
    const audit = await createInspection(t, inspector, { source: 'audit', date: '2025-03-20', unitId: township, title: '审计反馈问题' });
    const onTime = await raise(inspector, { inspectionId: patrol, unitId: c1, title: '危房改造"回头看",未完成', deadline: '2026-09-30' });
    const late = await raise(inspector, { inspectionId: patrol, unitId: c1, title: '=2户饮水安全未达标', deadline: '2026-07-31' });
    await raise(inspector, { inspectionId: patrol, unitId: c2, title: '产业奖补资金未公示', deadline: '2026-07-15' });
    await raise(inspector, { inspectionId: audit, unitId: c2, title: '扶贫项目资产台账不全', deadline: '2026-12-31' });
    const cancelled = await raise(inspector, { inspectionId: audit, unitId: c1, title: '重复录入的问题', deadline: '2026-07-01' });
    onTimeId = onTime;
    await closeOut(onTime);
    await closeOut(late);
    await act(leader, cancelled, { action: 'cancel', reason: '与另一问题重复' });
    const away = await createInspection(t, admin, { source: 'patrol', date: '2025-03-15', unitId: other, title: '州委巡察组反馈问题' });
    await raise(admin, { inspectionId: away, unitId: await unitId(t, '勾腰坝村'), title: '别的乡镇的问题', deadline: '2026-09-30' });
  }, 60_000);
  afterAll(() => t.close());

  it('lists every ticket of the township with the totals officials quote', async () => {
    const res = await get(leader, `unitId=${township}&${march}`);
    expect(res.status).toBe(200);
    const rows = res.body.rows as Row[];
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows.map((r) => r.code)).toEqual([...rows.map((r) => r.code)].sort());
    const byTitle = new Map(rows.map((r) => [r.title, r]));
    expect(byTitle.get('危房改造"回头看",未完成')).toMatchObject({
      unitName: '中厂镇第一社区',
      sourceLabel: '巡察',
      inspectionTitle: '县委巡察组反馈问题',
      foundOn: '2025-03-10',
      statusLabel: '已销号',
      closeOut: 'on_time',
      closeOutLabel: '按期销号',
      closedOn: '2026-08-01',
      verifier: '中厂镇效能督查组',
      deadline: '2026-09-30',
      originalDeadline: '2026-09-30',
    });
    expect(byTitle.get('=2户饮水安全未达标')).toMatchObject({ closeOut: 'late', closeOutLabel: '逾期销号' });
    expect(byTitle.get('产业奖补资金未公示')).toMatchObject({ statusLabel: '待整改', overdue: true, closeOut: null, verifier: null });
    expect(byTitle.get('重复录入的问题')).toMatchObject({ statusLabel: '已撤销', overdue: false });
    expect(res.body.totals).toMatchObject({
      found: 5,
      closed: 2,
      closedOnTime: 1,
      closedLate: 1,
      open: 2,
      overdue: 1,
      cancelled: 1,
      closureRate: 0.5,
      sentence: '排查出问题5个，已整改销号2个，其中按期销号1个、逾期销号1个，销号率50%，逾期未整改1个，撤销1个。',
    });
    expect(res.body.totals.bySource.map((s: { label: string; found: number }) => [s.label, s.found])).toEqual([
      ['巡察', 3],
      ['审计', 2],
    ]);
    expect(res.body.totals.byUnit.map((u: { unitName: string; found: number; closed: number }) => [u.unitName, u.found, u.closed])).toEqual(
      [
        ['中厂镇第一社区', 3, 2],
        ['中厂镇第二社区', 2, 0],
      ],
    );
  });

  it('filters by unit subtree, source and period', async () => {
    const titles = async (query: string) => ((await get(leader, query)).body.rows as Row[]).map((r) => r.title).sort();
    expect(await titles(`unitId=${c1}&${march}`)).toEqual(['=2户饮水安全未达标', '危房改造"回头看",未完成', '重复录入的问题'].sort());
    expect(await titles(`unitId=${township}&subtree=false&${march}`)).toEqual([]);
    expect(await titles(`unitId=${township}&source=audit&${march}`)).toEqual(['扶贫项目资产台账不全', '重复录入的问题'].sort());
    expect(await titles(`from=2025-03-15&to=2025-03-31`)).toEqual(['扶贫项目资产台账不全', '重复录入的问题'].sort());
    expect(await titles(`from=2025-03-01&to=2025-03-12`)).toHaveLength(3);
    const county = await get(admin, march);
    expect(county.body.totals.found).toBe(6);
    expect(county.body.totals.byUnit.map((u: { unitName: string }) => u.unitName)).toContain('勾腰坝村');
  });

  it('keeps to the caller’s scope: a village team sees its own tickets, another unit is unknown', async () => {
    const own = await get(team1, march);
    expect(own.status).toBe(200);
    expect(new Set((own.body.rows as Row[]).map((r) => r.unitName))).toEqual(new Set(['中厂镇第一社区']));
    expect(own.body.totals.found).toBe(3);
    for (const unit of [c2, township, other, '7f0c1f5e-0000-4000-8000-000000000000']) {
      const res = await get(team1, `unitId=${unit}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    }
    expect((await download(team1, `unitId=${c2}&format=xlsx`)).status).toBe(404);
    expect((await get(leader, `unitId=${other}&format=csv`)).status).toBe(404);
    expect((await t.http().get('/api/v1/ledger')).status).toBe(401);
  });

  it.each([
    ['format=pdf', 'format'],
    ['from=2025-13-01', 'from'],
    ['to=20250301', 'to'],
    ['source=rumour', 'source'],
    ['unitId=abc', 'unitId'],
    ['pageSize=1000', 'pageSize'],
    ['subtree=maybe', 'subtree'],
    ['colour=red', 'colour'],
    ['from=2025-04-01&to=2025-03-01', 'from'],
    ['from=2025-04-01&to=2025-03-01&format=xlsx', 'from'],
  ])('answers 400 in the API’s error shape for %s', async (query, field) => {
    const res = await get(leader, query);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(typeof res.body.message).toBe('string');
    expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
  });

  it('points a caller who asks for too large a page to the files', async () => {
    const res = await get(leader, 'pageSize=5000');
    expect(res.body.details.fields).toEqual([
      { field: 'pageSize', messages: ['pageSize must not be greater than 500; format=xlsx or format=csv gives the whole ledger'] },
    ]);
  });

  it('gives an XLSX that reads back with the rows and totals of the JSON', async () => {
    const json = await get(leader, `unitId=${township}&${march}`);
    const res = await download(leader, `unitId=${township}&${march}&format=xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="____________2026-08-01.xlsx"; filename*=UTF-8''${encodeURIComponent('中厂镇问题整改销号台账_2026-08-01.xlsx')}`,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.read(Readable.from([res.body as Buffer]));
    const ws = wb.getWorksheet('问题台账')!;
    expect(ws.getCell('A1').value).toBe('中厂镇问题整改销号台账');
    expect(ws.getCell('A2').value as string).toContain('发现日期：2025-03-01至2025-03-31');
    expect((ws.getRow(3).values as unknown[]).slice(1)).toEqual(HEADERS);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
    expect(ws.getColumn(7).width).toBe(40);
    const rows = json.body.rows as Row[];
    rows.forEach((r, i) => {
      const line = ws.getRow(4 + i);
      expect([line.getCell(1).value, line.getCell(2).value, line.getCell(7).value, line.getCell(9).value]).toEqual([
        r.seq,
        r.code,
        r.title,
        r.unitName,
      ]);
      expect(cellText(line.getCell(15).value)).toBe(r.statusLabel);
      expect(cellText(line.getCell(16).value)).toBe(r.closedOn);
      expect(cellText(line.getCell(18).value)).toBe(r.verifier);
      if (r.closeOutLabel) expect(line.getCell(17).value).toBe(r.closeOutLabel);
      if (r.overdue) expect(line.getCell(17).value as string).toMatch(/^逾期未整改（\d+天）$/);
    });
    const totals = ws.getRow(4 + rows.length);
    expect(totals.getCell(1).value).toBe('合计');
    expect(totals.getCell(2).value).toBe(`问题${json.body.totals.found}个`);
    expect(totals.getCell(15).value).toBe(`已销号${json.body.totals.closed}个`);
    expect(ws.getRow(5 + rows.length).getCell(1).value).toBe(json.body.totals.sentence);

    const summary = wb.getWorksheet('汇总')!;
    const lines: unknown[][] = [];
    summary.eachRow((row) => lines.push((row.values as unknown[]).slice(1)));
    expect(lines).toContainEqual(['巡察', 3, 2, 1, 1, 1, 0, 0.6667]);
    expect(lines).toContainEqual(['中厂镇第一社区', 3, 2, 1, 1, 0, 1, 1]);
    expect(lines).toContainEqual(['合计', 5, 2, 1, 1, 1, 1, 0.5]);
  });

  it('gives a CSV in UTF-8 with a BOM that parses back to the same rows', async () => {
    const json = await get(leader, `unitId=${township}&${march}`);
    const res = await download(leader, `unitId=${township}&${march}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('中厂镇问题整改销号台账_2026-08-01.csv')}`);
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records: string[][] = parse(body, { bom: true, relax_column_count: true, skip_empty_lines: true });
    expect(records[0]).toEqual(HEADERS);
    const rows = json.body.rows as Row[];
    rows.forEach((r, i) => {
      const rec = records[1 + i];
      // A text that a spreadsheet would run as a formula is kept as text.
      expect([rec[0], rec[1], rec[6], rec[8], rec[14]]).toEqual([
        String(r.seq),
        r.code,
        r.title.startsWith('=') ? `'${r.title}` : r.title,
        r.unitName,
        r.statusLabel,
      ]);
    });
    expect(records[1 + rows.length].slice(0, 2)).toEqual(['合计', '问题5个']);
    expect(records[2 + rows.length]).toEqual([json.body.totals.sentence]);
    expect(records).toContainEqual(['审计', '2', '0', '0', '0', '0', '1', '0']);
  });

  it('streams a ledger longer than one fetch, in code order, agreeing with the paged JSON', async () => {
    const db = t.app.get(DataSource);
    const [unit] = await db.query<Array<{ path: string; timezone: string }>>(`SELECT path, timezone FROM org_unit WHERE id = $1`, [c2]);
    await db.query(
      `INSERT INTO ticket (code, source, title, unit_id, unit_path, unit_tz, rectification_class, deadline, status, closed_at, closed_on_time, created_at, updated_at)
       SELECT '中厂镇-2024-' || lpad(i::text, 5, '0'), 'verification', '专项核查问题' || i, $1, $2, $3, 'deadline', '2024-06-30',
              CASE WHEN i % 3 = 0 THEN 'closed' ELSE 'in_progress' END,
              CASE WHEN i % 3 = 0 THEN '2024-06-01T02:00:00Z'::timestamptz END, CASE WHEN i % 3 = 0 THEN true END,
              '2024-05-01T02:00:00Z', '2024-05-01T02:00:00Z'
         FROM generate_series(1, 4500) AS i`,
      [c2, unit.path, unit.timezone],
    );
    const filter = 'source=verification&from=2024-01-01&to=2024-12-31';
    const res = await download(leader, `${filter}&format=csv`);
    expect(res.status).toBe(200);
    const records: string[][] = parse(res.body as Buffer, { bom: true, relax_column_count: true, skip_empty_lines: true });
    const data = records.slice(1, 4501);
    expect(data.map((r) => Number(r[0]))).toEqual(Array.from({ length: 4500 }, (_, i) => i + 1));
    expect(data.map((r) => r[1])).toEqual(Array.from({ length: 4500 }, (_, i) => `中厂镇-2024-${String(i + 1).padStart(5, '0')}`));
    expect(records[4501][0]).toBe('合计');
    const page = await get(leader, `${filter}&page=5&pageSize=500`);
    expect(page.body.total).toBe(4500);
    expect(page.body.totals).toMatchObject({ found: 4500, closed: 1500, overdue: 3000 });
    expect(records[4502]).toEqual([page.body.totals.sentence]);
    expect((page.body.rows as Row[]).map((r) => [String(r.seq), r.code])).toEqual(data.slice(2000, 2500).map((r) => [r[0], r[1]]));
  });
  it('flags a ticket that repeats a closed one and whose photo backs another ticket, in the JSON, the files and the document', async () => {
    const photo = readFileSync(join(__dirname, 'fixtures', 'photos', 'field.jpg'));
    const issue = async (id: string) => (await t.http().get(`/api/v1/issues/${id}`).set(bearer(leader))).body;
    const closedCode = (await issue(onTimeId)).code as string;
    // Found today, 1 August 2026: the same unit's problem closed out this morning, reworded.
    const repeat = await raise(inspector, { unitId: c1, title: '危房改造"回头看"仍未完成', deadline: '2026-09-30' });
    const clean = await raise(inspector, { unitId: c1, title: '村级公示栏低保名单未更新', deadline: '2026-09-30' });
    expect((await issue(repeat)).repeatOf).toEqual([onTimeId]);
    for (const [id, name] of [
      [clean, 'IMG_20260801_093000.jpg'],
      [repeat, 'IMG_20260801_100000.jpg'],
    ]) {
      await act(team1, id, { action: 'start' });
      const up = await t.http().post(`/api/v1/issues/${id}/evidence`).set(bearer(team1)).attach('file', photo, name);
      expect(up.status).toBe(201);
    }
    const warnings = (await issue(repeat)).evidenceWarnings;
    expect(warnings.map((w: { code: string }) => w.code)).toEqual(['duplicate']);
    expect((await issue(clean)).evidenceWarnings).toEqual([]);

    const today = `unitId=${c1}&from=2026-08-01&to=2026-08-01`;
    const json = await get(leader, `${today}&pageSize=500`);
    expect(json.status).toBe(200);
    const rows = json.body.rows as Array<Row & { id: string; repeatOf: string[]; evidenceWarnings: unknown[] }>;
    const flagged = rows.find((r) => r.id === repeat)!;
    const plain = rows.find((r) => r.id === clean)!;
    // The ledger's warnings are the ticket page's, by the same rule.
    expect(flagged).toMatchObject({ repeatOf: [closedCode], evidenceWarnings: warnings });
    expect(flagged.evidenceWarnings).toEqual([
      expect.objectContaining({ code: 'duplicate', filename: 'IMG_20260801_100000.jpg', ticketIds: [clean] }),
    ]);
    expect(plain).toMatchObject({ repeatOf: [], evidenceWarnings: [] });

    const repeatColumn = HEADERS.indexOf('屡查屡犯') + 1;
    const warningColumn = HEADERS.indexOf('佐证预警') + 1;
    const xlsx = await download(leader, `${today}&format=xlsx`);
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.read(Readable.from([xlsx.body as Buffer]));
    const ws = wb.getWorksheet('问题台账')!;
    expect((ws.getRow(3).values as unknown[]).slice(1)).toEqual(HEADERS);
    const line = (code: string) => {
      const i = rows.findIndex((r) => r.code === code);
      expect(ws.getRow(4 + i).getCell(2).value).toBe(code);
      return [cellText(ws.getRow(4 + i).getCell(repeatColumn).value), cellText(ws.getRow(4 + i).getCell(warningColumn).value)];
    };
    expect(line(flagged.code)).toEqual([`重复${closedCode}`, '重复使用']);
    expect(line(plain.code)).toEqual([null, null]);

    const csv = await download(leader, `${today}&format=csv`);
    const records: string[][] = parse(csv.body as Buffer, { bom: true, relax_column_count: true, skip_empty_lines: true });
    const record = (code: string) => records.find((r) => r[1] === code)!;
    expect([record(flagged.code)[repeatColumn - 1], record(flagged.code)[warningColumn - 1]]).toEqual([`重复${closedCode}`, '重复使用']);
    expect([record(plain.code)[repeatColumn - 1], record(plain.code)[warningColumn - 1]]).toEqual(['', '']);

    // The ledger issued as a document of record says the same in its HTML and its PDF.
    const doc = await t.http().post('/api/v1/documents').set(bearer(inspector)).send({ kind: 'ledger', unitId: c1, period: '2026-08' });
    expect(doc.status).toBe(201);
    const html = (await t.http().get(`/api/v1/documents/${doc.body.id}/html`).set(bearer(leader))).text;
    const tr = (code: string) => html.match(new RegExp(`<tr[^>]*><td class="center">\\d+</td><td>${code}</td>.*?</tr>`))![0];
    expect(tr(flagged.code)).toContain(
      `<div><strong>屡查屡犯</strong>：重复${closedCode}</div><div><strong>佐证预警</strong>：重复使用</div>`,
    );
    expect(tr(plain.code)).not.toMatch(/屡查屡犯|佐证预警/);
    const pdf = await t.http().get(`/api/v1/documents/${doc.body.id}/pdf`).set(bearer(leader)).buffer(true).parse(binary);
    expect(pdf.status).toBe(200);
    const text = pdfText(pdf.body as Buffer, 'raw').replace(/\s+/g, '');
    expect(text).toContain(`危房改造"回头看"仍未完成屡查屡犯：重复${closedCode}佐证预警：重复使用`);
    expect(text).toMatch(/村级公示栏低保名单未更新(?!屡查屡犯|佐证预警)/);
  });
});
