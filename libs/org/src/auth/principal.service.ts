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

@Injectable()
export class PrincipalService extends PrincipalResolver {
  constructor(private readonly prepared: PreparedQueries) {
    super();
  }

  async resolve(userId: string, tokenVersion: number): Promise<Principal | undefined> {
    const rows = await this.prepared.query<PrincipalRow>(PRINCIPAL_SQL, [userId]);
    const row = rows[0];
    if (!row || !row.active || row.token_version !== tokenVersion) return undefined;
    return {
      userId: row.id,
      username: row.username,
      displayName: row.display_name,
      scope: scopeFromMemberships(row.memberships),
    };
  }
}
