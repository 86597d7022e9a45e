import { warningNames } from '../wording/dossier-wording';
import type { Cell, SheetColumn, SheetFooter, SummaryTable } from '../xlsx/table';
import type { LedgerCounts, LedgerRow, LedgerTotals } from './ledger.types';

/** The ledger's columns, in the order officials keep them. */
export const LEDGER_COLUMNS: SheetColumn[] = [
  { header: '序号', width: 7 },
  { header: '问题编号', width: 18 },
  { header: '问题来源', width: 10 },
  { header: '检查批次', width: 24, wrap: true },
  { header: '巡察轮次', width: 10 },
  { header: '反馈文号', width: 22, wrap: true },
  { header: '问题描述', width: 40, wrap: true },
  { header: '问题类别', width: 12 },
  { header: '责任单位', width: 16 },
  { header: '责任人', width: 14 },
  { header: '发现日期', width: 12 },
  { header: '原定整改时限', width: 13 },
  { header: '整改时限', width: 12 },
  { header: '整改措施', width: 36, wrap: true },
  { header: '整改状态', width: 10 },
  { header: '销号日期', width: 12 },
  { header: '销号情况', width: 16 },
  { header: '验收人', width: 14 },
  { header: '屡查屡犯', width: 18, wrap: true },
  { header: '佐证预警', width: 18, wrap: true },
];

/** 按期/逾期销号 for a closed ticket, 逾期未整改 with its days for an overdue one. */
function closeOutCell(r: LedgerRow): string | null {
  if (r.closeOutLabel) return r.closeOutLabel;
  return r.overdue ? `逾期未整改（${r.daysOverdue}天）` : null;
}

export function ledgerCells(r: LedgerRow): Cell[] {
  return [
    r.seq,
    r.code,
    r.sourceLabel,
    r.inspectionTitle,
    r.round ?? null,
    r.docNumber ? (r.docDate ? `${r.docNumber}（${r.docDate}）` : r.docNumber) : null,
    r.title,
    r.category,
    r.unitName,
    r.responsible,
    r.foundOn,
    r.originalDeadline,
    r.deadline,
    r.measures,
    r.statusLabel,
    r.closedOn,
    closeOutCell(r),
    r.verifier,
    r.repeatOf?.length ? `重复${r.repeatOf.join('、')}` : null,
    warningNames(r.evidenceWarnings).join('、') || null,
  ];
}

const column = (header: string) => LEDGER_COLUMNS.findIndex((c) => c.header === header);

export function ledgerFooter(t: LedgerTotals): SheetFooter {
  const totals: Cell[] = LEDGER_COLUMNS.map(() => null);
  totals[0] = '合计';
  totals[1] = `问题${t.found}个`;
  totals[column('整改状态')] = `已销号${t.closed}个`;
  totals[column('销号情况')] = `逾期未整改${t.overdue}个`;
  return { totals, notes: [t.sentence] };
}

const COUNT_COLUMNS: SheetColumn[] = [
  { header: '排查问题', width: 10 },
  { header: '已销号', width: 10 },
  { header: '按期销号', width: 10 },
  { header: '逾期销号', width: 10 },
  { header: '逾期未整改', width: 12 },
  { header: '撤销', width: 8 },
  { header: '销号率', width: 10, numFmt: '0.0%' },
];

const countCells = (c: LedgerCounts): Cell[] => [c.found, c.closed, c.closedOnTime, c.closedLate, c.overdue, c.cancelled, c.closureRate];

/**
 * Totals by source and by owner unit, with the overall line last in each; by round and by
 * feedback document when any ticket has one (ledgers issued before rounds were kept have none).
 */
export function ledgerSummaries(t: LedgerTotals): SummaryTable[] {
  const rounds = t.byRound ?? [];
  const documents = t.byDocument ?? [];
  const byRound: SummaryTable[] = rounds.some((r) => r.round !== null)
    ? [
        {
          title: '按巡察轮次汇总',
          columns: [{ header: '巡察轮次', width: 18 }, ...COUNT_COLUMNS],
          rows: [...rounds.map((r) => [r.round ?? '未标注轮次', ...countCells(r)]), ['合计', ...countCells(t)]],
        },
      ]
    : [];
  const byDocument: SummaryTable[] = documents.some((d) => d.docNumber !== null)
    ? [
        {
          title: '按反馈文号汇总',
          columns: [
            { header: '反馈文号', width: 24 },
            { header: '反馈日期', width: 12 },
            { header: '巡察轮次', width: 10 },
            ...COUNT_COLUMNS,
          ],
          rows: [
            ...documents.map((d) => [d.docNumber ?? '未标注文号', d.docDate, d.round, ...countCells(d)]),
            ['合计', null, null, ...countCells(t)],
          ],
        },
      ]
    : [];
  return [
    {
      title: '按问题来源汇总',
      columns: [{ header: '问题来源', width: 18 }, ...COUNT_COLUMNS],
      rows: [...t.bySource.map((s) => [s.label, ...countCells(s)]), ['合计', ...countCells(t)]],
    },
    {
      title: '按责任单位汇总',
      columns: [{ header: '责任单位', width: 18 }, ...COUNT_COLUMNS],
      rows: [...t.byUnit.map((u) => [u.unitName, ...countCells(u)]), ['合计', ...countCells(t)]],
    },
    ...byRound,
    ...byDocument,
  ];
}
