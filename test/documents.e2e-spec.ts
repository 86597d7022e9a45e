import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { DataSource } from 'typeorm';
import { DocumentDetail, DocumentIssuer } from '@app/documents';
import { FakeClock } from '@app/platform';
import { createTestDatabase } from './support/database';
import { ServiceProcess } from './support/service-process';
import { bearer, closeOutTicket, draftJulyTasks, raiseTicket, unitId } from './support/fixtures';
import { binary, pdfText } from './support/downloads';
import { startTestApp, TestApp } from './support/test-app';

type Doc = DocumentDetail;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Runs 中厂镇's July cycle as its leader would, so that every step issues its documents. */
async function runJuly(t: TestApp, clock: FakeClock, township: string, teams: string[]): Promise<void> {
  const leader = await t.login('zc_leader');
  const run = async (step: string, at: string) => {
    clock.set(at);
    const res = await t.http().post(`/api/v1/cycles/2026-07/steps/${step}/run?unitId=${township}`).set(bearer(leader));
    expect(res.body.state).toBe('done');
  };
  clock.set('2026-06-25T02:00:00Z');
  const list = await draftJulyTasks(t, leader, township, [teams[0], teams[1]]);
  expect(list.status).toBe(201);
  await run('dispatch', '2026-07-01T00:30:00Z');
  clock.set('2026-07-05T02:00:00Z');
  const filed = await t
    .http()
    .post('/api/v1/self-checks')
    .set(bearer(await t.login('zc_team1')))
    .send({
      unitId: teams[0],
      period: '2026-07',
      summary: '对照“两不愁三保障”逐户自查，发现问题1个。',
      checklist: [{ item: '“八个一批”落实情况', status: 'done' }],
      problems: [{ title: '1户饮水设施老化', category: '两不愁三保障' }],
    });
  expect(filed.status).toBe(201);
  // 第三社区 closes out a problem on time and files its self-check: a team with work to show and
  // nothing overdue, which the bulletin praises (teams with nothing to show are never praised).
  const third = await unitId(t, '中厂镇第三社区');
  const thirdFiled = await t
    .http()
    .post('/api/v1/self-checks')
    .set(bearer(leader))
    .send({ unitId: third, period: '2026-07', summary: '逐户核查，未发现新问题。', checklist: [], problems: [] });
  expect(thirdFiled.status).toBe(201);
  const fence = await raiseTicket(t, leader, { title: '村务公开栏破损', unitId: third, deadline: '2026-07-20' });
  await closeOutTicket(t, leader, await t.login('zc_inspector'), fence);
  await run('self_check', '2026-07-10T10:30:00Z');
  await run('review', '2026-07-15T02:00:00Z');
  await run('report', '2026-07-24T01:00:00Z');
  await run('supervision', '2026-07-31T08:30:00Z');
}

