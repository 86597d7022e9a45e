import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { bearer, csv, unitId, xlsx } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

/** Findings lists as offices save them, made with LibreOffice from test/fixtures/findings/*.html (see make.sh there). */
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', 'findings', name));

describe('findings import of lists as offices lay them out', () => {
  let t: TestApp;
  let inspector: string;
  let inspection: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { IMMEDIATE_DAYS: '7' } });
    inspector = await t.login('zc_inspector');
    const res = await t
      .http()
      .post('/api/v1/inspections')
      .set(bearer(inspector))
      .send({
        source: 'patrol',
        title: '州委第一巡察组巡察反馈问题',
        issuedBy: '州委第一巡察组',
        date: '2026-07-28',
        unitId: await unitId(t, '中厂镇'),
      });
    expect(res.status).toBe(201);
    inspection = res.body.id;
  });
  afterAll(() => t.close());

  const upload = (file: Buffer, name: string, query = '') =>
    t.http().post(`/api/v1/inspections/${inspection}/findings/import${query}`).set(bearer(inspector)).attach('file', file, name);
  const views = async (ids: string[]) =>
    (await Promise.all(ids.map((id) => t.http().get(`/api/v1/issues/${id}`).set(bearer(inspector))))).map((r) => r.body);
  const count = async () =>
    (await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM ticket WHERE inspection_id = $1`, [inspection]))[0].n as number;

  it.each(['office-layout.xlsx', 'office-layout.xls', 'office-layout.et', 'office-layout.ods'])(
    'reads %s: title and 填报单位 rows, sections, merged categories, rich text, notes',
    async (name) => {
      const res = await upload(fixture(name), name);
      expect(res.status).toBe(200);
      expect(res.body.created).toBe(5);
      const got = await views(res.body.issues);
      expect(got.map((v) => [v.title, v.unitName, v.category, v.supervisingLeader, v.deadline, v.rectificationClass])).toEqual([
        ['部分农户识别程序不规范，评议记录缺失', '中厂镇第一社区', '精准识别', '张建国', '2026-09-30', 'deadline'],
        ['动态调整不及时，12户未按期纳入监测', '中厂镇第二社区', '精准识别', '张建国', '2026-10-31', 'deadline'],
        ['信息采集表填写不完整', '中厂镇第三社区', '精准识别', '刘敏', expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), 'immediate'],
        ['危房改造补助资金发放滞后', '中厂镇第一社区', '政策落实', '刘敏', '2026-10-31', 'deadline'],
        ['政策宣传不到位，群众知晓率低', '中厂镇第二社区', '政策落实', '刘敏', expect.stringMatching(/-12-31$/), 'standing'],
      ]);
      expect(got[0]).toMatchObject({ responsible: '李四', measures: '逐户补齐评议记录' });
      // 立行立改 is due the configured seven days after the import, in the unit's own calendar.
      const [due] = await t.app
        .get(DataSource)
        .query(`SELECT deadline = (created_at AT TIME ZONE unit_tz)::date + 7 AS ok FROM ticket WHERE id = $1`, [res.body.issues[2]]);
      expect(due.ok).toBe(true);
    },
  );

  it.each(['sections-only.xlsx', 'sections-only.xls', 'sections-only.ods', 'sections-gbk.csv', 'sections-utf16.txt'])(
    'takes the category from the section heading where %s has no 问题类别 column',
    async (name) => {
      const res = await upload(fixture(name), name);
      expect(res.status).toBe(200);
      const got = await views(res.body.issues);
      expect(got.map((v) => [v.title, v.unitName, v.category, v.responsible, v.deadline])).toEqual([
        ['帮扶措施与农户需求不匹配', '中厂镇第四社区', '精准帮扶', '孙七', '2026-11-30'],
        ['帮扶手册记录不全', '中厂镇第五社区', '精准帮扶', '周八', '2026-11-30'],
        ['扶贫资金台账不清', '中厂镇第四社区', '资金管理', '孙七', '2026-12-15'],
      ]);
    },
  );

  // A cover sheet (说明) first, the list (问题清单) second and a spare list (备用) third, saved by LibreOffice.
  it.each(['two-sheets.xlsx', 'two-sheets.xls'])(
    'reads the sheet of %s that holds the findings header, or the one named by ?sheet=',
    async (name) => {
      const first = await upload(fixture(name), name, '?dryRun=true');
      expect(first.status).toBe(200);
      expect(first.body.rows.map((r: { title: string; units: string[]; deadline: string }) => [r.title, r.units, r.deadline])).toEqual([
        ['第二张表的问题', ['中厂镇第六社区'], '2026-12-01'],
      ]);
      const named = await upload(fixture(name), name, `?sheet=${encodeURIComponent('备用')}`);
      expect(named.status).toBe(200);
      expect((await views(named.body.issues)).map((v) => [v.title, v.unitName, v.deadline])).toEqual([
        ['第三张表的问题', '中厂镇第七社区', '2026-12-02'],
      ]);
      const missing = await upload(fixture(name), name, `?sheet=${encodeURIComponent('无此表')}`);
      expect(missing.status).toBe(422);
      expect(missing.body.details.rows[0].message).toMatch(/no sheet named "无此表".*"说明", "问题清单", "备用"/);
    },
  );

  it('finds a header written with line breaks and full-width brackets below a title', async () => {
    const res = await upload(
      csv([
        ['2026年第三轮巡察反馈问题整改清单', '', '', ''],
        ['序 号', '问题\n描述', '责任单位（部门）', '整改时限\n（截止时间）'],
        ['1', '村务公开不及时', '中厂镇第八社区', '2026年9月底前'],
        ['2', '会议记录不全', '中厂镇第八社区', '年底前'],
      ]),
      'list.csv',
    );
    expect(res.status).toBe(200);
    expect((await views(res.body.issues)).map((v) => [v.title, v.deadline])).toEqual([
      ['村务公开不及时', '2026-09-30'],
      ['会议记录不全', '2026-12-31'],
    ]);
  });

  it('reports a data row that is not a section with the row number the sheet shows', async () => {
    const before = await count();
    const res = await upload(
      csv([
        ['整改清单', '', '', ''],
        ['序号', '问题描述', '责任单位', '整改时限'],
        ['一、基础工作方面（共1个）', '', '', ''],
        ['1', '档案不全', '中厂镇第八社区', '下个月'],
      ]),
      'bad.csv',
    );
    expect(res.status).toBe(422);
    expect(res.body.details.rows).toEqual([
      { row: 4, no: '1', column: '整改时限', message: expect.stringContaining('"下个月" is not a date') },
    ]);
    expect(await count()).toBe(before);
  });

  it('names each bad row by its sheet row and 序号, in Chinese when Accept-Language prefers it', async () => {
    const list = csv([
      ['整改清单', '', '', ''],
      ['序号', '问题描述', '责任单位', '整改时限'],
      ['1', '档案不全', '中厂镇第八社区', '下个月'],
      ['2', '台账不清', '中厂镇第八社区', '2026-12-31'],
      ['', '公示不及时', '无此社区', '2026-12-31'],
    ]);
    const send = (language?: string) => {
      const req = t.http().post(`/api/v1/inspections/${inspection}/findings/import`).set(bearer(inspector));
      return (language ? req.set('accept-language', language) : req).attach('file', list, 'bad.csv');
    };
    const zh = await send('zh-CN,zh;q=0.9,en;q=0.8');
    expect(zh.status).toBe(422);
    expect(zh.body.message).toBe('文件中有 2 处问题，未导入任何内容');
    expect(zh.body.details.rows).toEqual([
      { row: 3, no: '1', column: '整改时限', message: expect.stringMatching(/^“下个月”不是日期/) },
      { row: 5, column: '责任单位', message: expect.stringMatching(/没有名为“无此社区”的单位/) },
    ]);
    for (const language of [undefined, 'en-GB,en;q=0.9,zh;q=0.5']) {
      const en = await send(language);
      expect(en.status).toBe(422);
      expect(en.body.message).toBe('2 problem(s) in the file; nothing was imported');
      expect(en.body.details.rows).toEqual([
        { row: 3, no: '1', column: '整改时限', message: expect.stringMatching(/^"下个月" is not a date/) },
        { row: 5, column: '责任单位', message: expect.stringMatching(/^no unit named "无此社区"/) },
      ]);
    }
  });

  it('keeps the guards: a formula reads as its cached value, a file that is no workbook is a 415', async () => {
    const file = await xlsx([
      ['序号', '问题描述', '责任单位', '整改时限'],
      [1, { formula: 'CONCATENATE("算","出")', result: '缓存的文字' }, '中厂镇第九社区', '2026-12-31'],
    ]);
    const res = await upload(file, 'formula.xlsx');
    expect(res.status).toBe(200);
    expect((await views(res.body.issues)).map((v) => v.title)).toEqual(['缓存的文字']);
    expect((await upload(Buffer.from('not a workbook at all'), 'list.xls')).status).toBe(415);
    const xls = fixture('office-layout.xls');
    expect((await upload(Buffer.concat([xls.subarray(0, 8), Buffer.alloc(600, 7)]), 'list.et')).status).toBe(415);
  });
});
