import type { OutputData, TaskView } from '@app/cycles';
import type { CycleDocumentKind, Locale } from '../kinds';
import { documentData } from '../wording/bulletin-wording';
import type { DocumentHeader, DocumentSnapshot } from './snapshot';

const township = { id: '00000000-0000-4000-8000-000000000001', name: '中厂镇' };
const team = (n: number, name: string) => ({ id: `00000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`, name });
const first = team(1, '中厂镇第一社区');
const second = team(2, '中厂镇第二社区');
const third = team(3, '中厂镇第三社区');

const breakdown = (t: number | null) => ({ taskCompletion: t, onTimeCloseOuts: 25, overdue: 20, returned: 5, selfCheck: 10 });

const task = (itemNo: number, patch: Partial<TaskView>): TaskView => ({
  id: `00000000-0000-4000-8000-00000000030${itemNo}`,
  taskListId: '00000000-0000-4000-8000-000000000201',
  itemNo,
  title: '',
  indicator: null,
  target: null,
  measureUnit: null,
  unitId: first.id,
  unitName: first.name,
  deadline: '2026-07-31',
  actual: 0,
  completion: 0,
  done: false,
  overdue: false,
  period: '2026-07',
  dispatched: true,
  ...patch,
});

const openTicket = (n: number, patch: Partial<OutputData['rectification_list']['items'][number]>) => ({
  id: `00000000-0000-4000-8000-00000000040${n}`,
  code: `ZC-2026-000${n}`,
  title: '',
  unitId: first.id,
  unitName: first.name,
  category: null,
  source: 'self_check',
  responsible: null,
  deadline: null,
  measures: null,
  status: 'open',
  overdueDays: 0,
  missing: [],
  ...patch,
});

