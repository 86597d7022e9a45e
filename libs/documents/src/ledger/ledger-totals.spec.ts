import { closeOutRate } from '@app/tickets';
import { ledgerSummaries } from './ledger-sheet';
import { summarize } from './ledger-totals';

const group = (unitId: string, patch: { found: number; closed?: number; cancelled?: number; overdue?: number; returned?: number }) => ({
  unitId,
  unitName: `单位${unitId}`,
  source: 'patrol' as const,
  closed: 0,
  closedOnTime: 0,
  overdue: 0,
  cancelled: 0,
  returned: 0,
  ...patch,
});

describe('ledger totals', () => {
  it('takes every close-out rate from the one rule, over found less cancelled', () => {
    const t = summarize([group('1', { found: 165, closed: 161 }), group('2', { found: 5, closed: 2, cancelled: 1 })]);
    expect(t.byUnit.map((u) => u.closureRate)).toEqual([0.9758, 0.5]);
    expect(t.closureRate).toBe(closeOutRate({ found: 170, closed: 163, cancelled: 1 }));
    expect(t.sentence).toContain('销号率96.5%');
  });

  it('gives each unit its light from its overdue and returned tickets, by the rule it is given', () => {
    const groups = [
      group('1', { found: 4, closed: 4 }),
      group('2', { found: 4, overdue: 1 }),
      group('3', { found: 4, overdue: 1, returned: 2 }),
      group('4', { found: 4, returned: 3 }),
    ];
    expect(summarize(groups).byUnit.map((u) => [u.unitName, u.light])).toEqual([
      ['单位1', 'green'],
      ['单位2', 'yellow'],
      ['单位3', 'yellow'],
      ['单位4', 'red'],
    ]);
    const strict = { red: { overdue: 1, returned: 2 }, yellow: { overdue: 1, returned: 1 } };
    expect(summarize(groups, strict).byUnit.map((u) => u.light)).toEqual(['green', 'red', 'red', 'red']);
  });

  it('counts per round in round order and per feedback document by its date, those of none last', () => {
    const doc = (round: string | null, docNumber: string | null, docDate: string | null) => ({ round, docNumber, docDate });
    const t = summarize([
      { ...group('1', { found: 3, closed: 1 }), ...doc('第十轮', '黔巡反馈〔2026〕12号', '2026-03-10') },
      { ...group('2', { found: 2, closed: 2 }), ...doc('第十轮', '黔巡反馈〔2026〕12号', '2026-03-10') },
      { ...group('1', { found: 4 }), ...doc('第二轮', '黔巡反馈〔2025〕3号', '2025-06-01') },
      { ...group('1', { found: 1 }), ...doc(null, null, null) },
      group('2', { found: 5, closed: 1 }),
    ]);
    expect(t.byRound.map((r) => [r.round, r.found, r.closed])).toEqual([
      ['第二轮', 4, 0],
      ['第十轮', 5, 3],
      [null, 6, 1],
    ]);
    expect(t.byDocument.map((d) => [d.docNumber, d.docDate, d.round, d.found])).toEqual([
      ['黔巡反馈〔2025〕3号', '2025-06-01', '第二轮', 4],
      ['黔巡反馈〔2026〕12号', '2026-03-10', '第十轮', 5],
      [null, null, null, 6],
    ]);
    const tables = ledgerSummaries(t).map((s) => [s.title, s.rows.map((r) => r[0])]);
    expect(tables.slice(2)).toEqual([
      ['按巡察轮次汇总', ['第二轮', '第十轮', '未标注轮次', '合计']],
      ['按反馈文号汇总', ['黔巡反馈〔2025〕3号', '黔巡反馈〔2026〕12号', '未标注文号', '合计']],
    ]);
    // A ledger of no round prints no round tables.
    expect(ledgerSummaries(summarize([group('1', { found: 1 })])).map((s) => s.title)).toEqual(['按问题来源汇总', '按责任单位汇总']);
  });
});
