import fc from 'fast-check';
import { DEFAULT_RULES, rank, score, TeamMetrics, validateRules } from './scoring';

const team = (name: string, patch: Partial<TeamMetrics> = {}): TeamMetrics => ({
  unitId: `id-${name}`,
  unitName: name,
  tasks: { total: 4, completion: 1 },
  closeOuts: { closed: 4, onTime: 4 },
  overdue: 0,
  returned: 0,
  selfCheck: 'on_time',
  ...patch,
});

describe('score', () => {
  it('gives a team that did everything on time the full 100', () => {
    expect(score(team('满分'))).toEqual({
      score: 100,
      breakdown: { taskCompletion: 40, onTimeCloseOuts: 25, overdue: 20, returned: 5, selfCheck: 10 },
    });
  });

  it.each([
    ['half the tasks done', { tasks: { total: 2, completion: 0.5 } }, 80, 'taskCompletion', 20],
    ['one close-out of four late', { closeOuts: { closed: 4, onTime: 3 } }, 93.75, 'onTimeCloseOuts', 18.75],
    ['two overdue tickets', { overdue: 2 }, 92, 'overdue', 12],
    ['overdue past the tolerance', { overdue: 9 }, 80, 'overdue', 0],
    ['one returned close-out', { returned: 1 }, 99, 'returned', 4],
    ['a late self-check', { selfCheck: 'late' as const }, 95, 'selfCheck', 5],
    ['no self-check', { selfCheck: 'missing' as const }, 90, 'selfCheck', 0],
    ['nothing to do this month', { tasks: { total: 0, completion: 0 }, closeOuts: { closed: 0, onTime: 0 } }, 100, 'taskCompletion', 40],
  ] as const)('%s', (_what, patch, total, part, value) => {
    const s = score(team('甲', patch));
    expect(s.score).toBe(total);
    expect(s.breakdown[part]).toBe(value);
  });

  it('stays within 0..100 and its parts add up, for any metrics', () => {
    fc.assert(
      fc.property(
        fc.record({
          total: fc.nat(50),
          completion: fc.double({ min: 0, max: 1, noNaN: true }),
          closed: fc.nat(50),
          late: fc.nat(50),
          overdue: fc.nat(30),
          returned: fc.nat(30),
          selfCheck: fc.constantFrom('on_time', 'late', 'missing'),
        }),
        (r) => {
          const s = score(
            team('x', {
              tasks: { total: r.total, completion: r.completion },
              closeOuts: { closed: r.closed, onTime: Math.max(0, r.closed - r.late) },
              overdue: r.overdue,
              returned: r.returned,
              selfCheck: r.selfCheck,
            }),
          );
          expect(s.score).toBeGreaterThanOrEqual(0);
          expect(s.score).toBeLessThanOrEqual(100);
          const sum = Object.values(s.breakdown).reduce((a, b) => a + b, 0);
          expect(Math.abs(sum - s.score)).toBeLessThan(0.011);
        },
      ),
    );
  });
});

describe('rank', () => {
  it('orders by score and numbers 1..n without gaps', () => {
    const ranked = rank([team('乙', { overdue: 1 }), team('甲'), team('丙', { selfCheck: 'missing' })]);
    expect(ranked.map((r) => [r.unitName, r.rank, r.score])).toEqual([
      ['甲', 1, 100],
      ['乙', 2, 96],
      ['丙', 3, 90],
    ]);
  });

  it('breaks ties the same way every time, whatever the input order', () => {
    const tied = [
      team('第二社区', { tasks: { total: 4, completion: 0.5 }, closeOuts: { closed: 0, onTime: 0 } }),
      team('第一社区', { tasks: { total: 4, completion: 0.5 }, closeOuts: { closed: 0, onTime: 0 } }),
      team('第三社区', { tasks: { total: 4, completion: 0.5 }, closeOuts: { closed: 2, onTime: 2 } }),
    ];
    const expected = rank(tied).map((r) => r.unitName);
    expect(expected[0]).toBe('第三社区'); // same score, more on-time close-outs
    fc.assert(
      fc.property(fc.shuffledSubarray(tied, { minLength: 3, maxLength: 3 }), (shuffled) => {
        expect(rank(shuffled).map((r) => r.unitName)).toEqual(expected);
      }),
    );
  });

  it('checks a rules file', () => {
    expect(validateRules(DEFAULT_RULES)).toEqual([]);
    expect(validateRules({ ...DEFAULT_RULES, overdueTolerance: 0, weights: { ...DEFAULT_RULES.weights, selfCheck: -1 } })).toEqual([
      'weights.selfCheck: must be 0 to 100',
      'overdueTolerance: must be 1 or more',
    ]);
  });
});