/** Sample data of each kind as the cycle steps write it (cycle_output.data), of the declared types. */
export const SAMPLE_DATA: { [K in CycleDocumentKind]: OutputData[K] } = {
  task_list: {
    taskListId: '00000000-0000-4000-8000-000000000201',
    title: '中厂镇7月重点工作任务清单',
    team: first,
    tasks: [
      task(1, { title: '入户走访', indicator: '走访贫困户', target: 30, measureUnit: '户', deadline: '2026-07-20' }),
      task(2, { title: '政策宣讲' }),
    ],
  },
  self_check_report: {
    team: first,
    filed: true,
    onTime: true,
    filedAt: '2026-07-05T02:00:00.000Z',
    summary: '对照“两不愁三保障”逐户自查，发现问题1个。',
    checklist: [
      { item: '“八个一批”落实情况', status: 'done', note: null },
      { item: '帮扶手册填写', status: 'partial', note: '3户待补' },
    ],
    problems: [{ code: 'ZC-2026-0001', title: '1户饮水设施老化' }],
  },
  rectification_list: {
    township,
    period: '2026-07',
    items: [
      openTicket(1, { title: '1户饮水设施老化', missing: ['责任人', '整改时限', '整改措施'] }),
      openTicket(2, {
        title: '危房改造档案不全',
        unitId: second.id,
        unitName: second.name,
        source: 'patrol',
        responsible: '王明',
        measures: '补齐档案资料',
        deadline: '2026-06-10',
        status: 'in_progress',
        overdueDays: 35,
      }),
    ],
  },
  progress_list: {
    township,
    period: '2026-07',
    rows: [
      {
        team: { ...first, kind: 'village' },
        tasks: { total: 2, done: 2, completion: 1 },
        tickets: { opened: 1, closed: 2, closedOnTime: 2, overdue: 0, returned: 0 },
        selfCheck: 'on_time',
        nextMonth: [{ title: '产业到户核查', indicator: null, target: null, measure_unit: null, deadline: '2026-08-20' }],
        rank: 1,
        score: 100,
      },
      {
        team: { ...second, kind: 'village' },
        tasks: { total: 1, done: 0, completion: 0.4 },
        tickets: { opened: 0, closed: 0, closedOnTime: 0, overdue: 1, returned: 1 },
        selfCheck: 'missing',
        nextMonth: [],
        rank: 2,
        score: 52.5,
      },
    ],
    ranking: [],
  },
  bulletin: {
    township,
    period: '2026-07',
    issuer: '中厂镇效能督查组',
    figures: {
      teams: 3,
      ticketsFound: 12,
      ticketsClosed: 9,
      ticketsClosedOnTime: 8,
      overdue: 2,
      tasks: 6,
      tasksDone: 5,
      selfChecksFiled: 2,
      yearFound: 165,
      yearClosed: 161,
      yearClosureRate: 0.9758,
    },
    praised: [
      {
        unitId: first.id,
        unitName: first.name,
        score: 98,
        rank: 1,
        facts: {
          tasks: { total: 2, completion: 1 },
          closedOut: 2,
          closedOnTime: 2,
          overdue: 1,
          overdueBeyondLimit: 0,
          returned: 0,
          selfCheck: 'late',
        },
      },
    ],
    criticised: [
      {
        unitId: second.id,
        unitName: second.name,
        score: 52.5,
        rank: 3,
        facts: {
          tasks: { total: 1, completion: 0.9 },
          closedOut: 0,
          closedOnTime: 0,
          overdue: 1,
          overdueBeyondLimit: 1,
          returned: 0,
          selfCheck: 'on_time',
        },
      },
    ],
    problems: {
      missingSelfCheck: ['中厂镇第二社区'],
      overdue: { tickets: 2, teams: 1 },
      lowTaskCompletion: [],
      lateCloseOuts: 0,
      repeats: [{ team: third.name, code: '中厂镇-2026-0031', title: '村卫生室未配备常用药品', repeatOf: ['中厂镇-2026-0004'] }],
      selfCheckMissed: [{ team: second.name, codes: ['中厂镇-2026-0028'] }],
      paperCloseOuts: [{ team: first.name, code: '中厂镇-2026-0012', title: '王某某户危房改造屋面未完工', warnings: ['duplicate'] }],
    },
    thresholds: { overdueDaysLimit: 30, lowTaskCompletion: 0.8 },
    nextSteps: ['各工作队要对照问题清单，明确责任人、整改时限和整改措施，整改一处、销号一处。'],
    closeOutRates: [
      { unitId: first.id, unitName: first.name, found: 2, closed: 2, cancelled: 0, rate: 1 },
      { unitId: second.id, unitName: second.name, found: 2, closed: 1, cancelled: 0, rate: 0.5 },
      { unitId: third.id, unitName: third.name, found: 4, closed: 3, cancelled: 0, rate: 0.75 },
    ],
  },
  evaluation_list: {
    township,
    period: '2026-07',
    rows: [
      {
        unitId: first.id,
        unitName: first.name,
        rank: 1,
        score: 98,
        grade: '优秀',
        breakdown: breakdown(38),
        praised: true,
        criticised: false,
        integrity: { repeats: 0, selfCheckMissed: 0, paperCloseOuts: 1 },
      },
      {
        unitId: third.id,
        unitName: third.name,
        rank: 2,
        score: 81,
        grade: '良好',
        breakdown: breakdown(null),
        praised: false,
        criticised: false,
        integrity: { repeats: 1, selfCheckMissed: 0, paperCloseOuts: 0 },
      },
      {
        unitId: second.id,
        unitName: second.name,
        rank: 3,
        score: 52.5,
        grade: '较差',
        breakdown: breakdown(0),
        praised: false,
        criticised: true,
        integrity: { repeats: 0, selfCheckMissed: 1, paperCloseOuts: 0 },
      },
    ],
  },
};

/** A complete snapshot of a kind, to check templates at start and in tests. */
export function sampleSnapshot(kind: CycleDocumentKind, locale: Locale = 'zh', header: Partial<DocumentHeader> = {}): DocumentSnapshot {
  return {
    kind,
    locale,
    header: {
      issuer: kind === 'bulletin' ? '中厂镇效能督查组' : '中厂镇脱贫攻坚领导小组办公室',
      number: 11,
      year: 2026,
      numberLabel: kind === 'bulletin' ? '第11期' : '〔2026〕11号',
      title: kind === 'bulletin' ? '关于2026年7月脱贫攻坚工作督查情况的通报' : `中厂镇2026年7月样例`,
      unitName: kind === 'task_list' || kind === 'self_check_report' ? first.name : township.name,
      townshipName: township.name,
      period: '2026-07',
      periodLabel: locale === 'zh' ? '7月' : 'July 2026',
      issuedDate: locale === 'zh' ? '2026年7月31日' : '31 July 2026',
      timezone: 'Asia/Shanghai',
      issuedBy: null,
      corrects: null,
      ...header,
    },
    data: documentData(kind, SAMPLE_DATA[kind]),
  };
}
