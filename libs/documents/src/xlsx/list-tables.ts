import { NotFound } from '@app/platform';
import { SOURCE_LABELS, Source, Status, STATUS_NAMES } from '@app/tickets';
import { periodLabel } from '../issue/document-content';
import { LEDGER_COLUMNS, ledgerCells, ledgerFooter, ledgerSummaries } from '../ledger/ledger-sheet';
import { LedgerRow, LedgerTotals } from '../ledger/ledger.types';
import type { Cell, SheetColumn, SheetFooter, SheetLayout, SummaryTable } from './table';
import { percent } from '../ledger/ledger-totals';
import { KIND_LABELS } from '../kinds';
import { SELF_CHECK_LABELS } from '../render/helpers';

/** The kinds of document that are lists, and so have XLSX and CSV renditions. */
export const LIST_KINDS = ['task_list', 'rectification_list', 'progress_list', 'evaluation_list', 'ledger'] as const;
export type ListKind = (typeof LIST_KINDS)[number];

export function isListKind(kind: string): kind is ListKind {
  return (LIST_KINDS as readonly string[]).includes(kind);
}

/** The title lines of a list: from the document's header when it is a document of record. */
export interface ListHeading {
  title?: string;
  subtitle?: string;
}

/** A list ready to be written: layout, rows, totals and summaries. */
export interface ListTable {
  layout: SheetLayout;
  rows: Cell[][];
  footer: SheetFooter;
  summaries: SummaryTable[];
}

