/** A team's light (红黄绿灯): how its tickets stand, from its overdue and returned ones. */
export type TeamLight = 'green' | 'yellow' | 'red';

/**
 * The rule of the lights (config/ranking.yaml `lights`): a team is red from `red.overdue`
 * overdue tickets or `red.returned` returned close-outs, yellow from the `yellow` counts, green
 * below both.
 */
export interface TeamLightRule {
  red: { overdue: number; returned: number };
  yellow: { overdue: number; returned: number };
}

export const DEFAULT_LIGHT_RULE: TeamLightRule = {
  red: { overdue: 3, returned: 3 },
  yellow: { overdue: 1, returned: 1 },
};

export function teamLight(counts: { overdue: number; returned: number }, rule: TeamLightRule = DEFAULT_LIGHT_RULE): TeamLight {
  const reaches = (at: { overdue: number; returned: number }) => counts.overdue >= at.overdue || counts.returned >= at.returned;
  if (reaches(rule.red)) return 'red';
  return reaches(rule.yellow) ? 'yellow' : 'green';
}

/** Checks the lights of a rules file; each problem names its field. */
export function lightRuleProblems(rule: TeamLightRule): string[] {
  const problems: string[] = [];
  for (const level of ['red', 'yellow'] as const)
    for (const count of ['overdue', 'returned'] as const) {
      const v = rule[level]?.[count];
      if (!Number.isInteger(v) || v < 1) problems.push(`lights.${level}.${count}: must be a whole number, 1 or more`);
    }
  if (!problems.length && (rule.yellow.overdue > rule.red.overdue || rule.yellow.returned > rule.red.returned))
    problems.push('lights.yellow: must not be above lights.red');
  return problems;
}
