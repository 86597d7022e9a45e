import { parse } from 'csv-parse/sync';
import type { DocumentDetail } from '@app/documents';
import { FakeClock } from '@app/platform';
import { bearer, unitId, draftJulyTasks } from './support/fixtures';
import { binary, firstSheet } from './support/downloads';
import { startTestApp, TestApp } from './support/test-app';

type Doc = DocumentDetail & { snapshot: { data: Record<string, unknown> } };

/** The rows a list document holds, by kind, from its stored data. */
const ITEMS: Record<string, string> = { task_list: 'tasks', rectification_list: 'items', progress_list: 'rows', evaluation_list: 'rows' };

describe('list documents as spreadsheets, from the data the cycle stored', () => {
  const clock = new FakeClock('2026-06-20T00:00:00Z');
  let t: TestApp;
  let leader: string;
  let team1: string;
  let township: string;
  let v1: string;
  let v2: string;
  const get = (token: string, path: string) => t.http().get(`/api/v1${path}`).set(bearer(token));
  const file = (token: string, path: string) => get(token, path).buffer(true).parse(binary);
  const documents = async (token: string, query: string): Promise<Doc[]> => {
    const res = await get(token, `/documents?pageSize=200&${query}`);
    return Promise.all((res.body.items as Doc[]).map(async (d) => (await get(token, `/documents/${d.id}`)).body as Doc));
  };

  beforeAll(async () => {
    t = await startTestApp({ clock });
    leader = await t.login('zc_leader');
    team1 = await t.login('zc_team1');
    township = await unitId(t, '中厂镇');
    v1 = await unitId(t, '中厂镇第一社区');
    v2 = await unitId(t, '中厂镇第二社区');
    const inspector = await t.login('zc_inspector');
    // Open problems for the rectification list: one complete, one without measures.
    for (const [unit, measures] of [
      [v1, '更换管道'],
      [v2, undefined],
    ]) {
      const raised = await t
        .http()
        .post('/api/v1/issues')
        .set(bearer(inspector))
        .send({
          title: `${unit === v1 ? '第一' : '第二'}社区饮水设施老化`,
          unitId: unit,
          deadline: '2026-07-10',
          responsible: '王明',
          measures,
        });
      expect(raised.status).toBe(201);
    }
    const list = await draftJulyTasks(t, leader, township, [v1, v2]);
    expect(list.status).toBe(201);
    for (const [step, at] of [
      ['dispatch', '2026-07-01T00:30:00Z'],
      ['self_check', '2026-07-10T10:30:00Z'],
      ['review', '2026-07-15T02:00:00Z'],
      ['report', '2026-07-24T01:00:00Z'],
      ['supervision', '2026-07-31T08:30:00Z'],
    ]) {
      clock.set(at);
      const res = await t.http().post(`/api/v1/cycles/2026-07/steps/${step}/run?unitId=${township}`).set(bearer(leader));
      expect(res.body.state).toBe('done');
    }
  });
  afterAll(() => t.close());

  it.each(['task_list', 'rectification_list', 'progress_list', 'evaluation_list'])(
    'gives the %s as a workbook with its title, number, every row and a totals row',
    async (kind) => {
      const docs = await documents(leader, `unitId=${township}&subtree=true&kind=${kind}&period=2026-07`);
      expect(docs.length).toBeGreaterThan(0);
      for (const doc of docs) {
        const rows = doc.snapshot.data[ITEMS[kind]] as unknown[];
        expect(rows.length).toBeGreaterThan(0);
        const res = await file(leader, `/documents/${doc.id}/xlsx`);
        expect(res.status).toBe(200);
        expect(res.headers['content-disposition']).toContain(
          `filename*=UTF-8''${encodeURIComponent(`${doc.title}（${doc.numberLabel}）.xlsx`)}`,
        );
        const ws = await firstSheet(res.body as Buffer);
        expect(ws.getCell('A1').value).toBe(doc.title);
        expect(ws.getCell('A2').value).toContain(doc.numberLabel);
        expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
        // Title, subtitle, header, the rows, then the totals row.
        expect(ws.getRow(4).getCell(1).value).toBe(1);
        // The first column numbers the rows, or gives the rank where equal scores share one.
        const last = rows[rows.length - 1] as { rank?: number };
        expect(ws.getRow(3 + rows.length).getCell(1).value).toBe(last.rank ?? rows.length);
        expect(['合计', '平均']).toContain(ws.getRow(4 + rows.length).getCell(1).value);
      }
    },
  );

  it('fills the rectification list from the open tickets, flagging what each one lacks', async () => {
    const [doc] = await documents(leader, `unitId=${township}&kind=rectification_list&period=2026-07`);
    const ws = await firstSheet((await file(leader, `/documents/${doc.id}/xlsx`)).body as Buffer);
    const lines: Array<Array<unknown>> = [];
    ws.eachRow((row, n) => {
      if (n > 3) lines.push(Array.from({ length: 12 }, (_, i) => row.getCell(i + 1).value ?? null));
    });
    expect(lines).toContainEqual(expect.arrayContaining(['第二社区饮水设施老化', '中厂镇第二社区', '王明', '2026-07-10', '整改措施']));
    expect(lines.find((l) => l[2] === '第一社区饮水设施老化')).toEqual(
      expect.arrayContaining(['中厂镇第一社区', '王明', '2026-07-10', '更换管道', '待整改', 5]),
    );
  });

  it('gives the same list as CSV in UTF-8 with a BOM', async () => {
    const [doc] = await documents(leader, `unitId=${township}&kind=evaluation_list&period=2026-07`);
    const res = await file(leader, `/documents/${doc.id}/csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records: string[][] = parse(body, { bom: true, relax_column_count: true });
    const rows = doc.snapshot.data.rows as Array<{ unitName: string; rank: number; grade: string }>;
    expect(records[0].slice(0, 2)).toEqual(['排名', '工作队（单位）']);
    expect(records.slice(1, 1 + rows.length).map((r) => [r[0], r[1], r[8]])).toEqual(
      rows.map((r) => [String(r.rank), r.unitName, r.grade]),
    );
    expect(records[1 + rows.length][0]).toBe('平均');
  });

  it('has no spreadsheet for a bulletin, and keeps to the caller’s scope', async () => {
    const [bulletin] = await documents(leader, `unitId=${township}&kind=bulletin&period=2026-07`);
    expect((await get(leader, `/documents/${bulletin.id}/xlsx`)).status).toBe(404);
    expect((await get(leader, `/documents/${bulletin.id}/csv`)).status).toBe(404);
    const [other] = await documents(leader, `unitId=${v2}&kind=task_list&period=2026-07`);
    expect((await get(team1, `/documents/${other.id}/xlsx`)).status).toBe(404);
    const [own] = await documents(team1, `unitId=${v1}&kind=task_list&period=2026-07`);
    expect((await file(team1, `/documents/${own.id}/xlsx`)).status).toBe(200);
  });
});
