import { DEFAULT_LIGHT_RULE, lightRuleProblems, TeamLight, teamLight, TeamLightRule } from './team-light';

/** What a team did in a month, the inputs of its score. */
export interface TeamMetrics {
  unitId: string;
  unitName: string;
  /** The unit's code (单位代码), which orders teams of equal score; null when it has none. */
  unitCode?: string | null;
  /** Dispatched tasks due in the month and their mean completion (0..1). */
  tasks: { total: number; completion: number };
  /** Tickets closed out this month, and how many of them by their deadline (按期销号). */
  closeOuts: { closed: number; onTime: number };
  /** Tickets open and past their deadline at the end of the month. */
  overdue: number;
  /** Tickets still being rectified at the end of the month, the overdue ones included. */
  active?: number;
  /** Close-outs sent back by the verifier this month (退回). */
  returned: number;
  /** The monthly self-check report: filed by its due date, late, or not at all. */
  selfCheck: 'on_time' | 'late' | 'missing';
  /** The month's cases of faked rectification, each taking `deductions` points off the score. */
  integrity?: Record<DeductionPart, number>;
}

/**
 * What is taken off a team's score per case: a problem found again after its close-out
 * (屡查屡犯), a problem supervision found that the self-check did not list (自查不实), a
 * close-out over suspect evidence (纸面销号).
 */
export const DEDUCTION_PARTS = ['repeats', 'selfCheckMissed', 'paperCloseOuts'] as const;
export type DeductionPart = (typeof DEDUCTION_PARTS)[number];

export const SCORE_PARTS = ['taskCompletion', 'onTimeCloseOuts', 'overdue', 'returned', 'selfCheck'] as const;
export type ScorePart = (typeof SCORE_PARTS)[number];

/** A grade of the evaluation list (考评等次) and the lowest score that earns it. */
export interface GradeRule {
  grade: string;
  from: number;
}

/** The ranking's rules (config/ranking.yaml). */
export interface ScoringRules {
  /** The points of each part; they need not add up to 100. */
  weights: Record<ScorePart, number>;
  /** How many overdue tickets (returned close-outs) take the whole part away. */
  overdueTolerance: number;
  returnedTolerance: number;
  /** Share of the self-check part a late report still earns. */
  lateSelfCheckShare: number;
  /** Grades, best first; the last one's `from` is 0. */
  grades: GradeRule[];
  /** Task completion below this share (0..1) is criticised and listed as a problem. */
  lowTaskCompletion: number;
  /** Team lights over overdue tickets and returned close-outs. */
  lights: TeamLightRule;
  /** Points taken off the score per case of each kind; the score does not go below 0. */
  deductions: Record<DeductionPart, number>;
}

export const DEFAULT_RULES: ScoringRules = {
  weights: { taskCompletion: 40, onTimeCloseOuts: 25, overdue: 20, returned: 5, selfCheck: 10 },
  overdueTolerance: 5,
  returnedTolerance: 5,
  lateSelfCheckShare: 0.5,
  grades: [
    { grade: '优秀', from: 90 },
    { grade: '良好', from: 80 },
    { grade: '一般', from: 60 },
    { grade: '较差', from: 0 },
  ],
  lowTaskCompletion: 0.8,
  lights: DEFAULT_LIGHT_RULE,
  deductions: { repeats: 2, selfCheckMissed: 2, paperCloseOuts: 2 },
};

/**
 * The points each part earned; null for a part that does not apply to the team this month. With
 * the month's integrity counts, the points each kind of case took off (0 or negative).
 */
export type ScoreBreakdown = Record<ScorePart, number | null> & Partial<Record<DeductionPart, number>>;

export interface Scored {
  score: number;
  breakdown: ScoreBreakdown;
  /** The weights of the parts that apply: the score is taken over these. */
  applicable: number;
  /** No part but the self-check applies: no tasks, no tickets. Such a team is never praised. */
  nothingToShow: boolean;
}

