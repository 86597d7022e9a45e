import { DEFAULT_LIGHT_RULE, teamLight, TeamLightRule } from '@app/assessment';
import { closeOutRate, percent, SOURCE_LABELS, SOURCES, Source } from '@app/tickets';
import type { LedgerCounts, LedgerRow, LedgerTotals } from './ledger.types';

/** Counts of one owner unit and source: what both the SQL aggregate and a streamed tally produce. */
export interface LedgerGroup {
  unitId: string;
  unitName: string;
  source: Source;
  found: number;
  closed: number;
  closedOnTime: number;
  overdue: number;
  cancelled: number;
  /** Tickets whose close-out was sent back at least once. */
  returned: number;
}

type Sums = Omit<LedgerGroup, 'unitId' | 'unitName' | 'source'>;

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
  for (const g of groups) {
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
    sentence: ledgerSentence(total),
  };
}

/** Totals of rows as they stream past, so a file's totals row counts exactly the rows it holds. */
export class LedgerTally {
  private readonly groups = new Map<string, LedgerGroup>();

  constructor(private readonly lights: TeamLightRule = DEFAULT_LIGHT_RULE) {}

  add(row: LedgerRow): void {
    const key = `${row.unitId}|${row.source}`;
    let g = this.groups.get(key);
    if (!g) {
      g = { unitId: row.unitId, unitName: row.unitName, source: row.source, ...zero() };
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
