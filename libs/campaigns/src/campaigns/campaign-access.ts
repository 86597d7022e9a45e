import type { Principal, ScopedUnit } from '@app/platform';

/** The units the principal works in as a team (member or leader of a village or office). */
export function teamUnitIds(principal: Principal): string[] {
  return [...new Set(principal.scope.grants.filter((g) => (g.role === 'member' || g.role === 'leader') && g.unitId).map((g) => g.unitId!))];
}

/**
 * Whether a campaign over `unit` concerns the principal: they may read the unit, or they work
 * in a unit inside it (a village team sees the township's campaign, and there only its own
 * villages and those it was sent to check).
 */
export function campaignVisible(principal: Principal, unit: ScopedUnit): boolean {
  return principal.scope.canRead(unit) || principal.scope.grants.some((g) => g.path.startsWith(unit.path));
}

/** Who may run a campaign (record it, import its roster, draw samples): inspectors, leaders, admins over its unit. */
export function mayRun(principal: Principal, unit: ScopedUnit): boolean {
  return principal.scope.hasRoleOver(unit, 'inspector', 'leader', 'admin');
}

/** Who may record a verdict on a household of `village`: its team, an inspector, leader or admin over it. */
export function mayCheck(principal: Principal, village: ScopedUnit, assignedTeams: readonly string[]): boolean {
  if (principal.scope.hasRoleOver(village, 'member', 'leader', 'inspector', 'admin')) return true;
  const mine = new Set(teamUnitIds(principal));
  return assignedTeams.some((t) => mine.has(t));
}

/**
 * SQL that keeps the villages (`village path`, `village id` expressions) the principal may see
 * in a campaign: those in scope, and those its teams were assigned to check in that campaign.
 */
export function villageFilter(
  principal: Principal,
  pathExpr: string,
  idExpr: string,
  campaignParam: number,
  index: number,
): { sql: string; params: unknown[] } {
  const scope = principal.scope.sqlFilter(pathExpr, index);
  const teams = teamUnitIds(principal);
  if (!teams.length) return scope;
  const at = index + scope.params.length;
  return {
    sql: `(${scope.sql} OR ${idExpr} IN (SELECT a.village_id FROM campaign_assignment a WHERE a.campaign_id = $${campaignParam} AND a.team_id = ANY($${at}::uuid[])))`,
    params: [...scope.params, teams],
  };
}