export interface Ranked extends Scored {
  unitId: string;
  unitName: string;
  rank: number;
  grade: string;
  light: TeamLight;
  metrics: TeamMetrics;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const clamp01 = (n: number) => Math.max(0, Math.min(1, n));

/**
 * Which parts apply to a team this month, and the share (0..1) of each it earned:
 * - task completion, when tasks were dispatched to it;
 * - on-time close-outs, when it closed out tickets this month: the share closed by their deadline
 *   (tickets left overdue cost points in the overdue part, not here as well);
 * - overdue, when it has tickets to rectify or closed one out this month;
 * - returned close-outs, when close-outs of its were judged this month (closed or returned);
 * - the self-check, always: a team that did not file it earns nothing for it.
 */
export function scoreParts(m: TeamMetrics, rules: ScoringRules = DEFAULT_RULES): Record<ScorePart, number | null> {
  const active = m.active ?? m.overdue;
  return {
    taskCompletion: m.tasks.total > 0 ? clamp01(m.tasks.completion) : null,
    onTimeCloseOuts: m.closeOuts.closed > 0 ? clamp01(m.closeOuts.onTime / m.closeOuts.closed) : null,
    overdue: active + m.closeOuts.closed > 0 ? clamp01(1 - m.overdue / rules.overdueTolerance) : null,
    returned: m.closeOuts.closed + m.returned > 0 ? clamp01(1 - m.returned / rules.returnedTolerance) : null,
    selfCheck: m.selfCheck === 'on_time' ? 1 : m.selfCheck === 'late' ? rules.lateSelfCheckShare : 0,
  };
}

/**
 * A team's score and its parts. A part that does not apply awards no points: the score is the
 * points earned over the weights of the parts that apply, scaled to the sum of all weights. A
 * team with nothing to show (only the self-check applies) scores just its self-check points.
 */
export function score(m: TeamMetrics, rules: ScoringRules = DEFAULT_RULES): Scored {
  const w = rules.weights;
  const shares = scoreParts(m, rules);
  const breakdown = Object.fromEntries(SCORE_PARTS.map((p) => [p, shares[p] === null ? null : round2(w[p] * shares[p])])) as ScoreBreakdown;
  const taken = m.integrity
    ? DEDUCTION_PARTS.reduce((a, p) => {
        const off = round2((m.integrity?.[p] ?? 0) * (rules.deductions?.[p] ?? 0));
        breakdown[p] = off ? -off : 0;
        return a + off;
      }, 0)
    : 0;
  const total = SCORE_PARTS.reduce((a, p) => a + w[p], 0);
  const applicable = SCORE_PARTS.reduce((a, p) => a + (shares[p] === null ? 0 : w[p]), 0);
  const earned = SCORE_PARTS.reduce((a, p) => a + (shares[p] === null ? 0 : w[p] * shares[p]), 0);
  const nothingToShow = SCORE_PARTS.every((p) => p === 'selfCheck' || shares[p] === null);
  const value = nothingToShow || applicable === 0 ? earned : (earned / applicable) * total;
  return { score: round2(Math.max(0, value - taken)), breakdown, applicable, nothingToShow };
}

/** The grade of a score: the first whose `from` it reaches. */
export function gradeOf(value: number, rules: ScoringRules = DEFAULT_RULES): string {
  return (rules.grades.find((g) => value >= g.from) ?? rules.grades[rules.grades.length - 1]).grade;
}

/** Compares two unit codes: teams with a code first, then by code. */
const byCode = (a?: string | null, b?: string | null) => (a && b ? a.localeCompare(b) : a ? -1 : b ? 1 : 0);

/**
 * The order of teams of equal score: by unit code (teams without one after), then by name in the
 * Chinese collation, then by id.
 */
export function compareEqualTeams(
  a: { unitId: string; unitName: string; unitCode?: string | null },
  b: { unitId: string; unitName: string; unitCode?: string | null },
): number {
  return (
    byCode(a.unitCode, b.unitCode) ||
    a.unitName.localeCompare(b.unitName, 'zh-Hans-CN') ||
    (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0)
  );
}

/** Competition ranks (1, 1, 3) of scores already in descending order. */
export function sharedRanks(scores: readonly number[]): number[] {
  const ranks: number[] = [];
  scores.forEach((s, i) => ranks.push(i > 0 && s === scores[i - 1] ? ranks[i - 1] : i + 1));
  return ranks;
}

/**
 * Ranks teams by score. Equal scores share a rank (1, 1, 3: competition ranking); teams of
 * equal score are listed by unit code (teams without one after), then by name in the Chinese
 * collation, then by id, so the order is the same whatever the input order.
 */
export function rank(teams: readonly TeamMetrics[], rules: ScoringRules = DEFAULT_RULES): Ranked[] {
  const scored = teams.map((m) => ({ m, ...score(m, rules) }));
  scored.sort((a, b) => b.score - a.score || compareEqualTeams(a.m, b.m));
  const ranks = sharedRanks(scored.map((s) => s.score));
  return scored.map((s, i) => {
    return {
      unitId: s.m.unitId,
      unitName: s.m.unitName,
      score: s.score,
      rank: ranks[i],
      grade: gradeOf(s.score, rules),
      light: teamLight(s.m, rules.lights),
      breakdown: s.breakdown,
      applicable: s.applicable,
      nothingToShow: s.nothingToShow,
      metrics: s.m,
    };
  });
}

/** Checks a rules file; each problem names its field. */
export function validateRules(r: ScoringRules): string[] {
  const problems: string[] = [];
  for (const k of Object.keys(r.weights ?? {}))
    if (!(SCORE_PARTS as readonly string[]).includes(k)) problems.push(`weights.${k}: not a part of the score (${SCORE_PARTS.join(', ')})`);
  for (const k of SCORE_PARTS) {
    const v = r.weights?.[k];
    if (typeof v !== 'number' || !(v >= 0) || v > 100) problems.push(`weights.${k}: must be 0 to 100`);
  }
  if (!(r.overdueTolerance >= 1)) problems.push('overdueTolerance: must be 1 or more');
  if (!(r.returnedTolerance >= 1)) problems.push('returnedTolerance: must be 1 or more');
  if (!(r.lateSelfCheckShare >= 0 && r.lateSelfCheckShare <= 1)) problems.push('lateSelfCheckShare: must be 0 to 1');
  if (!(typeof r.lowTaskCompletion === 'number' && r.lowTaskCompletion >= 0 && r.lowTaskCompletion <= 1))
    problems.push('lowTaskCompletion: must be 0 to 1');
  if (!Array.isArray(r.grades) || !r.grades.length) problems.push('grades: list at least one grade');
  else {
    r.grades.forEach((g, i) => {
      if (typeof g?.grade !== 'string' || !g.grade.trim()) problems.push(`grades.${i}.grade: must be a name`);
      if (typeof g?.from !== 'number' || !(g.from >= 0)) problems.push(`grades.${i}.from: must be a score, 0 or more`);
      else if (i > 0 && !(g.from < r.grades[i - 1].from)) problems.push(`grades.${i}.from: must be below the grade before it`);
    });
    if (r.grades[r.grades.length - 1]?.from !== 0) problems.push(`grades.${r.grades.length - 1}.from: the last grade must start at 0`);
  }
  problems.push(...lightRuleProblems(r.lights ?? ({} as TeamLightRule)));
  for (const k of DEDUCTION_PARTS) {
    const v = r.deductions?.[k];
    if (typeof v !== 'number' || !(v >= 0) || v > 100) problems.push(`deductions.${k}: must be 0 to 100`);
  }
  return problems;
}
