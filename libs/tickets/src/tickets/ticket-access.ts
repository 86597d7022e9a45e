import type { Principal, ScopedUnit } from '@app/platform';
import type { Actor } from '../domain/ticket-state';

/** How a principal stands to a ticket owned by `unit` (the state machine's Actor). */
export function actorFor(principal: Principal, unit: ScopedUnit): Actor {
  const s = principal.scope;
  const grants = s.grants;
  return {
    owner: grants.some((g) => (g.role === 'member' || g.role === 'leader') && g.path === unit.path),
    leader: s.hasRoleOver(unit, 'leader'),
    ancestorLeader: grants.some((g) => g.role === 'leader' && g.subtree && g.path !== unit.path && unit.path.startsWith(g.path)),
    inspector: s.hasRoleOver(unit, 'inspector'),
    admin: s.hasRoleOver(unit, 'admin'),
  };
}

/** Who may create findings and tickets in a unit: inspectors, leaders and admins over it. */
export function mayRaise(principal: Principal, unit: ScopedUnit): boolean {
  return principal.scope.hasRoleOver(unit, 'inspector', 'leader', 'admin');
}
