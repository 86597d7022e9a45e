import { DataSource } from 'typeorm';
import { bearer, csv, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

/** 城关镇 is the commonest township name in China: two of them, each with a 城关社区, in one deployment. */
describe('townships of the same name in two counties', () => {
  let t: TestApp;
  let admin: string;
  const towns: Record<string, { town: string; village: string }> = {};

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login('admin');
    for (const county of ['宣恩县', '白河县']) {
      const town = await t
        .http()
        .post('/api/v1/org-units')
        .set(bearer(admin))
        .send({ name: '城关镇', kind: 'township', parentId: await unitId(t, county) });
      expect(town.status).toBe(201);
      const village = await t
        .http()
        .post('/api/v1/org-units')
        .set(bearer(admin))
        .send({ name: '城关社区', kind: 'village', parentId: town.body.id });
      expect(village.status).toBe(201);
      towns[county] = { town: town.body.id, village: village.body.id };
    }
  });
  afterAll(() => t.close());

  it('raises and imports tickets in both, numbered per township with the county told apart', async () => {
    const codes: string[] = [];
    for (const [county, short] of [
      ['宣恩县', '宣恩'],
      ['白河县', '白河'],
    ] as const) {
      const { town, village } = towns[county];
      const raised = await t
        .http()
        .post('/api/v1/issues')
        .set(bearer(admin))
        .send({ title: '集镇垃圾清运不及时', unitId: village, deadline: '2026-12-31', responsible: '张三', measures: '每日清运' });
      expect(raised.status).toBe(201);
      expect(raised.body.code).toMatch(new RegExp(`^${short}城关镇-\\d{4}-0001$`));
      const inspection = await t
        .http()
        .post('/api/v1/inspections')
        .set(bearer(admin))
        .send({ source: 'supervision', title: '督查反馈', issuedBy: '县督查室', date: '2026-07-28', unitId: town });
      expect(inspection.status).toBe(201);
      const imported = await t
        .http()
        .post(`/api/v1/inspections/${inspection.body.id}/findings/import`)
        .set(bearer(admin))
        .attach(
          'file',
          csv([
            ['序号', '问题描述', '责任单位', '整改时限'],
            ['1', '背街小巷路灯损坏', '城关社区', '2026-10-31'],
            ['2', '集贸市场占道经营', '城关镇/城关社区', '2026-11-30'],
          ]),
          'list.csv',
        );
      expect(imported.status).toBe(200);
      const rows = await t.app
        .get(DataSource)
        .query<Array<{ code: string; unit_id: string }>>(`SELECT code, unit_id FROM ticket WHERE id = ANY($1::uuid[]) ORDER BY code`, [
          imported.body.issues,
        ]);
      expect(rows.map((r) => r.unit_id)).toEqual([village, village]);
      expect(rows.map((r) => r.code)).toEqual(
        [`${short}城关镇-2026-0002`, `${short}城关镇-2026-0003`].map((c) => c.replace('2026', rows[0].code.split('-')[1])),
      );
      codes.push(raised.body.code, ...rows.map((r) => r.code));
    }
    expect(new Set(codes).size).toBe(6);
  });

  it('keeps the plain township name in codes where it is the only one', async () => {
    const res = await t
      .http()
      .post('/api/v1/issues')
      .set(bearer(admin))
      .send({
        title: '台账不规范',
        unitId: await unitId(t, '中厂镇第一社区'),
        deadline: '2026-12-31',
        responsible: '李四',
        measures: '规范台账',
      });
    expect(res.status).toBe(201);
    expect(res.body.code).toMatch(/^中厂镇-\d{4}-\d{4}$/);
  });
});
