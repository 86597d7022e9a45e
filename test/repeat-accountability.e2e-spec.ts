import { FakeClock } from '@app/platform';
import Ajv from 'ajv';
import { RepeatListeners } from '@app/tickets';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { consoleSignIn } from './support/console-session';
import { bearer, closeOutTicket, createInspection, csv, raiseTicket, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

interface Accountability {
  id: string;
  ticketId: string;
  ticketCode: string;
  ground: string;
  deadline: string | null;
  daysOverdue: number | null;
  repeatOfTicketId: string | null;
  repeatOfTicketCode: string | null;
  person: string | null;
  unitName: string;
  levelsTold: unknown[];
}

/** A closed problem of 中厂镇第一社区, and the ticket that rewords it a week later. */
const CLOSED = { title: '村卫生室未配备常用药品', category: '两不愁三保障', deadline: '2026-07-10' };
const REPEAT = { title: '村卫生室常用药品未配备齐全', category: '两不愁三保障', deadline: '2026-07-31', responsible: '李四' };

async function withClosedProblem(t: TestApp, clock: FakeClock) {
  const leader = await t.login('zc_leader');
  const inspector = await t.login('zc_inspector');
  const team1 = await t.login('zc_team1');
  const township = await unitId(t, '中厂镇');
  const v1 = await unitId(t, '中厂镇第一社区');
  clock.set('2026-06-25T02:00:00Z');
  const closed = await raiseTicket(t, leader, { ...CLOSED, unitId: v1 });
  await closeOutTicket(t, team1, inspector, closed);
  clock.set('2026-07-02T02:00:00Z');
  return { leader, inspector, team1, township, v1, closed };
}

/** 屡查屡犯 opens an accountability record when REPEAT_ACCOUNTABILITY is on, and only then. */
describe('accountability for repeat problems (REPEAT_ACCOUNTABILITY)', () => {
  describe('on', () => {
    const clock = new FakeClock('2026-06-20T00:00:00Z');
    let t: TestApp;
    let s: Awaited<ReturnType<typeof withClosedProblem>>;
    const db = () => t.app.get(DataSource);
    const records = async (): Promise<Accountability[]> => {
      const res = await t.http().get(`/api/v1/accountability?unitId=${s.township}&pageSize=200`).set(bearer(s.leader));
      expect(res.status).toBe(200);
      return res.body.items;
    };
    const recordsOf = async (ticketId: string) => (await records()).filter((r) => r.ticketId === ticketId);
    const repeatRows = async () =>
      (await db().query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM accountability_record WHERE ground = 'repeat'`))[0].n;
    const codeOf = async (id: string): Promise<string> => (await t.http().get(`/api/v1/issues/${id}`).set(bearer(s.leader))).body.code;

    beforeAll(async () => {
      t = await startTestApp({ clock, env: { REPEAT_ACCOUNTABILITY: 'on' } });
      s = await withClosedProblem(t, clock);
    });
    afterAll(() => t.close());

    it('opens one record of ground repeat for a raised ticket that repeats a closed one, and none again for its retry', async () => {
      expect(await repeatRows()).toBe(0);
      const key = randomUUID();
      const body = { ...REPEAT, unitId: s.v1, measures: '补齐药品' };
      const first = await t.http().post('/api/v1/issues').set(bearer(s.leader)).set('Idempotency-Key', key).send(body);
      expect(first.status).toBe(201);
      expect(first.body.flags).toEqual(['repeat']);
      expect(await recordsOf(first.body.id)).toEqual([
        expect.objectContaining({
          ground: 'repeat',
          ticketCode: first.body.code,
          repeatOfTicketId: s.closed,
          repeatOfTicketCode: await codeOf(s.closed),
          deadline: null,
          daysOverdue: null,
          person: '李四',
          unitName: '中厂镇第一社区',
          levelsTold: [],
        }),
      ]);
      expect(await repeatRows()).toBe(1);

      const again = await t.http().post('/api/v1/issues').set(bearer(s.leader)).set('Idempotency-Key', key).send(body);
      expect(again.status).toBe(201);
      expect(again.body.id).toBe(first.body.id);
      expect(await recordsOf(first.body.id)).toHaveLength(1);
      expect(await repeatRows()).toBe(1);

      // Told of the same ticket again, the rule still keeps it at one record.
      await db().transaction((m) =>
        t.app.get(RepeatListeners).flagged(m, [{ ticketId: first.body.id, unitId: s.v1, responsible: '李四', repeatOf: [s.closed] }]),
      );
      expect(await repeatRows()).toBe(1);
    });

    it('opens none for a new ticket that repeats nothing', async () => {
      const other = await raiseTicket(t, s.leader, {
        title: '村集体资产台账未建立',
        category: '基础工作',
        unitId: s.v1,
        deadline: '2026-07-31',
      });
      expect(await recordsOf(other)).toEqual([]);
      expect(await repeatRows()).toBe(1);
    });

    it('opens one for a repeat filed in a self-check and one for a repeat imported from a findings list', async () => {
      const filed = await t
        .http()
        .post('/api/v1/self-checks')
        .set(bearer(s.team1))
        .send({
          unitId: s.v1,
          period: '2026-07',
          summary: '自查发现问题2个。',
          checklist: [],
          problems: [
            { title: '1户饮水设施老化', category: '两不愁三保障' },
            { title: '村卫生室常用药品仍未配备', category: '两不愁三保障' },
          ],
        });
      expect(filed.status).toBe(201);
      const problems = filed.body.problems as Array<{ id: string; title: string }>;
      const repeat = problems.find((p) => p.title === '村卫生室常用药品仍未配备')!.id;
      const plain = problems.find((p) => p.title === '1户饮水设施老化')!.id;
      expect(await recordsOf(repeat)).toEqual([expect.objectContaining({ ground: 'repeat', repeatOfTicketId: s.closed })]);
      expect(await recordsOf(plain)).toEqual([]);

      const inspection = await createInspection(t, s.inspector, {
        source: 'patrol',
        date: '2026-07-03',
        unitId: s.township,
        title: '县委巡察组巡察反馈问题',
      });
      const file = csv([
        ['序号', '问题描述', '问题类别', '责任单位', '责任人', '整改措施', '整改时限'],
        ['1', '村卫生室常用药品未配备', '两不愁三保障', '中厂镇第一社区', '张三', '补齐药品', '2026-07-31'],
        ['2', '村务公开栏未及时更新', '基础工作', '中厂镇第一社区', '张三', '按月公开', '2026-07-31'],
      ]);
      const imported = await t
        .http()
        .post(`/api/v1/inspections/${inspection}/findings/import`)
        .set(bearer(s.inspector))
        .attach('file', file, 'list.csv');
      expect(imported.status).toBe(200);
      const [importedRepeat, importedPlain] = imported.body.issues as string[];
      expect(await recordsOf(importedRepeat)).toEqual([
        expect.objectContaining({ ground: 'repeat', repeatOfTicketId: s.closed, person: '张三' }),
      ]);
      expect(await recordsOf(importedPlain)).toEqual([]);
      expect(await repeatRows()).toBe(3);
    });

    it('answers with the documented schema of the accountability page', async () => {
      const docs = await t.http().get('/api/docs-json');
      expect(docs.status).toBe(200);
      const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
      const validate = ajv.compile(docs.body.components.schemas.AccountabilityPage);
      const res = await t.http().get(`/api/v1/accountability?unitId=${s.township}`).set(bearer(s.leader));
      expect(res.body.items).toHaveLength(3);
      expect(validate(res.body) ? '' : ajv.errorsText(validate.errors)).toBe('');
      // A ground the API does not know is not a valid answer.
      expect(validate({ ...res.body, items: [{ ...res.body.items[0], ground: 'late' }] })).toBe(false);
    });

    it('shows the ground on the console’s accountability page, in Chinese and in English', async () => {
      const agent = await consoleSignIn(t, 'zc_leader');
      const page = await agent.get(`/accountability-records?unitId=${s.township}`).expect(200);
      const closedCode = await codeOf(s.closed);
      expect(page.text).toContain('<td class="ground g-repeat">屡查屡犯');
      expect(page.text).toContain(`重复已销号问题 <a href="/tickets/${s.closed}">${closedCode}</a>`);
      await agent.get('/lang/en?next=/accountability-records');
      const en = await agent.get(`/accountability-records?unitId=${s.township}`).expect(200);
      expect(en.text).toContain('<td class="ground g-repeat">repeat problem');
    });
  });

  describe('off (the default)', () => {
    const clock = new FakeClock('2026-06-20T00:00:00Z');
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({ clock });
    });
    afterAll(() => t.close());

    it('flags the repeat and opens no record', async () => {
      expect(t.config.REPEAT_ACCOUNTABILITY).toBe('off');
      const s = await withClosedProblem(t, clock);
      const res = await t
        .http()
        .post('/api/v1/issues')
        .set(bearer(s.leader))
        .send({ ...REPEAT, unitId: s.v1, measures: '补齐药品' });
      expect(res.status).toBe(201);
      expect(res.body.flags).toEqual(['repeat']);
      const rows = await t.app.get(DataSource).query(`SELECT id FROM accountability_record WHERE ticket_id = $1`, [res.body.id]);
      expect(rows).toEqual([]);
    });
  });
});
