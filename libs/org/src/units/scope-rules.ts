import { Grant, Role, Scope } from '@app/platform';
import type { UnitKind } from './unit-kind';

/** A membership with the paths the scope rules need. */
export interface MembershipFacts {
  role: Role;
  unitId: string | null;
  unitKind: UnitKind | null;
  unitPath: string | null;
  parentPath: string | null;
  assignedPaths: string[];
}

/** Kinds of unit on which each role may be held. */
export const ROLE_UNIT_KINDS: Record<Role, readonly UnitKind[]> = {
  admin: ['province', 'county', 'township'],
  leader: ['province', 'county', 'township', 'village', 'office', 'inspection_group'],
  member: ['village', 'office', 'township', 'inspection_group'],
  inspector: ['inspection_group', 'office'],
  viewer: ['province', 'county', 'township', 'village', 'office', 'inspection_group'],
};

export function roleKindViolation(role: Role, kind: UnitKind | null): string | undefined {
  if (kind === null) return role === 'admin' ? undefined : `the ${role} role needs a unit`;
  return ROLE_UNIT_KINDS[role].includes(kind)
    ? undefined
    : `the ${role} role is held in a ${ROLE_UNIT_KINDS[role].join(', ')}, not in a ${kind}`;
}

/**
 * The scope rules (API.md): admin sees everything (or its unit's subtree), a leader its unit and
 * everything under it, a member its own unit, a viewer reads its unit's subtree, and an inspector
 * the subtree of the unit its group sits under plus the units assigned to the group.
 */
export function scopeFromMemberships(memberships: readonly MembershipFacts[]): Scope {
  let global = false;
  const grants: Grant[] = [];
  const seats = new Set<string>();
  for (const m of memberships) {
    if (m.unitPath) seats.add(m.unitPath);
    if (m.role === 'admin' && m.unitId === null) {
      global = true;
      continue;
    }
    if (!m.unitPath) continue;
    switch (m.role) {
      case 'admin':
      case 'leader':
      case 'viewer':
        grants.push({ role: m.role, unitId: m.unitId, path: m.unitPath, subtree: true });
        break;
      case 'member':
        grants.push({ role: m.role, unitId: m.unitId, path: m.unitPath, subtree: false });
        break;
      case 'inspector':
        grants.push({ role: 'inspector', unitId: m.unitId, path: m.unitPath, subtree: true });
        if (m.parentPath) grants.push({ role: 'inspector', unitId: m.unitId, path: m.parentPath, subtree: true });
        for (const p of m.assignedPaths) grants.push({ role: 'inspector', unitId: m.unitId, path: p, subtree: true });
        break;
      default: {
        const unreachable: never = m.role;
        throw new Error(`unknown role ${String(unreachable)}`);
      }
    }
  }
  return new Scope(grants, global, [...seats]);
}
