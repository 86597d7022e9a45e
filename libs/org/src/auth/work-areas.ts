import type { Role, Scope } from '@app/platform';

/**
 * The kinds of work a person's memberships open, whatever client they use. A team (村 or 站所)
 * works its own tickets, tasks and self-check; inspection verifies close-outs, imports findings
 * and issues documents; oversight reads a township's dashboard, task lists, ranking, calendar and
 * accountability records; administration keeps the org tree and the users. The services check
 * the same role sets on each unit; these say which areas exist for the person at all.
 */
export const AREA_ROLES = {
  team: ['member', 'leader'],
  inspection: ['inspector', 'leader', 'admin'],
  oversight: ['leader', 'viewer', 'admin'],
  administration: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type WorkArea = keyof typeof AREA_ROLES;

export interface WorkAreas {
  team: boolean;
  inspection: boolean;
  oversight: boolean;
  administration: boolean;
  /** Where the person's own work starts: the area of their most hands-on role, or none. */
  primary: WorkArea | null;
  /**
   * The person's areas in the order a menu lists them: those who lead or oversee a township see
   * its oversight first, everyone else their own hands-on work; administration comes last.
   */
  order: WorkArea[];
}

/** The order in which a person's roles say where their work starts: hands-on roles first. */
const PRIMARY: ReadonlyArray<[Role, WorkArea]> = [
  ['member', 'team'],
  ['inspector', 'inspection'],
  ['leader', 'oversight'],
  ['viewer', 'oversight'],
  ['admin', 'administration'],
];

export function workAreasOf(scope: Scope): WorkAreas {
  const open = (area: WorkArea) => scope.holdsAny(...AREA_ROLES[area]);
  const sequence: WorkArea[] = scope.holdsAny('leader', 'viewer')
    ? ['oversight', 'inspection', 'team', 'administration']
    : ['team', 'inspection', 'oversight', 'administration'];
  return {
    team: open('team'),
    inspection: open('inspection'),
    oversight: open('oversight'),
    administration: open('administration'),
    primary: PRIMARY.find(([role]) => scope.holdsAny(role))?.[1] ?? null,
    order: sequence.filter(open),
  };
}
