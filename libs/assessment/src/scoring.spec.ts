import fc from 'fast-check';
import { DEFAULT_RULES, gradeOf, rank, score, sharedRanks, TeamMetrics, validateRules } from './scoring';

const team = (name: string, patch: Partial<TeamMetrics> = {}): TeamMetrics => ({
  unitId: `id-${name}`,
  unitName: name,
  tasks: { total: 4, completion: 1 },
  closeOuts: { closed: 4, onTime: 4 },
  overdue: 0,
  active: 2,
  returned: 0,
  selfCheck: 'on_time',
  ...patch,
});

/** A team with no tasks and no tickets this month. */
const empty = (name: string, patch: Partial<TeamMetrics> = {}) =>
  team(name, { tasks: { total: 0, completion: 0 }, closeOuts: { closed: 0, onTime: 0 }, active: 0, ...patch });

describe('score', () => {
  it('gives a team that did everything on time the full 100', () => {
    expect(score(team('满分'))).toEqual({
      score: 100,
      breakdown: { taskCompletion: 40, onTimeCloseOuts: 25, overdue: 20, returned: 5, selfCheck: 10 },
      applicable: 100,
      nothingToShow: false,
    });
  });

  it('takes the configured points off per repeat, missed and paper close-out, shown in the breakdown, never below 0', () => {
    const s = score(team('屡查', { integrity: { repeats: 2, selfCheckMissed: 1, paperCloseOuts: 0 } }));
    expect(s.score).toBe(94);
    expect(s.breakdown).toMatchObject({ taskCompletion: 40, repeats: -4, selfCheckMissed: -2, paperCloseOuts: 0 });
    const rules = { ...DEFAULT_RULES, deductions: { repeats: 60, selfCheckMissed: 60, paperCloseOuts: 0 } };
    expect(score(team('不实', { integrity: { repeats: 1, selfCheckMissed: 1, paperCloseOuts: 3 } }), rules).score).toBe(0);
    expect(
      rank([team('甲', { integrity: { repeats: 0, selfCheckMissed: 0, paperCloseOuts: 1 } }), team('乙')]).map((r) => r.unitName),
    ).toEqual(['乙', '甲']);
    expect(validateRules({ ...DEFAULT_RULES, deductions: { repeats: -1, selfCheckMissed: 2, paperCloseOuts: 2 } })).toEqual([
      'deductions.repeats: must be 0 to 100',
    ]);
  });

  it.each([
    ['half the tasks done', { tasks: { total: 2, completion: 0.5 } }, 80, 'taskCompletion', 20],
    ['one close-out of four late', { closeOuts: { closed: 4, onTime: 3 } }, 93.75, 'onTimeCloseOuts', 18.75],
    ['two overdue tickets', { overdue: 2 }, 92, 'overdue', 12],
    ['overdue past the tolerance', { overdue: 9, active: 9 }, 80, 'overdue', 0],
    // Overdue tickets and no close-out this month: the on-time part does not apply, the overdue part costs.
    ['overdue, nothing closed out', { closeOuts: { closed: 0, onTime: 0 }, overdue: 2 }, 88.57, 'onTimeCloseOuts', null],
    ['one returned close-out', { returned: 1 }, 99, 'returned', 4],
    ['a late self-check', { selfCheck: 'late' as const }, 95, 'selfCheck', 5],
    ['no self-check', { selfCheck: 'missing' as const }, 90, 'selfCheck', 0],
    // No tasks dispatched: the part awards nothing and the score is taken over the other 60 points.
    ['no tasks', { tasks: { total: 0, completion: 0 } }, 100, 'taskCompletion', null],
    ['no tasks, a late self-check', { tasks: { total: 0, completion: 0 }, selfCheck: 'late' as const }, 91.67, 'selfCheck', 5],
  ] as const)('%s', (_what, patch, total, part, value) => {
    const s = score(team('甲', patch));
    expect(s.score).toBe(total);
    expect(s.breakdown[part]).toBe(value);
  });

  it('awards no points for parts that do not apply: a team with nothing to show earns only its self-check', () => {
    expect(score(empty('空'))).toEqual({
      score: 10,
      breakdown: { taskCompletion: null, onTimeCloseOuts: null, overdue: null, returned: null, selfCheck: 10 },
      applicable: 10,
      nothingToShow: true,
    });
    expect(score(empty('空', { selfCheck: 'missing' })).score).toBe(0);
    // Tickets but no close-outs this month and none overdue: only the overdue part applies of the ticket parts.
    const waiting = score(empty('等', { active: 3 }));
    expect(waiting.breakdown).toEqual({ taskCompletion: null, onTimeCloseOuts: null, overdue: 20, returned: null, selfCheck: 10 });
    expect(waiting).toMatchObject({ score: 100, applicable: 30, nothingToShow: false });
  });

  it('stays within 0..100 for any metrics', () => {
    fc.assert(
      fc.property(
        fc.record({
          total: fc.nat(50),
          completion: fc.double({ min: 0, max: 1, noNaN: true }),
          closed: fc.nat(50),
          late: fc.nat(50),
          overdue: fc.nat(30),
          open: fc.nat(30),
          returned: fc.nat(30),
          selfCheck: fc.constantFrom('on_time', 'late', 'missing'),
        }),
        (r) => {
          const s = score(
            team('x', {
              tasks: { total: r.total, completion: r.completion },
              closeOuts: { closed: r.closed, onTime: Math.max(0, r.closed - r.late) },
              overdue: r.overdue,
              active: r.overdue + r.open,
              returned: r.returned,
              selfCheck: r.selfCheck,
            }),
          );
          expect(s.score).toBeGreaterThanOrEqual(0);
          expect(s.score).toBeLessThanOrEqual(100);
          const earned = Object.values(s.breakdown).reduce<number>((a, b) => a + (b ?? 0), 0);
          expect(s.applicable).toBeGreaterThanOrEqual(10);
          if (!s.nothingToShow) expect(Math.abs((earned / s.applicable) * 100 - s.score)).toBeLessThan(0.05);
        },
      ),
    );
  });
});

