/** The roles a membership can carry (API.md). */
export const ROLES = ['admin', 'leader', 'member', 'inspector', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * One thing a principal may do somewhere in the org tree: act with `role` on the unit whose
 * materialised path is `path` and, when `subtree`, on everything under it.
 */
export interface Grant {
  role: Role;
  unitId: string | null;
  path: string;
  subtree: boolean;
}

export interface ScopedUnit {
  id: string;
  path: string;
}

/**
 * Which units a principal may see, and with which roles. Built by the org lib from the
 * principal's memberships; every query for scoped data filters through it.
 */
export class Scope {
  constructor(
    readonly grants: readonly Grant[],
    readonly global: boolean,
    /** The paths of the units the principal is a member of, whatever the role (for four eyes). */
    readonly seats: readonly string[] = [],
  ) {}

  static none(): Scope {
    return new Scope([], false);
  }

  private covers(grant: Grant, unit: ScopedUnit): boolean {
    return grant.subtree ? unit.path.startsWith(grant.path) : unit.path === grant.path;
  }

  canRead(unit: ScopedUnit): boolean {
    return this.global || this.grants.some((g) => this.covers(g, unit));
  }

  /**
   * Whether the principal works at this unit or somewhere under it (a village team in its
   * township). What a unit addresses to everyone under it, such as a township's supervision
   * bulletin and its ranking of the teams, reaches them even though they cannot read the rest.
   */
  worksWithin(unit: ScopedUnit): boolean {
    return this.global || this.grants.some((g) => g.path.startsWith(unit.path));
  }

  /** The paths the principal holds grants at, for SQL that asks `worksWithin`. */
  grantPaths(): string[] {
    return [...new Set(this.grants.map((g) => g.path))];
  }

  /** Roles the principal holds over this unit (a global admin holds `admin` everywhere). */
  rolesOver(unit: ScopedUnit): Set<Role> {
    const roles = new Set<Role>();
    if (this.global) roles.add('admin');
    for (const g of this.grants) if (this.covers(g, unit)) roles.add(g.role);
    return roles;
  }

  hasRoleOver(unit: ScopedUnit, ...roles: Role[]): boolean {
    const held = this.rolesOver(unit);
    return roles.some((r) => held.has(r));
  }

  /** Whether the principal holds any of `roles` anywhere. */
  holdsAny(...roles: Role[]): boolean {
    return (this.global && roles.includes('admin')) || this.grants.some((g) => roles.includes(g.role));
  }

  /**
   * SQL that keeps only rows whose unit path (the expression `pathExpr`) lies in the scope,
   * with its parameters; `index` is the number of the first placeholder.
   */
  sqlFilter(pathExpr: string, index: number, roles?: readonly Role[]): { sql: string; params: unknown[] } {
    if (this.global && (!roles || roles.includes('admin'))) return { sql: 'TRUE', params: [] };
    const grants = roles ? this.grants.filter((g) => roles.includes(g.role)) : this.grants;
    const prefixes = [...new Set(grants.filter((g) => g.subtree).map((g) => `${escapeLike(g.path)}%`))];
    const exact = [...new Set(grants.filter((g) => !g.subtree).map((g) => g.path))];
    if (!prefixes.length && !exact.length) return { sql: 'FALSE', params: [] };
    const parts: string[] = [];
    const params: unknown[] = [];
    if (prefixes.length) {
      params.push(prefixes);
      parts.push(`${pathExpr} LIKE ANY($${index + params.length - 1}::text[])`);
    }
    if (exact.length) {
      params.push(exact);
      parts.push(`${pathExpr} = ANY($${index + params.length - 1}::text[])`);
    }
    return { sql: `(${parts.join(' OR ')})`, params };
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
