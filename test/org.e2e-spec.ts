import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { DataSource } from 'typeorm';
import { PrincipalResolver } from '@app/platform';
import { UserService } from '@app/org';
import { startTestApp, TestApp } from './support/test-app';

describe('org tree and people', () => {
  let t: TestApp;
  let admin: string;
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login('admin');
  });
  afterAll(() => t.close());

  async function unitId(name: string): Promise<string> {
    const [row] = await t.app.get(DataSource).query(`SELECT id FROM org_unit WHERE name = $1`, [name]);
    return row.id as string;
  }

  it('builds county → township → village, office and group with inherited time zone', async () => {
    const county = await t
      .http()
      .post('/api/v1/org-units')
      .set(auth(admin))
      .send({ name: '测试县', kind: 'county', timezone: 'Asia/Urumqi' });
    expect(county.status).toBe(201);
    expect(county.body).toMatchObject({ name: '测试县', kind: 'county', kindLabel: '县', parentId: null, timezone: 'Asia/Urumqi' });
    const town = await t
      .http()
      .post('/api/v1/org-units')
      .set(auth(admin))
      .send({ name: '测试镇', kind: 'township', parentId: county.body.id });
    expect(town.status).toBe(201);
    expect(town.body.timezone).toBe('Asia/Urumqi');
    for (const [name, kind] of [
      ['一村', 'village'],
      ['镇脱办', 'office'],
      ['镇督查组', 'inspection_group'],
    ]) {
      const r = await t.http().post('/api/v1/org-units').set(auth(admin)).send({ name, kind, parentId: town.body.id });
      expect(r.status).toBe(201);
    }
    const children = await t.http().get(`/api/v1/org-units?parentId=${town.body.id}`).set(auth(admin));
    expect(children.body.total).toBe(3);
    expect(children.body.items.map((u: { name: string }) => u.name).sort()).toEqual(['一村', '镇督查组', '镇脱办'].sort());
    const detail = await t.http().get(`/api/v1/org-units/${town.body.id}`).set(auth(admin));
    expect(detail.body.ancestors).toEqual([{ id: county.body.id, name: '测试县', kind: 'county' }]);
    expect(detail.body.childCount).toBe(3);
  });

  it.each([
    ['a village directly under a county', 'village', '白河县', /a village must sit under a township/],
    ['a township under a township', 'township', '中厂镇', /a township must sit under a county/],
    ['an office under a village', 'office', '中厂镇第一社区', /^parentId: an office must sit under a township or a county, not a village$/],
  ])('refuses %s with a 400 saying why', async (_what, kind, parentName, reason) => {
    const res = await t
      .http()
      .post('/api/v1/org-units')
      .set(auth(admin))
      .send({ name: '错误单位', kind, parentId: await unitId(parentName) });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(reason);
    expect(res.body.details.fields[0].field).toBe('parentId');
  });

  it('refuses a village at the root and an unknown kind', async () => {
    expect((await t.http().post('/api/v1/org-units').set(auth(admin)).send({ name: '孤村', kind: 'village' })).status).toBe(400);
    const bad = await t.http().post('/api/v1/org-units').set(auth(admin)).send({ name: '某组', kind: 'team' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.fields[0].field).toBe('kind');
  });

  it('answers 409 for a sibling with the same name and leaves nothing behind', async () => {
    const parentId = await unitId('中厂镇');
    const res = await t.http().post('/api/v1/org-units').set(auth(admin)).send({ name: '中厂镇第一社区', kind: 'village', parentId });
    expect(res.status).toBe(409);
    const [{ n }] = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM org_unit WHERE name = '中厂镇第一社区'`);
    expect(n).toBe(1);
  });

  it('moves a unit with its subtree and keeps paths consistent', async () => {
    const db = t.app.get(DataSource);
    const town = await t
      .http()
      .post('/api/v1/org-units')
      .set(auth(admin))
      .send({ name: '迁移镇', kind: 'township', parentId: await unitId('白河县') });
    await t.http().post('/api/v1/org-units').set(auth(admin)).send({ name: '迁移村', kind: 'village', parentId: town.body.id });
    const moved = await t
      .http()
      .patch(`/api/v1/org-units/${town.body.id}`)
      .set(auth(admin))
      .send({ parentId: await unitId('凤庆县') });
    expect(moved.status).toBe(200);
    const [village] = await db.query(`SELECT path, depth FROM org_unit WHERE name = '迁移村'`);
    const [county] = await db.query(`SELECT path FROM org_unit WHERE name = '凤庆县'`);
    expect(village.path.startsWith(`${county.path}${town.body.id}/`)).toBe(true);
    expect(village.depth).toBe(4);
    const loop = await t
      .http()
      .patch(`/api/v1/org-units/${await unitId('凤庆县')}`)
      .set(auth(admin))
      .send({ parentId: town.body.id });
    expect(loop.status).toBe(400);
  });

  it('creates users with memberships; a duplicate username is a 409 whatever its case', async () => {
    const body = {
      username: 'zc_team3',
      password: 'password-3',
      displayName: '第三社区工作队',
      memberships: [{ unitId: await unitId('中厂镇第三社区'), role: 'member' }],
    };
    const res = await t.http().post('/api/v1/users').set(auth(admin)).send(body);
    expect(res.status).toBe(201);
    expect(res.body.memberships).toEqual([expect.objectContaining({ unitName: '中厂镇第三社区', role: 'member' })]);
    expect(
      (
        await t
          .http()
          .post('/api/v1/users')
          .set(auth(admin))
          .send({ ...body, username: 'ZC_TEAM3' })
      ).status,
    ).toBe(409);
    const token = await t.login('zc_team3', 'password-3');
    const mine = await t.http().get('/api/v1/org-units').set(auth(token));
    expect(mine.body.items.map((u: { name: string }) => u.name)).toEqual(['中厂镇第三社区']);
  });

  it('keeps both roles when two administrators each add one to a user at the same time', async () => {
    const users = t.app.get(UserService);
    const db = t.app.get(DataSource);
    const [admin] = await db.query(`SELECT id, token_version FROM app_user WHERE username = 'admin'`);
    const principal = (await t.app.get(PrincipalResolver).resolve(admin.id, admin.token_version))!;
    const created = await users.create(principal, {
      username: 'zc_two_roles',
      password: 'password-2r',
      displayName: '两个角色',
      memberships: [{ unitId: await unitId('中厂镇第一社区'), role: 'member' }],
    });
    const first = await unitId('中厂镇第二社区');
    const second = await unitId('中厂镇第三社区');
    await Promise.all(
      [first, second].map((u) => users.changeMemberships(principal, created.id, (current) => [...current, { unitId: u, role: 'viewer' }])),
    );
    const view = await users.get(principal, created.id);
    expect(view.memberships.map((m) => `${m.unitName} ${m.role}`).sort()).toEqual(
      ['中厂镇第一社区 member', '中厂镇第三社区 viewer', '中厂镇第二社区 viewer'].sort(),
    );
  });

  it('refuses an inspector membership outside a group or office', async () => {
    const res = await t
      .http()
      .post('/api/v1/users')
      .set(auth(admin))
      .send({
        username: 'bad_inspector',
        password: 'password-x',
        displayName: 'x',
        memberships: [{ unitId: await unitId('中厂镇第三社区'), role: 'inspector' }],
      });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/inspector role/);
  });

  it('lets a county admin manage its county only', async () => {
    const countyAdmin = await t.login('county_admin');
    const inCounty = await t
      .http()
      .post('/api/v1/org-units')
      .set(auth(countyAdmin))
      .send({ name: '新社区', kind: 'village', parentId: await unitId('中厂镇') });
    expect(inCounty.status).toBe(201);
    const outside = await t
      .http()
      .post('/api/v1/org-units')
      .set(auth(countyAdmin))
      .send({ name: '新村', kind: 'village', parentId: await unitId('诗礼乡') });
    expect(outside.status).toBe(404);
    const leader = await t.login('zc_leader');
    const notAdmin = await t
      .http()
      .post('/api/v1/org-units')
      .set(auth(leader))
      .send({ name: '新村2', kind: 'village', parentId: await unitId('中厂镇') });
    expect(notAdmin.status).toBe(403);
  });

  it('disabling a user ends its sessions', async () => {
    const token = await t.login('zc_team2');
    const [{ id }] = await t.app.get(DataSource).query(`SELECT id FROM app_user WHERE username = 'zc_team2'`);
    expect((await t.http().patch(`/api/v1/users/${id}`).set(auth(admin)).send({ active: false })).status).toBe(200);
    expect((await t.http().get('/api/v1/auth/me').set(auth(token))).status).toBe(401);
    expect((await t.http().post('/api/v1/auth/login').send({ username: 'zc_team2', password: 'Demo@2026' })).status).toBe(401);
    await t.http().patch(`/api/v1/users/${id}`).set(auth(admin)).send({ active: true });
  });

  describe('bulk import', () => {
    const csv = (text: string) => Buffer.from(text, 'utf8');

    it('loads a county from CSV in any row order, parents by name or path', async () => {
      const rows = ['名称,类型,上级', '导入县,县,', '甲村,村,导入县/导入镇', '导入镇,乡镇,导入县', '导入镇督查组,督查组,导入镇'];
      for (let i = 1; i <= 30; i++) rows.push(`导入${i}村,村,导入镇`);
      const res = await t
        .http()
        .post('/api/v1/org-units/import')
        .set(auth(admin))
        .attach('file', csv(rows.join('\n')), 'tree.csv');
      expect(res.status).toBe(200);
      expect(res.body.created).toBe(34);
      const town = res.body.units.find((u: { name: string }) => u.name === '导入镇');
      const village = res.body.units.find((u: { name: string }) => u.name === '甲村');
      expect(village.parentId).toBe(town.id);
    });

    it('is all or nothing: every bad row is named and nothing is written', async () => {
      const db = t.app.get(DataSource);
      const [{ before }] = await db.query(`SELECT count(*)::int AS before FROM org_unit`);
      const text = [
        '名称,类型,上级',
        '好镇,乡镇,白河县',
        ',村,好镇',
        '坏村,小组,好镇',
        '乙村,村,不存在镇',
        '丙村,村,白河县',
        '中厂镇第一社区,村,中厂镇',
      ].join('\n');
      const res = await t.http().post('/api/v1/org-units/import').set(auth(admin)).attach('file', csv(text), 'tree.csv');
      expect(res.status).toBe(422);
      expect(res.body.details.rows).toEqual([
        { row: 3, column: '名称', message: 'the name is empty' },
        { row: 4, column: '类型', message: expect.stringContaining('"小组" is not a unit type') },
        { row: 5, column: '上级', message: expect.stringContaining('不存在镇') },
        { row: 6, column: '上级', message: expect.stringContaining('a village must sit under a township') },
        { row: 7, column: '名称', message: expect.stringContaining('already has a unit named 中厂镇第一社区') },
      ]);
      const [{ after }] = await db.query(`SELECT count(*)::int AS after FROM org_unit`);
      expect(after).toBe(before);
    });

    it('names an ambiguous parent and suggests its path', async () => {
      // 白河县 and 凤庆县 both get a 同名镇 township: a bare name is ambiguous.
      for (const county of ['白河县', '凤庆县']) {
        await t
          .http()
          .post('/api/v1/org-units')
          .set(auth(admin))
          .send({ name: '同名镇', kind: 'township', parentId: await unitId(county) });
      }
      const res = await t
        .http()
        .post('/api/v1/org-units/import')
        .set(auth(admin))
        .attach('file', csv('名称,类型,上级\n某村,村,同名镇\n'), 'x.csv');
      expect(res.status).toBe(422);
      expect(res.body.details.rows[0].message).toMatch(/matches 2 units; write its full path/);
      const ok = await t
        .http()
        .post('/api/v1/org-units/import')
        .set(auth(admin))
        .attach('file', csv('名称,类型,上级\n某村,村,白河县/同名镇\n'), 'x.csv');
      expect(ok.status).toBe(200);
    });

    it('reads GBK CSV and XLSX, and a dry run writes nothing', async () => {
      const gbk = iconv.encode('名称,类型,上级\nGBK村,村,中厂镇\n', 'gbk');
      const dry = await t.http().post('/api/v1/org-units/import?dryRun=true').set(auth(admin)).attach('file', gbk, 'gbk.csv');
      expect(dry.status).toBe(200);
      expect(dry.body).toMatchObject({ dryRun: true, created: 1, units: [{ name: 'GBK村', id: null }] });
      const [none] = await t.app.get(DataSource).query(`SELECT 1 FROM org_unit WHERE name = 'GBK村'`);
      expect(none).toBeUndefined();

      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('单位');
      ws.addRow(['名称', '类型', '上级', '编码']);
      ws.addRow(['XLSX村', '村', '中厂镇', '610929100201']);
      const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
      const res = await t.http().post('/api/v1/org-units/import').set(auth(admin)).attach('file', xlsx, 'units.xlsx');
      expect(res.status).toBe(200);
      const [row] = await t.app.get(DataSource).query(`SELECT code FROM org_unit WHERE name = 'XLSX村'`);
      expect(row.code).toBe('610929100201');
    });

    it('answers 422 for a file without the required columns, 415 for a non-sheet, 403 for a non-admin', async () => {
      const missing = await t.http().post('/api/v1/org-units/import').set(auth(admin)).attach('file', csv('名字,上级\n甲,乙\n'), 'x.csv');
      expect(missing.status).toBe(422);
      expect(missing.body.details.rows[0]).toMatchObject({ row: 1, column: '名称' });
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
      expect((await t.http().post('/api/v1/org-units/import').set(auth(admin)).attach('file', png, 'x.png')).status).toBe(415);
      const leader = await t.login('zc_leader');
      expect(
        (await t.http().post('/api/v1/org-units/import').set(auth(leader)).attach('file', csv('名称,类型,上级\n甲,村,中厂镇\n'), 'x.csv'))
          .status,
      ).toBe(403);
      expect((await t.http().post('/api/v1/org-units/import').set(auth(admin)).send({})).status).toBe(400);
    });
  });
});