/** The data of a ledger document: the rows and totals as the ledger route gives them. */
export interface LedgerData {
  title?: string;
  subtitle?: string;
  rows: LedgerRow[];
  totals: LedgerTotals;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const n0 = (v: unknown): number => num(v) ?? 0;
const round4 = (v: number) => Math.round(v * 10000) / 10000;

/** A month as 2026年7月; anything else as it is. */
function monthLabel(period: unknown): string {
  const p = text(period);
  return p && /^\d{4}-(0[1-9]|1[0-2])$/.test(p) ? periodLabel(p, 'zh') : (p ?? '');
}

const heading = (h: ListHeading | undefined, title: string, subtitle?: string) => ({
  title: h?.title ?? title,
  subtitle: h?.subtitle ?? subtitle,
});

/** 任务清单: a team's tasks with their indicators, targets and completion. */
function taskList(data: Obj, h?: ListHeading): ListTable {
  const team = text(obj(data.team).name) ?? '';
  const tasks = list(data.tasks);
  const columns: SheetColumn[] = [
    { header: '序号', width: 7 },
    { header: '任务内容', width: 40, wrap: true },
    { header: '量化指标', width: 20, wrap: true },
    { header: '目标值', width: 9 },
    { header: '计量单位', width: 9 },
    { header: '责任单位', width: 16 },
    { header: '完成时限', width: 12 },
    { header: '实际完成', width: 9 },
    { header: '完成率', width: 9, numFmt: '0.0%' },
    { header: '完成情况', width: 12 },
  ];
  const rows = tasks.map((t, i): Cell[] => [
    num(t.itemNo) ?? i + 1,
    text(t.title),
    text(t.indicator),
    num(t.target),
    text(t.measureUnit),
    text(t.unitName) ?? team,
    text(t.deadline),
    num(t.actual),
    num(t.completion),
    t.done === true ? '已完成' : t.overdue === true ? '逾期未完成' : '进行中',
  ]);
  const done = tasks.filter((t) => t.done === true).length;
  const overdue = tasks.filter((t) => t.done !== true && t.overdue === true).length;
  const completion = tasks.length ? round4(tasks.reduce((a, t) => a + n0(t.completion), 0) / tasks.length) : 1;
  const totals: Cell[] = ['合计', `${tasks.length}项`, null, null, null, null, null, null, completion, `已完成${done}项`];
  return {
    layout: { sheetName: KIND_LABELS.task_list.zh, ...heading(h, `${team}${text(data.title) ?? '任务清单'}`), columns },
    rows,
    footer: {
      totals,
      notes: [`共${tasks.length}项任务，已完成${done}项，逾期未完成${overdue}项，平均完成率${percent(completion)}。`],
    },
    summaries: [],
  };
}

/** 整改清单: every open problem with its responsible person, deadline and measures. */
function rectificationList(data: Obj, h?: ListHeading): ListTable {
  const township = text(obj(data.township).name) ?? '';
  const items = list(data.items);
  const columns: SheetColumn[] = [
    { header: '序号', width: 7 },
    { header: '问题编号', width: 18 },
    { header: '问题描述', width: 40, wrap: true },
    { header: '问题类别', width: 12 },
    { header: '问题来源', width: 10 },
    { header: '责任单位', width: 16 },
    { header: '责任人', width: 14 },
    { header: '整改时限', width: 12 },
    { header: '整改措施', width: 36, wrap: true },
    { header: '整改状态', width: 10 },
    { header: '逾期天数', width: 9 },
    { header: '整改要素缺项', width: 18 },
  ];
  const rows = items.map((t, i): Cell[] => [
    i + 1,
    text(t.code),
    text(t.title),
    text(t.category),
    SOURCE_LABELS[String(t.source) as Source] ?? text(t.source),
    text(t.unitName),
    text(t.responsible),
    text(t.deadline),
    text(t.measures),
    STATUS_NAMES[String(t.status) as Status] ?? text(t.status),
    n0(t.overdueDays) || null,
    Array.isArray(t.missing) && t.missing.length ? t.missing.join('、') : null,
  ]);
  const overdue = items.filter((t) => n0(t.overdueDays) > 0).length;
  const incomplete = items.filter((t) => Array.isArray(t.missing) && t.missing.length).length;
  const totals: Cell[] = [
    '合计',
    `问题${items.length}个`,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    `逾期${overdue}个`,
    `缺项${incomplete}个`,
  ];
  return {
    layout: { sheetName: KIND_LABELS.rectification_list.zh, ...heading(h, `${township}${monthLabel(data.period)}问题整改清单`), columns },
    rows,
    footer: { totals, notes: [`待整改问题${items.length}个，其中逾期未整改${overdue}个，整改要素不全${incomplete}个。`] },
    summaries: [],
  };
}

/** 进度清单: per team, this month's tasks and close-outs, the self-check, next month's plan, the rank. */
function progressList(data: Obj, h?: ListHeading): ListTable {
  const township = text(obj(data.township).name) ?? '';
  const rows = list(data.rows);
  const columns: SheetColumn[] = [
    { header: '排名', width: 7 },
    { header: '工作队（单位）', width: 18 },
    { header: '任务数', width: 8 },
    { header: '已完成', width: 8 },
    { header: '完成率', width: 9, numFmt: '0.0%' },
    { header: '本月发现问题', width: 12 },
    { header: '本月销号', width: 9 },
    { header: '按期销号', width: 9 },
    { header: '逾期未整改', width: 11 },
    { header: '销号退回', width: 9 },
    { header: '自查报告', width: 10 },
    { header: '下月工作计划', width: 36, wrap: true },
    { header: '得分', width: 8, numFmt: '0.00' },
  ];
  const cells = rows.map((r): Cell[] => {
    const tasks = obj(r.tasks);
    const tickets = obj(r.tickets);
    const plan = list(r.nextMonth)
      .map((n) => text(n.title))
      .filter((x): x is string => !!x);
    return [
      num(r.rank),
      text(obj(r.team).name),
      num(tasks.total),
      num(tasks.done),
      num(tasks.completion),
      num(tickets.opened),
      num(tickets.closed),
      num(tickets.closedOnTime),
      num(tickets.overdue),
      num(tickets.returned),
      SELF_CHECK_LABELS[String(r.selfCheck)]?.zh ?? text(r.selfCheck),
      plan.length ? plan.join('；') : null,
      num(r.score),
    ];
  });
  const sum = (f: (r: Obj) => unknown) => rows.reduce((a, r) => a + n0(f(r)), 0);
  const tasks = sum((r) => obj(r.tasks).total);
  const done = sum((r) => obj(r.tasks).done);
  const closed = sum((r) => obj(r.tickets).closed);
  const overdue = sum((r) => obj(r.tickets).overdue);
  const totals: Cell[] = [
    '合计',
    `${rows.length}个`,
    tasks,
    done,
    tasks ? round4(done / tasks) : 1,
    sum((r) => obj(r.tickets).opened),
    closed,
    sum((r) => obj(r.tickets).closedOnTime),
    overdue,
    sum((r) => obj(r.tickets).returned),
    `未报送${rows.filter((r) => r.selfCheck === 'missing').length}个`,
    null,
    null,
  ];
  const first = rows.find((r) => num(r.rank) === 1);
  const notes = [`${rows.length}个工作队本月任务${tasks}项、完成${done}项，销号${closed}个，逾期未整改${overdue}个。`];
  if (first) notes.push(`本月排名第一：${text(obj(first.team).name) ?? ''}。`);
  return {
    layout: { sheetName: KIND_LABELS.progress_list.zh, ...heading(h, `${township}${monthLabel(data.period)}工作进度清单`), columns },
    rows: cells,
    footer: { totals, notes },
    summaries: [],
  };
}

/** 考评清单: the month's scores by part, grade, and who was praised or criticised. */
function evaluationList(data: Obj, h?: ListHeading): ListTable {
  const township = text(obj(data.township).name) ?? '';
  const rows = list(data.rows);
  const columns: SheetColumn[] = [
    { header: '排名', width: 7 },
    { header: '工作队（单位）', width: 18 },
    { header: '任务完成', width: 9, numFmt: '0.00' },
    { header: '按期销号', width: 9, numFmt: '0.00' },
    { header: '逾期问题', width: 9, numFmt: '0.00' },
    { header: '销号退回', width: 9, numFmt: '0.00' },
    { header: '自查报告', width: 9, numFmt: '0.00' },
    { header: '总分', width: 8, numFmt: '0.00' },
    { header: '等次', width: 8 },
    { header: '通报情况', width: 10 },
    { header: '屡查屡犯', width: 9 },
    { header: '自查不实', width: 9 },
    { header: '纸面销号', width: 9 },
  ];
  const cells = rows.map((r): Cell[] => {
    const b = obj(r.breakdown);
    const integrity = obj(r.integrity);
    return [
      num(r.rank),
      text(r.unitName),
      num(b.taskCompletion),
      num(b.onTimeCloseOuts),
      num(b.overdue),
      num(b.returned),
      num(b.selfCheck),
      num(r.score),
      text(r.grade),
      r.praised === true ? '通报表扬' : r.criticised === true ? '通报批评' : null,
      num(integrity.repeats),
      num(integrity.selfCheckMissed),
      num(integrity.paperCloseOuts),
    ];
  });
  const names = (f: (r: Obj) => boolean) =>
    rows
      .filter(f)
      .map((r) => text(r.unitName))
      .filter((x): x is string => !!x);
  const praised = names((r) => r.praised === true);
  const criticised = names((r) => r.criticised === true && r.praised !== true);
  const average = rows.length ? Math.round((rows.reduce((a, r) => a + n0(r.score), 0) / rows.length) * 100) / 100 : null;
  const totals: Cell[] = ['平均', `${rows.length}个`, null, null, null, null, null, average, null, null, null, null, null];
  const notes = [
    `通报表扬：${praised.length ? praised.join('、') : '无'}。`,
    `通报批评：${criticised.length ? criticised.join('、') : '无'}。`,
  ];
  return {
    layout: { sheetName: KIND_LABELS.evaluation_list.zh, ...heading(h, `${township}${monthLabel(data.period)}考评清单`), columns },
    rows: cells,
    footer: { totals, notes },
    summaries: [],
  };
}

function ledger(data: Obj, h?: ListHeading): ListTable {
  const d = data as unknown as LedgerData;
  if (!Array.isArray(d.rows) || !d.totals) throw new NotFound('A ledger in this document');
  return {
    layout: { sheetName: KIND_LABELS.ledger.zh, ...heading(h, d.title ?? '问题整改销号台账', d.subtitle), columns: LEDGER_COLUMNS },
    rows: d.rows.map(ledgerCells),
    footer: ledgerFooter(d.totals),
    summaries: ledgerSummaries(d.totals),
  };
}

/** The table a list document is printed as, from its stored data; undefined for a kind that is not a list. */
export function listTable(kind: string, data: unknown, h?: ListHeading): ListTable | undefined {
  if (!isListKind(kind)) return undefined;
  const d = obj(data);
  switch (kind) {
    case 'task_list':
      return taskList(d, h);
    case 'rectification_list':
      return rectificationList(d, h);
    case 'progress_list':
      return progressList(d, h);
    case 'evaluation_list':
      return evaluationList(d, h);
    case 'ledger':
      return ledger(d, h);
  }
}
