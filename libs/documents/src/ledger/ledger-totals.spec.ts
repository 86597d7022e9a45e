import { closeOutRate } from '@app/tickets';
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
});
