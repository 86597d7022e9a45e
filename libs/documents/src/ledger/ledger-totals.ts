import { DEFAULT_LIGHT_RULE, teamLight, TeamLightRule } from '@app/assessment';
import { closeOutRate, percent, SOURCE_LABELS, SOURCES, Source } from '@app/tickets';
import type { LedgerCounts, LedgerRow, LedgerTotals } from './ledger.types';

/**
 * Counts of one owner unit, source, round and feedback document: what both the SQL aggregate and
 * a streamed tally produce.
 */
export interface LedgerGroup {
  unitId: string;
  unitName: string;
  source: Source;
  /** The inspection's round and feedback document; none for a ticket of no inspection that has them. */
  round?: string | null;
  docNumber?: string | null;
  docDate?: string | null;
  found: number;
  closed: number;
  closedOnTime: number;
  overdue: number;
  cancelled: number;
  /** Tickets whose close-out was sent back at least once. */
  returned: number;
}

type Sums = Omit<LedgerGroup, 'unitId' | 'unitName' | 'source' | 'round' | 'docNumber' | 'docDate'>;

const zero = (): Sums => ({ found: 0, closed: 0, closedOnTime: 0, overdue: 0, cancelled: 0, returned: 0 });

function addTo(into: Sums, g: Sums): void {
  into.found += g.found;
  into.closed += g.closed;
  into.closedOnTime += g.closedOnTime;
  into.overdue += g.overdue;
  into.cancelled += g.cancelled;
  into.returned += g.returned;
}

function counts(s: Sums): LedgerCounts {
  return {
    found: s.found,
    closed: s.closed,
    closedOnTime: s.closedOnTime,
    closedLate: s.closed - s.closedOnTime,
    open: s.found - s.closed - s.cancelled,
    overdue: s.overdue,
    cancelled: s.cancelled,
    returned: s.returned,
    closureRate: closeOutRate(s),
  };
}

const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** A Chinese numeral up to 999 (十一, 二十, 一百零五) as a number; undefined when it is not one. */
export function chineseNumber(text: string): number | undefined {
  let total = 0;
  let digit: number | undefined;
  for (const ch of text) {
    if (ch in DIGITS) digit = DIGITS[ch];
    else if (ch === '十' || ch === '百') {
      total += (digit ?? 1) * (ch === '十' ? 10 : 100);
      digit = undefined;
    } else return undefined;
  }
  return total + (digit ?? 0);
}

/**
 * Unit names in the order officials count them: 第二社区 before 第十社区, which neither code
 * points nor pinyin give; the rest by the Chinese collation.
 */
export function compareUnitNames(a: string, b: string): number {
  const key = (name: string) =>
    name.replace(/[零〇一二两三四五六七八九十百]+|\d+/g, (m) =>
      String(/\d/.test(m) ? Number(m) : (chineseNumber(m) ?? 0)).padStart(6, '0'),
    );
  return key(a).localeCompare(key(b), 'zh-CN');
}

export { percent };

/** 第三轮 as 3, 第12轮 as 12; undefined for a round not written so. */
function roundNumber(round: string): number | undefined {
  const m = /^第(.+)轮$/.exec(round);
  if (!m) return undefined;
  return /^\d+$/.test(m[1]) ? Number(m[1]) : chineseNumber(m[1]);
}

/** Rounds in order (第二轮 before 第十轮), those of no number after them, no round last. */
function compareRounds(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null || b === null) return a === null ? 1 : -1;
  const [x, y] = [roundNumber(a), roundNumber(b)];
  if (x !== undefined && y !== undefined && x !== y) return x - y;
  if ((x === undefined) !== (y === undefined)) return x === undefined ? 1 : -1;
  return a.localeCompare(b, 'zh-CN');
}

/** Documents by date, then number; no document last. */
function compareDocuments(
  a: { docNumber: string | null; docDate: string | null },
  b: { docNumber: string | null; docDate: string | null },
): number {
  if ((a.docNumber === null) !== (b.docNumber === null)) return a.docNumber === null ? 1 : -1;
  const byDate = (a.docDate ?? '9999').localeCompare(b.docDate ?? '9999');
  return byDate || (a.docNumber ?? '').localeCompare(b.docNumber ?? '', 'zh-CN');
}

