import iconv from 'iconv-lite';
import { DataSource } from 'typeorm';
import { bearer, csv, findingsRows, unitId, xlsx } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

describe('findings import', () => {
  let t: TestApp;
  let inspector: string;
  let inspection: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { IMPORT_MAX_UNPACKED_MB: '8' } });
    inspector = await t.login('zc_inspector');
    const res = await t
      .http()
      .post('/api/v1/inspections')
      .set(bearer(inspector))
      .send({
        source: 'patrol',
        title: '州委第一巡察组巡察反馈问题',
        issuedBy: '州委第一巡察组',
        docNumber: '巡反〔2026〕1号',
        date: '2026-07-28',
        unitId: await unitId(t, '中厂镇'),
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ source: 'patrol', sourceLabel: '巡察', issuedBy: '州委第一巡察组', unitName: '中厂镇' });
    inspection = res.body.id;
  });
  afterAll(() => t.close());

  const upload = (file: Buffer, name: string, query = '', key?: string) => {
    const req = t.http().post(`/api/v1/inspections/${inspection}/findings/import${query}`).set(bearer(inspector));
    if (key) req.set('idempotency-key', key);
    return req.attach('file', file, name);
  };
  const count = async () =>
    (await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM ticket WHERE inspection_id = $1`, [inspection]))[0].n as number;

  it('imports a CSV list into tickets of the named units, with source and codes', async () => {
    const before = await count();
    const res = await upload(csv(findingsRows(5)), 'list.csv');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: false, created: 5 });
    expect(res.body.issues).toHaveLength(5);
    expect(await count()).toBe(before + 5);
    const one = await t.http().get(`/api/v1/issues/${res.body.issues[0]}`).set(bearer(inspector));
    expect(one.body).toMatchObject({
      title: '第1项问题：危房改造和饮水安全排查不到位',
      source: 'patrol',
      unitName: '中厂镇第二社区',
      category: '政策落实',
      responsible: '责任人1',
      deadline: '2026-12-31',
      status: 'open',
      inspectionId: inspection,
    });
    expect(one.body.code).toMatch(/^中厂镇-\d{4}-\d{4}$/);
  });

  it('rejects a file with bad rows whole, naming each row as the sheet numbers it', async () => {
    const before = await count();
    const rows = findingsRows(6);
    rows[2][3] = '不存在社区'; // sheet row 3
    rows[3][6] = '下个月'; // row 4
    rows[4][1] = ''; // row 5
    rows[5][2] = '杂项'; // row 6
    rows[6][6] = '2026-02-30'; // row 7
    const res = await upload(csv(rows), 'bad.csv');
    expect(res.status).toBe(422);
    expect(res.body.details.rows).toEqual([
      { row: 3, no: '2', column: '责任单位', message: expect.stringContaining('不存在社区') },
      { row: 4, no: '3', column: '整改时限', message: expect.stringContaining('"下个月" is not a date') },
      { row: 5, no: '4', column: '问题描述', message: 'the problem is empty' },
      { row: 6, no: '5', column: '问题类别', message: expect.stringContaining('"杂项" is not a category') },
      { row: 7, no: '6', column: '整改时限', message: expect.stringContaining('2026-02-30') },
    ]);
    expect(await count()).toBe(before);
  });

  it('holds each row to the rules of every ticket: the category list and the lengths POST /issues applies', async () => {
    const before = await count();
    const rows = findingsRows(3).map((row, i) => [...row, i === 0 ? '包抓领导' : '']);
    rows[1][2] = '杂项'; // sheet row 2
    rows[2][4] = '张'.repeat(101); // row 3: 责任人
    rows[3][7] = '李'.repeat(101); // row 4: 包抓领导
    for (const query of ['?dryRun=true', '']) {
      const res = await upload(csv(rows), 'rules.csv', query);
      expect(res.status).toBe(422);
      expect(res.body.details.rows).toEqual([
        { row: 2, no: '1', column: '问题类别', message: expect.stringContaining('"杂项" is not a category') },
        { row: 3, no: '2', column: '责任人', message: 'is longer than 100 characters' },
        { row: 4, no: '3', column: '包抓领导', message: 'is longer than 100 characters' },
      ]);
    }
    expect(await count()).toBe(before);
    // The same category raised by hand is refused in the same words.
    const single = await t
      .http()
      .post('/api/v1/issues')
      .set(bearer(inspector))
      .send({ title: '台账不全', category: '杂项', unitId: await unitId(t, '中厂镇第一社区'), deadline: '2026-12-31' });
    expect(single.status).toBe(400);
    const imported = (await upload(csv(rows.slice(0, 2)), 'one.csv')).body.details.rows[0].message as string;
    expect(single.body.message).toBe(`category: ${imported}`);
    expect(await count()).toBe(before);
  });

  it('validates without writing on a dry run', async () => {
    const before = await count();
    const res = await upload(csv(findingsRows(3)), 'list.csv', '?dryRun=true');
    expect(res.body).toMatchObject({
      dryRun: true,
      created: 3,
      issues: [],
      repeats: [],
      feedback: { round: null, docNumber: null, docDate: null },
    });
    expect(res.body.rows.map((r: { row: number; no: string }) => [r.row, r.no])).toEqual([
      [2, '1'],
      [3, '2'],
      [4, '3'],
    ]);
    expect(await count()).toBe(before);
  });

  it('reads GBK CSV as Excel in China writes it, and the usual header variants', async () => {
    const text =
      '编号,存在问题,责任单位,责任人,完成时限\n1,帮扶措施不精准,中厂镇第三社区,李四,2026年9月30日\n2,台账不规范,白河县/中厂镇/中厂镇第四社区,王五,2026/9/1\n';
    const res = await upload(iconv.encode(text, 'gbk'), 'gbk.csv');
    expect(res.status).toBe(200);
    const [a, b] = await Promise.all(res.body.issues.map((id: string) => t.http().get(`/api/v1/issues/${id}`).set(bearer(inspector))));
    expect(a.body).toMatchObject({ title: '帮扶措施不精准', unitName: '中厂镇第三社区', deadline: '2026-09-30' });
    expect(b.body).toMatchObject({ unitName: '中厂镇第四社区', deadline: '2026-09-01' });
  });

  it('reads XLSX with dates as cells, serial numbers, Chinese text, and 立行立改 / 长期坚持', async () => {
    const file = await xlsx(
      [
        ['序号', '问题描述', '责任单位', '整改时限', '整改类型'],
        [1, '日期单元格', '中厂镇第一社区', new Date(Date.UTC(2026, 8, 15))],
        [2, '序列号日期', '中厂镇第一社区', 46296],
        [3, '中文日期', '中厂镇第一社区', '2026年10月1日'],
        [4, '立即整改', '中厂镇第一社区', '立行立改'],
        [5, '长期坚持', '中厂镇第一社区', '2026-12-31', '长期坚持'],
      ],
      (ws) => (ws.getCell('D2').numFmt = 'yyyy-mm-dd'),
    );
    const res = await upload(file, 'list.xlsx');
    expect(res.status).toBe(200);
    const views = await Promise.all(res.body.issues.map((id: string) => t.http().get(`/api/v1/issues/${id}`).set(bearer(inspector))));
    expect(views.map((v) => [v.body.title, v.body.deadline, v.body.rectificationClass])).toEqual([
      ['日期单元格', '2026-09-15', 'deadline'],
      ['序列号日期', '2026-10-01', 'deadline'],
      ['中文日期', '2026-10-01', 'deadline'],
      ['立即整改', expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), 'immediate'],
      ['长期坚持', '2026-12-31', 'standing'],
    ]);
  });

  it('treats hostile content as text: formulas read as their cached values and are never evaluated, odd headers do no harm', async () => {
    const before = await count();
    const file = await xlsx([
      ['序号', '问题描述', '责任单位', '整改时限', '__proto__', 'constructor'],
      [
        1,
        { formula: 'HYPERLINK("http://evil.example","点我")', result: '点我' },
        '中厂镇第一社区',
        { formula: 'DATE(2026,9,1)', result: '下个月' },
        'x',
        'y',
      ],
    ]);
    const res = await upload(file, 'hostile.xlsx');
    expect(res.status).toBe(422);
    expect(res.body.details.rows).toEqual([
      { row: 2, no: '1', column: '整改时限', message: expect.stringContaining('"下个月" is not a date') },
    ]);
    const typed = await upload(
      csv([
        ['问题描述', '责任单位', '整改时限'],
        ["=cmd|' /C calc'!A0", '中厂镇第一社区', '2026-12-31'],
      ]),
      'typed.csv',
    );
    expect(typed.status).toBe(422);
    expect(typed.body.details.rows).toEqual([{ row: 2, column: '问题描述', message: 'a formula, not text: paste the values' }]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(await count()).toBe(before);
  });

  it('refuses a zip bomb by its unpacked size and a non-sheet by its content', async () => {
    // Ten megabytes of text that pack into a few kilobytes, against a limit of eight.
    const bomb = await xlsx([
      ['问题描述', '责任单位', '整改时限'],
      ['x'.repeat(10 * 1024 * 1024), '中厂镇第一社区', '2026-12-31'],
    ]);
    expect(bomb.length).toBeLessThan(200 * 1024);
    const res = await upload(bomb, 'bomb.xlsx');
    expect(res.status).toBe(413);
    expect(res.body.message).toMatch(/unpacks to more than/);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    expect((await upload(png, 'list.csv')).status).toBe(415);
    expect((await upload(Buffer.from('问题描述,责任单位\n'), 'x.csv')).status).toBe(422);
  });

  it('returns the first result for a retried Idempotency-Key, even when the retries race', async () => {
    const before = await count();
    const file = csv(findingsRows(4));
    const first = await upload(file, 'list.csv', '', 'import-key-1');
    const again = await upload(file, 'list.csv', '', 'import-key-1');
    expect(again.body).toEqual(first.body);
    expect(await count()).toBe(before + 4);
    const racing = await Promise.all([1, 2, 3].map(() => upload(file, 'list.csv', '', 'import-key-2')));
    expect(racing.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const winners = racing.filter((r) => r.status === 200);
    expect(winners.length).toBeGreaterThan(0);
    for (const w of winners) expect(w.body).toEqual(winners[0].body);
    expect(await count()).toBe(before + 8);
    const misuse = await upload(csv(findingsRows(2)), 'other.csv', '', 'import-key-1');
    expect(misuse.status).toBe(409);
  });

  it('imports thousands of rows set-based in one transaction, numbering without gaps', async () => {
    const res = await upload(csv(findingsRows(2500)), 'big.csv');
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(2500);
    const codes = await t.app
      .get(DataSource)
      .query<Array<{ n: number }>>(`SELECT split_part(code, '-', 3)::int AS n FROM ticket WHERE id = ANY($1::uuid[]) ORDER BY 1`, [
        res.body.issues,
      ]);
    const numbers = codes.map((c) => c.n);
    expect(numbers[numbers.length - 1] - numbers[0]).toBe(2499);
  });

  it('is for inspectors, leaders and admins over the inspected unit', async () => {
    const viewer = await t.login('bh_viewer');
    const res = await t
      .http()
      .post(`/api/v1/inspections/${inspection}/findings/import`)
      .set(bearer(viewer))
      .attach('file', csv(findingsRows(1)), 'x.csv');
    expect(res.status).toBe(403);
  });
});
