import type { Principal, ScopedUnit } from '@app/platform';
import { seatOf } from '../domain/four-eyes';
import type { Actor } from '../domain/ticket-state';

/** The facts of a ticket that say how a principal stands to it. */
export interface TicketParties {
  unit_id: string;
  unit_path: string;
  started_by?: string | null;
  submitted_by?: string | null;
  extension_requested_by?: string | null;
}

/** How a principal stands to a ticket (the state machine's Actor, four eyes included). */
export function actorFor(principal: Principal, ticket: TicketParties): Actor {
  const unit: ScopedUnit = { id: ticket.unit_id, path: ticket.unit_path };
  const s = principal.scope;
  const grants = s.grants;
  const me = principal.userId;
  return {
    owner: grants.some((g) => (g.role === 'member' || g.role === 'leader') && g.path === unit.path),
    leader: s.hasRoleOver(unit, 'leader'),
    ancestorLeader: grants.some((g) => g.role === 'leader' && g.subtree && g.path !== unit.path && unit.path.startsWith(g.path)),
    inspector: s.hasRoleOver(unit, 'inspector'),
    admin: s.hasRoleOver(unit, 'admin'),
    fourEyes: {
      seats: s.seats.map((p) => seatOf(p, unit.path)),
      submitted: ticket.submitted_by === me,
      started: ticket.started_by === me,
      requested: ticket.extension_requested_by === me,
    },
  };
}

/** Who may create findings and tickets in a unit: inspectors, leaders and admins over it. */
export function mayRaise(principal: Principal, unit: ScopedUnit): boolean {
  return principal.scope.hasRoleOver(unit, 'inspector', 'leader', 'admin');
}