function ledgerSentence(c: LedgerCounts): string {
  const parts = [`排查出问题${c.found}个`, `已整改销号${c.closed}个`];
  if (c.closed) parts.push(`其中按期销号${c.closedOnTime}个、逾期销号${c.closedLate}个`);
  parts.push(`销号率${percent(c.closureRate)}`);
  parts.push(`逾期未整改${c.overdue}个`);
  if (c.cancelled) parts.push(`撤销${c.cancelled}个`);
  return `${parts.join('，')}。`;
}

/** The ledger's totals from per-unit, per-source counts. */
export function summarize(groups: Iterable<LedgerGroup>, lights: TeamLightRule = DEFAULT_LIGHT_RULE): LedgerTotals {
  const all = zero();
  const bySource = new Map<Source, Sums>();
  const byUnit = new Map<string, Sums & { unitName: string }>();
  const byRound = new Map<string | null, Sums>();
  const byDocument = new Map<string | null, Sums & { docNumber: string | null; docDate: string | null; round: string | null }>();
  for (const g of groups) {
    const [round, docNumber, docDate] = [g.round ?? null, g.docNumber ?? null, g.docDate ?? null];
    if (!byRound.has(round)) byRound.set(round, zero());
    addTo(byRound.get(round)!, g);
    if (!byDocument.has(docNumber)) byDocument.set(docNumber, { ...zero(), docNumber, docDate, round });
    const doc = byDocument.get(docNumber)!;
    addTo(doc, g);
    doc.docDate ??= docDate;
    doc.round ??= round;
    addTo(all, g);
    if (!bySource.has(g.source)) bySource.set(g.source, zero());
    addTo(bySource.get(g.source)!, g);
    if (!byUnit.has(g.unitId)) byUnit.set(g.unitId, { ...zero(), unitName: g.unitName });
    addTo(byUnit.get(g.unitId)!, g);
  }
  const total = counts(all);
  return {
    ...total,
    bySource: SOURCES.filter((s) => bySource.has(s)).map((s) => ({ source: s, label: SOURCE_LABELS[s], ...counts(bySource.get(s)!) })),
    byUnit: [...byUnit.entries()]
      .map(([unitId, s]) => ({ unitId, unitName: s.unitName, ...counts(s), light: teamLight(s, lights) }))
      .sort((a, b) => compareUnitNames(a.unitName, b.unitName) || a.unitId.localeCompare(b.unitId)),
    byRound: [...byRound.entries()].sort(([a], [b]) => compareRounds(a, b)).map(([round, s]) => ({ round, ...counts(s) })),
    byDocument: [...byDocument.values()]
      .sort(compareDocuments)
      .map((d) => ({ docNumber: d.docNumber, docDate: d.docDate, round: d.round, ...counts(d) })),
    sentence: ledgerSentence(total),
  };
}

/** Totals of rows as they stream past, so a file's totals row counts exactly the rows it holds. */
export class LedgerTally {
  private readonly groups = new Map<string, LedgerGroup>();

  constructor(private readonly lights: TeamLightRule = DEFAULT_LIGHT_RULE) {}

  add(row: LedgerRow): void {
    const [round, docNumber, docDate] = [row.round ?? null, row.docNumber ?? null, row.docDate ?? null];
    const key = `${row.unitId}|${row.source}|${round ?? ''}|${docNumber ?? ''}|${docDate ?? ''}`;
    let g = this.groups.get(key);
    if (!g) {
      g = { unitId: row.unitId, unitName: row.unitName, source: row.source, round, docNumber, docDate, ...zero() };
      this.groups.set(key, g);
    }
    g.found += 1;
    if (row.status === 'closed') g.closed += 1;
    if (row.closeOut === 'on_time') g.closedOnTime += 1;
    if (row.overdue) g.overdue += 1;
    if (row.status === 'cancelled') g.cancelled += 1;
    if (row.returned > 0) g.returned += 1;
  }

  totals(): LedgerTotals {
    return summarize(this.groups.values(), this.lights);
  }
}
