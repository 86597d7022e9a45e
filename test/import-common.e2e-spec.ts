import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { bearer, createInspection, csv, raiseTicket, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

/** common-problems.* made with LibreOffice from test/fixtures/findings/common-problems.html (see make.sh there). */
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', 'findings', name));
const VILLAGES = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'].map((n) => `中厂镇第${n}社区`);

describe('findings import: common problems, progress notes and the dry run', () => {
  let t: TestApp;
  let inspector: string;
  let township: string;
  let openTicket: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { IMMEDIATE_DAYS: '7' } });
    inspector = await t.login('zc_inspector');
    township = await unitId(t, '中厂镇');
    openTicket = await raiseTicket(t, inspector, {
      title: '扶贫资金台账登记不清楚',
      unitId: await unitId(t, '中厂镇第三社区'),
      deadline: '2026-12-31',
    });
  });
  afterAll(() => t.close());

  const inspection = (title: string) =>
    createInspection(t, inspector, { source: 'patrol', title, issuedBy: '县委第二巡察组', date: '2026-07-28', unitId: township });
  const upload = (id: string, file: Buffer, name: string, query = '') =>
    t.http().post(`/api/v1/inspections/${id}/findings/import${query}`).set(bearer(inspector)).attach('file', file, name);
  const get = async (id: string) => (await t.http().get(`/api/v1/issues/${id}`).set(bearer(inspector))).body;

  it('shows each row of a dry run as it will be imported, with its likely duplicates, and writes nothing', async () => {
    const id = await inspection('县委第二巡察组巡察反馈问题（预览）');
    const res = await upload(id, fixture('common-problems.xlsx'), 'common-problems.xlsx', '?dryRun=true');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: true, created: 4, issues: [] });
    const { code } = await get(openTicket);
    expect(res.body.rows).toEqual([
      {
        row: 5,
        no: '1',
        title: '村级档案管理混乱，会议记录缺失',
        units: [...VILLAGES].sort((a, b) => a.localeCompare(b, 'zh')),
        common: true,
        category: '基础工作',
        rectificationClass: 'deadline',
        classLabel: '限期整改',
        deadline: '2026-09-30',
        progressNote: '已督促各村建立台账',
        sameInFile: [],
        sameOpen: [],
      },
      expect.objectContaining({
        row: 6,
        no: '2',
        units: ['中厂镇第一社区', '中厂镇第二社区'],
        common: true,
        deadline: '2026-10-31',
        progressNote: null,
        sameInFile: [],
        sameOpen: [],
      }),
      // Same unit as row 6 (第二社区) and a near-identical title.
      expect.objectContaining({ row: 7, no: '3', units: ['中厂镇第二社区'], common: false, sameInFile: [{ row: 6, no: '2' }] }),
      expect.objectContaining({
        row: 9,
        no: '4',
        units: ['中厂镇第三社区'],
        common: false,
        category: '资金管理',
        rectificationClass: 'immediate',
        classLabel: '立行立改',
        progressNote: '已完成50%台账核对',
        sameInFile: [],
        sameOpen: [{ id: openTicket, code, title: '扶贫资金台账登记不清楚', unitName: '中厂镇第三社区' }],
      }),
    ]);
    const [{ n }] = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM ticket WHERE inspection_id = $1`, [id]);
    expect(n).toBe(0);
  });

  it.each(['common-problems.xlsx', 'common-problems.xls', 'common-problems.ods'])(
    'makes a common problem of 全镇各村 and of units joined by 、 in %s, with 整改进展 as the first history comment',
    async (name) => {
      const id = await inspection(`县委第二巡察组巡察反馈问题（${name}）`);
      const res = await upload(id, fixture(name), name);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ dryRun: false, created: 4, unitTickets: VILLAGES.length + 2 });
      const [everyVillage, twoUnits, single, immediate] = await Promise.all(res.body.issues.map(get));
      expect(everyVillage).toMatchObject({ isCommon: true, unitName: '中厂镇', category: '基础工作', supervisingLeader: '张建国' });
      expect(everyVillage.children.map((c: { unitName: string }) => c.unitName).sort()).toEqual([...VILLAGES].sort());
      expect(twoUnits.children.map((c: { unitName: string }) => c.unitName).sort()).toEqual(['中厂镇第一社区', '中厂镇第二社区'].sort());
      expect(single).toMatchObject({ isCommon: false, unitName: '中厂镇第二社区', children: [] });
      expect(immediate).toMatchObject({ isCommon: false, unitName: '中厂镇第三社区', rectificationClass: 'immediate' });
      // Each unit's child is its own ticket of the inspection, with the finding's fields.
      const child = await get(everyVillage.children[0].id);
      expect(child).toMatchObject({
        isCommon: false,
        parentId: everyVillage.id,
        inspectionId: id,
        title: '村级档案管理混乱，会议记录缺失',
        deadline: '2026-09-30',
        responsible: '各村支部书记',
      });
      const history = async (ticket: string) =>
        (await t.http().get(`/api/v1/issues/${ticket}/history`).set(bearer(inspector))).body as Array<{
          kind: string;
          comment: string | null;
        }>;
      expect((await history(everyVillage.id))[0]).toMatchObject({ kind: 'created', comment: '已督促各村建立台账' });
      expect((await history(child.id))[0]).toMatchObject({ kind: 'created', comment: '已督促各村建立台账' });
      expect((await history(immediate.id))[0]).toMatchObject({ kind: 'created', comment: '已完成50%台账核对' });
      expect((await history(single.id))[0]).toMatchObject({ kind: 'created', comment: null });
      const verified = await t.http().get(`/api/v1/issues/${child.id}/history/verify`).set(bearer(inspector));
      expect(verified.status).toBe(200);
      expect(verified.body).toMatchObject({ ok: true });
    },
  );

  it('refuses a unit list with an unknown unit or the inspected unit itself, in the caller’s language', async () => {
    const id = await inspection('县委第二巡察组巡察反馈问题（错误）');
    const list = csv([
      ['序号', '问题描述', '责任单位', '整改时限'],
      ['1', '档案不全', '中厂镇第一社区、无此村', '2026-12-31'],
      ['2', '台账不清', '中厂镇，中厂镇第一社区', '2026-12-31'],
    ]);
    const en = await upload(id, list, 'bad.csv');
    expect(en.status).toBe(422);
    expect(en.body.details.rows).toEqual([
      { row: 2, no: '1', column: '责任单位', message: expect.stringMatching(/^no unit named "无此村"/) },
      { row: 3, no: '2', column: '责任单位', message: expect.stringMatching(/lists the inspected unit with units under it/) },
    ]);
    const zh = await t
      .http()
      .post(`/api/v1/inspections/${id}/findings/import`)
      .set(bearer(inspector))
      .set('accept-language', 'zh-CN')
      .attach('file', list, 'bad.csv');
    expect(zh.body.details.rows[1].message).toMatch(/^“中厂镇，中厂镇第一社区”把被检查单位和它下属的单位并列/);
    const [{ n }] = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM ticket WHERE inspection_id = $1`, [id]);
    expect(n).toBe(0);
  });

  describe('a sheet whose header is not recognised', () => {
    const list = () => fixture('own-headers.xlsx');
    const MAPPING = { problem: '发现的情况', unit: '落实单位', deadline: '办结日期', progress: '目前进度' };
    const withMapping = (mapping: unknown) => `?mapping=${encodeURIComponent(JSON.stringify(mapping))}`;
    const byBody = (issuedBy: string, title: string) =>
      createInspection(t, inspector, { source: 'supervision', title, issuedBy, date: '2026-07-28', unitId: township });

    it('answers 422 with the columns found and the fields it could not place', async () => {
      const id = await byBody('县效能督查组', '县效能督查组8月督查（表头）');
      const res = await upload(id, list(), 'own-headers.xlsx');
      expect(res.status).toBe(422);
      expect(res.body.details.header).toEqual({
        row: 2,
        columns: ['编号', '发现的情况', '落实单位', '办结日期', '目前进度'],
        unplaced: [
          { field: 'problem', header: '问题描述' },
          { field: 'unit', header: '责任单位' },
          { field: 'deadline', header: '整改时限' },
        ],
        cells: [
          ['编号', '发现的情况', '落实单位', '办结日期', '目前进度'],
          ['1', '便民服务窗口无人值守', '中厂镇第六社区', '2026年9月30日前', '已约谈'],
          ['2', '政策公示牌内容过期', '中厂镇第七社区', '2026.10.31', ''],
        ],
      });
      for (const bad of [{ title: '情况' }, { problem: '' }, ['发现的情况'], { problem: '发现的情况', unit: '发现的情况' }]) {
        const refused = await upload(id, list(), 'own-headers.xlsx', withMapping(bad));
        expect(refused.status).toBe(400);
        expect(refused.body.details.fields[0].field).toBe('mapping');
      }
      expect((await upload(id, list(), 'own-headers.xlsx', '?mapping=%7Bnot-json')).status).toBe(400);
    });

    it('imports with a mapping and remembers it for the issuing body’s next list', async () => {
      const first = await byBody('县效能督查组', '县效能督查组8月督查');
      const dry = await upload(first, list(), 'own-headers.xlsx', `${withMapping(MAPPING)}&dryRun=true`);
      expect(dry.status).toBe(200);
      expect(
        dry.body.rows.map((r: { no: string; title: string; units: string[]; deadline: string; progressNote: string | null }) => [
          r.no,
          r.title,
          r.units,
          r.deadline,
          r.progressNote,
        ]),
      ).toEqual([
        ['1', '便民服务窗口无人值守', ['中厂镇第六社区'], '2026-09-30', '已约谈'],
        ['2', '政策公示牌内容过期', ['中厂镇第七社区'], '2026-10-31', null],
      ]);
      // A dry run remembers nothing.
      expect((await upload(first, list(), 'own-headers.xlsx')).status).toBe(422);
      const done = await upload(first, list(), 'own-headers.xlsx', withMapping(MAPPING));
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ created: 2, mapping: MAPPING });
      expect(await get(done.body.issues[0])).toMatchObject({
        title: '便民服务窗口无人值守',
        unitName: '中厂镇第六社区',
        deadline: '2026-09-30',
      });

      const next = await byBody(' 县效能督查组 ', '县效能督查组9月督查');
      const again = await upload(next, list(), 'own-headers.xlsx');
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ created: 2, mapping: MAPPING });
      const other = await byBody('县纪委监委', '县纪委监委专项检查');
      expect((await upload(other, list(), 'own-headers.xlsx')).status).toBe(422);
    });
  });
});
