/** What a team did in a month, the inputs of its score. */
export interface TeamMetrics {
  unitId: string;
  unitName: string;
  /** Dispatched tasks due in the month and their mean completion (0..1). */
  tasks: { total: number; completion: number };
  /** Tickets closed out this month, and how many of them by their deadline (按期销号). */
  closeOuts: { closed: number; onTime: number };
  /** Tickets open and past their deadline at the end of the month. */
  overdue: number;
  /** Close-outs sent back by the verifier this month (退回). */
  returned: number;
  /** The monthly self-check report: filed by its due date, late, or not at all. */
  selfCheck: 'on_time' | 'late' | 'missing';
}

/** The weights of the score (config/ranking.yaml); the parts add up to `sum of weights` points. */
export interface ScoringRules {
  weights: { taskCompletion: number; onTimeCloseOuts: number; overdue: number; returned: number; selfCheck: number };
  /** How many overdue tickets (returned close-outs) take the whole part away. */
  overdueTolerance: number;
  returnedTolerance: number;
  /** Share of the self-check part a late report still earns. */
  lateSelfCheckShare: number;
}

export const DEFAULT_RULES: ScoringRules = {
  weights: { taskCompletion: 40, onTimeCloseOuts: 25, overdue: 20, returned: 5, selfCheck: 10 },
  overdueTolerance: 5,
  returnedTolerance: 5,
  lateSelfCheckShare: 0.5,
};

export interface ScoreBreakdown {
  taskCompletion: number;
  onTimeCloseOuts: number;
  overdue: number;
  returned: number;
  selfCheck: number;
}

export interface Ranked {
  unitId: string;
  unitName: string;
  score: number;
  rank: number;
  breakdown: ScoreBreakdown;
  metrics: TeamMetrics;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const clamp01 = (n: number) => Math.max(0, Math.min(1, n));

/** A team's score and its parts. A team with nothing to do in a part earns that part in full. */
export function score(m: TeamMetrics, rules: ScoringRules = DEFAULT_RULES): { score: number; breakdown: ScoreBreakdown } {
  const w = rules.weights;
  const breakdown: ScoreBreakdown = {
    taskCompletion: round2(w.taskCompletion * (m.tasks.total ? clamp01(m.tasks.completion) : 1)),
    onTimeCloseOuts: round2(w.onTimeCloseOuts * (m.closeOuts.closed ? clamp01(m.closeOuts.onTime / m.closeOuts.closed) : 1)),
    overdue: round2(w.overdue * clamp01(1 - m.overdue / rules.overdueTolerance)),
    returned: round2(w.returned * clamp01(1 - m.returned / rules.returnedTolerance)),
    selfCheck: round2(w.selfCheck * (m.selfCheck === 'on_time' ? 1 : m.selfCheck === 'late' ? rules.lateSelfCheckShare : 0)),
  };
  const total = round2(Object.values(breakdown).reduce((a, b) => a + b, 0));
  return { score: total, breakdown };
}

/**
 * Ranks teams by score. Ties are broken the same way every time: fewer overdue tickets, more
 * on-time close-outs, higher task completion, then the name and the id.
 */
export function rank(teams: readonly TeamMetrics[], rules: ScoringRules = DEFAULT_RULES): Ranked[] {
  const scored = teams.map((m) => ({ m, ...score(m, rules) }));
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      a.m.overdue - b.m.overdue ||
      b.m.closeOuts.onTime - a.m.closeOuts.onTime ||
      b.m.tasks.completion - a.m.tasks.completion ||
      a.m.unitName.localeCompare(b.m.unitName, 'zh-Hans-CN') ||
      (a.m.unitId < b.m.unitId ? -1 : a.m.unitId > b.m.unitId ? 1 : 0),
  );
  return scored.map((s, i) => ({
    unitId: s.m.unitId,
    unitName: s.m.unitName,
    score: s.score,
    rank: i + 1,
    breakdown: s.breakdown,
    metrics: s.m,
  }));
}

/** Checks a rules file; each problem names its field. */
export function validateRules(r: ScoringRules): string[] {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(r.weights))
    if (typeof v !== 'number' || !(v >= 0) || v > 100) problems.push(`weights.${k}: must be 0 to 100`);
  if (!(r.overdueTolerance >= 1)) problems.push('overdueTolerance: must be 1 or more');
  if (!(r.returnedTolerance >= 1)) problems.push('returnedTolerance: must be 1 or more');
  if (!(r.lateSelfCheckShare >= 0 && r.lateSelfCheckShare <= 1)) problems.push('lateSelfCheckShare: must be 0 to 1');
  return problems;
}