describe('documents of record', () => {
  const clock = new FakeClock('2026-06-20T00:00:00Z');
  let t: TestApp;
  let leader: string;
  let inspector: string;
  let team1: string;
  let team2: string;
  let township: string;
  let v1: string;
  let v2: string;
  let bulletin: Doc;
  const db = () => t.app.get(DataSource);
  const get = (token: string, path: string) => t.http().get(`/api/v1${path}`).set(bearer(token));
  const list = async (token: string, query: string): Promise<Doc[]> => (await get(token, `/documents?pageSize=200&${query}`)).body.items;

  beforeAll(async () => {
    t = await startTestApp({ clock });
    leader = await t.login('zc_leader');
    inspector = await t.login('zc_inspector');
    team1 = await t.login('zc_team1');
    team2 = await t.login('zc_team2');
    township = await unitId(t, '中厂镇');
    v1 = await unitId(t, '中厂镇第一社区');
    v2 = await unitId(t, '中厂镇第二社区');
    await runJuly(t, clock, township, [v1, v2]);
    const [b] = await list(leader, `unitId=${township}&kind=bulletin&period=2026-07`);
    bulletin = (await get(leader, `/documents/${b.id}`)).body;
  });
  afterAll(() => t.close());

  it('issues each step’s documents by itself, once, numbered per issuer and year', async () => {
    const docs = await list(leader, `unitId=${township}&subtree=true&period=2026-07`);
    const kinds = docs.map((d) => `${d.kind}:${d.unitName}`).sort();
    expect(kinds).toEqual(
      [
        'bulletin:中厂镇',
        'evaluation_list:中厂镇',
        'progress_list:中厂镇',
        'rectification_list:中厂镇',
        'self_check_report:中厂镇第一社区',
        'self_check_report:中厂镇第三社区',
        'task_list:中厂镇第一社区',
        'task_list:中厂镇第二社区',
      ].sort(),
    );
    expect(bulletin).toMatchObject({
      number: 1,
      numberLabel: '第1期',
      issuer: '中厂镇效能督查组',
      title: '关于2026年7月脱贫攻坚工作督查情况的通报',
      issuedAt: '2026-07-31T08:30:00.000Z',
      issuedBy: null,
      corrects: null,
    });
    expect(bulletin.snapshot.header.issuedDate).toBe('2026年7月31日');
    const [output] = await db().query(`SELECT id FROM cycle_output WHERE kind = 'bulletin' AND period = '2026-07'`);
    expect(bulletin.sourceOutputId).toBe(output.id);
    const taskLists = docs.filter((d) => d.kind === 'task_list').map((d) => d.numberLabel);
    expect(taskLists.sort()).toEqual(['〔2026〕1号', '〔2026〕2号']);

    // Running a done step again issues nothing more.
    await t.http().post(`/api/v1/cycles/2026-07/steps/supervision/run?unitId=${township}`).set(bearer(leader));
    expect(await list(leader, `unitId=${township}&subtree=true&period=2026-07`)).toHaveLength(docs.length);
  });

  it('keeps the HTML as issued, and the same snapshot renders to the same sha256', async () => {
    const html = await get(leader, `/documents/${bulletin.id}/html`);
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(sha256(html.text)).toBe(bulletin.sha256);
    for (const text of ['督查通报', '第1期', '一、基本情况', '二、通报表扬', '三、通报批评', '四、存在问题', '五、下步要求', '<svg'])
      expect(html.text).toContain(text);
    const issuer = t.app.get(DocumentIssuer);
    expect(issuer.render(bulletin.snapshot).sha256).toBe(bulletin.sha256);
    expect(issuer.render(structuredClone(bulletin.snapshot)).sha256).toBe(bulletin.sha256);
    clock.set('2027-01-01T00:00:00Z');
    expect(issuer.render(bulletin.snapshot).sha256).toBe(bulletin.sha256);
  });

  it('prints the bulletin to PDF with its title, number and the praised and criticised teams', async () => {
    const res = await get(leader, `/documents/${bulletin.id}/pdf`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const text = pdfText(res.body as Buffer).replace(/[ \t]+/g, ' ');
    const data = bulletin.snapshot.data as { praised: Array<{ unitName: string }>; criticised: Array<{ unitName: string }> };
    expect(data.praised.map((p) => p.unitName)).toEqual(['中厂镇第三社区']);
    expect(data.criticised.length).toBeGreaterThan(0);
    expect(text).toContain('关于2026年7月脱贫攻坚工作督查情况的通报');
    expect(text).toContain('第1期');
    const flat = text.replace(/\s+/g, '');
    for (const team of [...data.praised, ...data.criticised]) expect(flat).toContain(team.unitName);
    expect(flat).toContain('通报表扬');
    expect(flat).toContain('通报批评');
  });

  it('gives the bulletin as a Word file in the 公文 layout', async () => {
    const res = await get(leader, `/documents/${bulletin.id}/docx`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain('.docx');
    const xml = await (await JSZip.loadAsync(res.body as Buffer)).file('word/document.xml')!.async('string');
    expect(xml).toContain('督 查 通 报');
    expect(xml).toContain('w:color w:val="C00000"');
    for (const text of [
      '第1期',
      '关于2026年7月脱贫攻坚工作督查情况的通报',
      '一、基本情况',
      '五、下步要求',
      '中厂镇效能督查组',
      '2026年7月31日',
    ])
      expect(xml).toContain(text);
    const rect = (await list(leader, `unitId=${township}&kind=rectification_list`))[0];
    expect((await get(leader, `/documents/${rect.id}/docx`)).status).toBe(404);
  });

  it('refuses to change or delete an issued document, even in SQL', async () => {
    await expect(db().query(`UPDATE document SET title = 'edited' WHERE id = $1`, [bulletin.id])).rejects.toThrow(/document of record/);
    await expect(db().query(`DELETE FROM document WHERE id = $1`, [bulletin.id])).rejects.toThrow(/document of record/);
    await expect(db().query(`UPDATE document SET html = '' WHERE kind = 'task_list'`)).rejects.toThrow(/document of record/);
    expect((await get(leader, `/documents/${bulletin.id}`)).body.sha256).toBe(bulletin.sha256);
  });

  it('issues a correction by hand as a new number that points to the one it corrects', async () => {
    clock.set('2026-08-02T02:00:00Z');
    const again = await t
      .http()
      .post('/api/v1/documents')
      .set(bearer(inspector))
      .send({ kind: 'bulletin', unitId: township, period: '2026-07' });
    expect(again.status).toBe(409);
    expect(again.body.details.documentId).toBe(bulletin.id);

    const res = await t
      .http()
      .post('/api/v1/documents')
      .set(bearer(inspector))
      .send({ kind: 'bulletin', unitId: township, period: '2026-07', corrects: bulletin.id });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      number: 2,
      numberLabel: '第2期',
      corrects: { id: bulletin.id, numberLabel: '第1期' },
      issuedBy: { name: expect.any(String) },
      issuedAt: '2026-08-02T02:00:00.000Z',
      sourceOutputId: null,
    });
    const html = (await get(leader, `/documents/${res.body.id}/html`)).text;
    expect(html).toContain('本件为对第1期《关于2026年7月脱贫攻坚工作督查情况的通报》的更正，以本件为准。');
    expect((await get(leader, `/documents/${bulletin.id}`)).body.correctedBy).toEqual({ id: res.body.id, numberLabel: '第2期' });

    const twice = await t
      .http()
      .post('/api/v1/documents')
      .set(bearer(leader))
      .send({ kind: 'bulletin', unitId: township, period: '2026-07', corrects: bulletin.id });
    expect(twice.status).toBe(409);
    expect(twice.body.details.documentId).toBe(res.body.id);
    const wrongKind = await t
      .http()
      .post('/api/v1/documents')
      .set(bearer(leader))
      .send({ kind: 'evaluation_list', unitId: township, period: '2026-07', corrects: res.body.id });
    expect(wrongKind.status).toBe(400);
    const notYet = await t
      .http()
      .post('/api/v1/documents')
      .set(bearer(leader))
      .send({ kind: 'bulletin', unitId: township, period: '2026-08' });
    expect(notYet.status).toBe(409);
    expect(notYet.body.message).toMatch(/has not run/);
  });

  it('shows each team its own documents and the bulletins addressed to its township; another unit’s document is not found', async () => {
    const [mine] = await list(team1, `kind=task_list`);
    const [theirs] = await list(team2, `kind=task_list`);
    expect(mine.unitId).toBe(v1);
    expect(theirs.unitId).toBe(v2);
    // Besides its own, a team reads what its township addresses to every team: bulletins and evaluation lists.
    const seen = await list(team1, '');
    expect(seen.every((d) => d.unitId === v1 || (d.unitId === township && ['bulletin', 'evaluation_list'].includes(d.kind)))).toBe(true);
    expect(seen.some((d) => d.id === bulletin.id)).toBe(true);
    expect(seen.some((d) => d.unitId === v2)).toBe(false);
    expect((await get(team1, `/documents/${mine.id}`)).status).toBe(200);
    for (const path of ['', '/html', '/pdf', '/docx']) expect((await get(team2, `/documents/${mine.id}${path}`)).status).toBe(404);
    expect((await get(team1, `/documents/${bulletin.id}`)).status).toBe(200);
    const other = await t.login('cmy_leader');
    expect((await get(other, `/documents/${bulletin.id}`)).status).toBe(404);
    expect(await list(other, '')).toEqual([]);
    expect((await get(other, `/documents?unitId=${township}`)).status).toBe(404);
    expect((await get(leader, `/documents/not-an-id`)).status).toBe(404);
    // A member of the team reads its task list but does not issue documents.
    const byMember = await t
      .http()
      .post('/api/v1/documents')
      .set(bearer(team1))
      .send({ kind: 'task_list', unitId: v1, period: '2026-07', corrects: mine.id });
    expect(byMember.status).toBe(403);
    const outside = await t
      .http()
      .post('/api/v1/documents')
      .set(bearer(other))
      .send({ kind: 'bulletin', unitId: township, period: '2026-07' });
    expect(outside.status).toBe(404);
  });

  it('gives concurrent issues distinct, consecutive numbers', async () => {
    const issuer = t.app.get(DocumentIssuer);
    const [unit] = await db().query(`SELECT id, name, timezone FROM org_unit WHERE id = $1`, [township]);
    const [before] = await db().query(
      `SELECT coalesce(max(number), 0)::int AS n FROM document WHERE issuer_unit_id = $1 AND kind = 'evaluation_list' AND year = 2026`,
      [township],
    );
    const ids = await Promise.all(
      Array.from({ length: 8 }, () =>
        db().transaction((m) =>
          issuer.issue(m, {
            kind: 'evaluation_list',
            unit,
            township: unit,
            period: '2026-07',
            data: { township: { id: township, name: '中厂镇' }, period: '2026-07', rows: [] },
            locale: 'zh',
            issuedBy: null,
            corrects: null,
            sourceOutputId: null,
          }),
        ),
      ),
    );
    const rows = await db().query(`SELECT number FROM document WHERE id = ANY($1::uuid[]) ORDER BY number`, [ids]);
    expect(rows.map((r: { number: number }) => r.number)).toEqual(Array.from({ length: 8 }, (_, i) => before.n + 1 + i));
  });

  it('gives a list document as a workbook, and filters the list by kind and period', async () => {
    const [evaluation] = await list(leader, `unitId=${township}&kind=evaluation_list&period=2026-07`);
    const res = await get(leader, `/documents/${evaluation.id}/xlsx`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect((res.body as Buffer).subarray(0, 2).toString()).toBe('PK');
    expect((await get(leader, `/documents/${bulletin.id}/xlsx`)).status).toBe(404);
    expect(await list(leader, `unitId=${township}&subtree=true&period=2026-06`)).toEqual([]);
    expect((await get(leader, `/documents?kind=memo`)).status).toBe(400);
  });
});

describe('document templates and printing at start', () => {
  const dirs: string[] = [];
  const configDir = (templates: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'rt-doc-config-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'templates'));
    for (const [name, text] of Object.entries(templates)) writeFileSync(join(dir, 'templates', name), text);
    return dir;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('uses a county’s template, and answers 503 with a reason when there is no Chromium', async () => {
    const clock = new FakeClock('2026-07-31T08:30:00Z');
    const t = await startTestApp({
      clock,
      env: {
        CONFIG_DIR: configDir({
          'bulletin.hbs': '{{#> _page masthead="白河县督查通报"}}<p>县定格式：{{#each data.praised}}{{unitName}}{{/each}}</p>{{/_page}}',
        }),
        CHROMIUM_PATH: '/nonexistent/chromium',
      },
    });
    try {
      const leader = await t.login('zc_leader');
      const township = await unitId(t, '中厂镇');
      const run = await t.http().post(`/api/v1/cycles/2026-07/steps/supervision/run?unitId=${township}`).set(bearer(leader));
      expect(run.body.state).toBe('done');
      const [doc] = (await t.http().get(`/api/v1/documents?kind=bulletin&unitId=${township}`).set(bearer(leader))).body.items;
      const html = await t.http().get(`/api/v1/documents/${doc.id}/html`).set(bearer(leader));
      expect(html.text).toContain('白河县督查通报');
      expect(html.text).toContain('县定格式：');
      expect(html.text).not.toContain('一、基本情况');
      const pdf = await t.http().get(`/api/v1/documents/${doc.id}/pdf`).set(bearer(leader));
      expect(pdf.status).toBe(503);
      expect(pdf.body.message).toMatch(/needs Chromium at \/nonexistent\/chromium/);
    } finally {
      await t.close();
    }
  });

  it('does not start with a broken template, and names the file and line', async () => {
    const database = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'rt-doc-data-'));
    dirs.push(dataDir);
    try {
      const broken = '{{#> _page}}\n<table>\n{{#each data.rows}}\n<tr><td>{{unitName}}</td></tr>\n{{/_page}}\n';
      const env = {
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        DATA_DIR: dataDir,
        CONFIG_DIR: configDir({ 'evaluation_list.hbs': broken }),
        QUEUE_PREFIX: `rt-doc-${process.pid}`,
        ADMIN_PASSWORD: 'admin-password',
        DEMO: '0',
        LOG_LEVEL: 'info',
      };
      const svc = new ServiceProcess([], env);
      const { code } = await svc.exited;
      expect(code).not.toBe(0);
      expect(svc.output).toMatch(/templates\/evaluation_list\.hbs: line 3: each doesn't match _page/);
      expect(svc.output).not.toMatch(/listening/i);
    } finally {
      await database.drop();
    }
  });
});