describe('rank', () => {
  it('orders by score and numbers 1..n when no scores are equal', () => {
    const ranked = rank([team('乙', { returned: 1 }), team('甲'), team('丙', { selfCheck: 'missing' })]);
    expect(ranked.map((r) => [r.unitName, r.rank, r.score, r.grade])).toEqual([
      ['甲', 1, 100, '优秀'],
      ['乙', 2, 99, '优秀'],
      ['丙', 3, 90, '优秀'],
    ]);
  });

  it('puts an empty team below every team that worked, however well it filed its self-check', () => {
    const ranked = rank([
      empty('第一办'),
      empty('第二办', { selfCheck: 'missing' }),
      team('社区', { tasks: { total: 4, completion: 0.4 } }),
    ]);
    expect(ranked.map((r) => [r.unitName, r.rank, r.score, r.nothingToShow])).toEqual([
      ['社区', 1, 76, false],
      ['第一办', 2, 10, true],
      ['第二办', 3, 0, true],
    ]);
    expect(ranked[2].grade).toBe('较差');
  });

  it('gives equal scores the same rank (1, 1, 3) and lists them by unit code, then name, whatever the input order', () => {
    const tied = [
      team('第二社区', { unitCode: '422021002' }),
      team('第一社区', { unitCode: '422021001' }),
      team('第三社区', { unitCode: '422021003', returned: 1 }),
      team('站所', { unitCode: null }),
      team('办公室', { unitCode: null }),
    ];
    const expected = [
      ['第一社区', 1],
      ['第二社区', 1],
      ['办公室', 1],
      ['站所', 1],
      ['第三社区', 5],
    ];
    fc.assert(
      fc.property(fc.shuffledSubarray(tied, { minLength: tied.length, maxLength: tied.length }), (shuffled) => {
        expect(rank(shuffled).map((r) => [r.unitName, r.rank])).toEqual(expected);
      }),
    );
    expect(sharedRanks([90, 90, 80, 70, 70, 70, 10])).toEqual([1, 1, 3, 4, 4, 4, 7]);
  });

  it('gives each team its light', () => {
    const ranked = rank([team('绿'), team('黄', { overdue: 1 }), team('红', { returned: 3 })]);
    expect(Object.fromEntries(ranked.map((r) => [r.unitName, r.light]))).toEqual({ 绿: 'green', 黄: 'yellow', 红: 'red' });
  });

  it('grades by the configured thresholds', () => {
    expect([95, 90, 89.99, 80, 60, 59.5, 0].map((s) => gradeOf(s))).toEqual(['优秀', '优秀', '良好', '良好', '一般', '较差', '较差']);
    const pass = {
      ...DEFAULT_RULES,
      grades: [
        { grade: '合格', from: 60 },
        { grade: '不合格', from: 0 },
      ],
    };
    expect([60, 59].map((s) => gradeOf(s, pass))).toEqual(['合格', '不合格']);
  });

  it('checks a rules file', () => {
    expect(validateRules(DEFAULT_RULES)).toEqual([]);
    expect(validateRules({ ...DEFAULT_RULES, overdueTolerance: 0, weights: { ...DEFAULT_RULES.weights, selfCheck: -1 } })).toEqual([
      'weights.selfCheck: must be 0 to 100',
      'overdueTolerance: must be 1 or more',
    ]);
    expect(
      validateRules({
        ...DEFAULT_RULES,
        lowTaskCompletion: 80,
        grades: [
          { grade: '优秀', from: 90 },
          { grade: '良好', from: 95 },
        ],
        lights: { red: { overdue: 0, returned: 3 }, yellow: { overdue: 1, returned: 1 } },
      }),
    ).toEqual([
      'lowTaskCompletion: must be 0 to 1',
      'grades.1.from: must be below the grade before it',
      'grades.1.from: the last grade must start at 0',
      'lights.red.overdue: must be a whole number, 1 or more',
    ]);
  });
});
