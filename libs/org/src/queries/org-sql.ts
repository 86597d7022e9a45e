/**
 * The org lib's tables as other libs' SQL may name them. A query elsewhere that needs a unit's
 * name, path or zone, or a user's display name, joins through these fragments, so the table and
 * column names of units, users and memberships are written only here and in the org lib's own
 * services. Aliases and join columns are the caller's SQL: pass identifiers, never user input.
 */

type JoinKind = 'JOIN' | 'LEFT JOIN';

function identifier(alias: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`Not an SQL alias: ${alias}`);
  return alias;
}

function column(expr: string): string {
  if (!/^(\$\d+(::uuid)?|[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)$/.test(expr)) throw new Error(`Not a column or parameter: ${expr}`);
  return expr;
}

export const UnitSql = {
  /** `org_unit <alias>`, for a FROM clause that walks units (children of a unit, say). */
  from(alias: string): string {
    return `org_unit ${identifier(alias)}`;
  },
  /** Joins the unit whose id is `on` (a column such as `t.unit_id` or a parameter `$2`). */
  join(alias: string, on: string, kind: JoinKind = 'JOIN'): string {
    return `${kind} org_unit ${identifier(alias)} ON ${identifier(alias)}.id = ${column(on)}`;
  },
  /** A scalar subquery: the materialised path of the unit whose id is `id`. */
  pathOf(id: string): string {
    return `(SELECT path FROM org_unit WHERE id = ${column(id)})`;
  },
} as const;

export const UserSql = {
  /** Joins the user whose id is `on`; `<alias>.display_name` is the name people read. */
  join(alias: string, on: string, kind: JoinKind = 'LEFT JOIN'): string {
    return `${kind} app_user ${identifier(alias)} ON ${identifier(alias)}.id = ${column(on)}`;
  },
} as const;
