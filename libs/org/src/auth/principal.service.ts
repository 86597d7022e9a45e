import { Injectable } from '@nestjs/common';
import { PreparedQueries, Principal, PrincipalResolver } from '@app/platform';
import { MembershipFacts, scopeFromMemberships } from '../units/scope-rules';

interface PrincipalRow {
  id: string;
  username: string;
  display_name: string;
  active: boolean;
  token_version: number;
  memberships: MembershipFacts[];
}

/** Loads a user with every membership and the paths its scope needs, in one query. */
export const PRINCIPAL_SQL = `
  SELECT u.id, u.username, u.display_name, u.active, u.token_version,
         coalesce(json_agg(json_build_object(
           'role', m.role,
           'unitId', m.unit_id,
           'unitKind', ou.kind,
           'unitPath', ou.path,
           'parentPath', p.path,
           'assignedPaths', coalesce((SELECT json_agg(a.path) FROM inspection_assignment ia
                                        JOIN org_unit a ON a.id = ia.unit_id
                                       WHERE ia.group_id = m.unit_id), '[]'::json)
         )) FILTER (WHERE m.id IS NOT NULL), '[]'::json) AS memberships
    FROM app_user u
    LEFT JOIN membership m ON m.user_id = u.id
    LEFT JOIN org_unit ou ON ou.id = m.unit_id
    LEFT JOIN org_unit p ON p.id = ou.parent_id
   WHERE u.id = $1
   GROUP BY u.id`;

/** The counter every change to a principal's makings moves (see the principal_epoch migration). */
const EPOCH_SQL = `SELECT epoch FROM principal_epoch`;

/** The principal's row with the counter as it stood when the row was read (one statement, one snapshot). */
const PRINCIPAL_WITH_EPOCH_SQL = `SELECT (SELECT epoch FROM principal_epoch) AS epoch, p.* FROM (${PRINCIPAL_SQL}) p`;

interface Loaded {
  epoch: string;
  row: PrincipalRow | undefined;
  principal: Principal | undefined;
}

/** Principals kept at most; past that the longest kept goes first. */
const KEPT = 5000;

/**
 * Resolves a token's user to a principal. The principal's makings (user, memberships, units,
 * assignments) are read once and kept with the principal counter they were read at; later
 * requests read only the counter, a one-row table, and read the makings again once any of them
 * has changed anywhere, so a disabled user, a changed password or a removed membership takes
 * effect at the next request on every process.
 */
@Injectable()
export class PrincipalService extends PrincipalResolver {
  private readonly kept = new Map<string, Loaded>();

  constructor(private readonly prepared: PreparedQueries) {
    super();
  }

  async resolve(userId: string, tokenVersion: number): Promise<Principal | undefined> {
    const known = this.kept.get(userId);
    if (known) {
      const [{ epoch }] = await this.prepared.query<{ epoch: string }>(EPOCH_SQL, []);
      if (epoch === known.epoch) return this.admit(known, tokenVersion);
    }
    return this.admit(await this.load(userId), tokenVersion);
  }

  private admit(loaded: Loaded, tokenVersion: number): Principal | undefined {
    const row = loaded.row;
    return row && row.active && row.token_version === tokenVersion ? loaded.principal : undefined;
  }

  private async load(userId: string): Promise<Loaded> {
    const rows = await this.prepared.query<PrincipalRow & { epoch: string }>(PRINCIPAL_WITH_EPOCH_SQL, [userId]);
    const row = rows[0] as (PrincipalRow & { epoch: string }) | undefined;
    const [{ epoch }] = row ? [row] : await this.prepared.query<{ epoch: string }>(EPOCH_SQL, []);
    const loaded: Loaded = {
      epoch,
      row,
      principal: row
        ? { userId: row.id, username: row.username, displayName: row.display_name, scope: scopeFromMemberships(row.memberships) }
        : undefined,
    };
    this.kept.delete(userId);
    this.kept.set(userId, loaded);
    if (this.kept.size > KEPT) this.kept.delete(this.kept.keys().next().value!);
    return loaded;
  }
}
