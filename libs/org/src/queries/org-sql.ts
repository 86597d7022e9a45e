import { joinById, sqlAlias, sqlColumn, SqlJoinKind } from '@app/platform';

/**
 * The org lib's tables as other libs' SQL may name them. A query elsewhere that needs a unit's
 * name, path or zone, or a user's display name, joins through these fragments, so the table and
 * column names of units, users and memberships are written only here and in the org lib's own
 * services. Aliases and join columns are the caller's SQL: pass identifiers, never user input.
 */

export const UnitSql = {
  /** `org_unit <alias>`, for a FROM clause that walks units (children of a unit, say). */
  from(alias: string): string {
    return `org_unit ${sqlAlias(alias)}`;
  },
  /** Joins the unit whose id is `on` (a column such as `t.unit_id` or a parameter `$2`). */
  join(alias: string, on: string, kind: SqlJoinKind = 'JOIN'): string {
    return joinById('org_unit', alias, on, kind);
  },
  /** A scalar subquery: the materialised path of the unit whose id is `id`. */
  pathOf(id: string): string {
    return `(SELECT path FROM org_unit WHERE id = ${sqlColumn(id)})`;
  },
  /**
   * A scalar-row subquery (for `CROSS JOIN LATERAL`) giving `id` and `name` of the unit whose name
   * stands in the ticket codes of the unit at `path` (a column): the nearest township on the way
   * up, else the nearest county, else the root. Where another unit of the same kind shares its
   * name (城关镇 in two counties), its parent's short name goes before it (宣恩城关镇): the parent
   * without white space, '/' or '-', and without its last character of kind when longer than two
   * (宣恩县 → 宣恩).
   */
  codeUnit(path: string): string {
    const parent = `regexp_replace(coalesce(p.name, ''), '[[:space:]/-]', '', 'g')`;
    return `(SELECT c.id, CASE WHEN EXISTS (SELECT 1 FROM org_unit o WHERE o.name = c.name AND o.kind = c.kind AND o.id <> c.id)
                             THEN CASE WHEN char_length(${parent}) > 2 AND ${parent} ~ '[县市区旗州盟]$'
                                       THEN left(${parent}, -1) ELSE ${parent} END
                             ELSE '' END || c.name AS name
               FROM org_unit c LEFT JOIN org_unit p ON p.id = c.parent_id
              WHERE c.id = ANY(string_to_array(btrim(${sqlColumn(path)}, '/'), '/')::uuid[])
              ORDER BY c.kind = 'township' DESC, c.kind = 'county' DESC,
                       CASE WHEN c.kind IN ('township', 'county') THEN -c.depth ELSE c.depth END
              LIMIT 1)`;
  },
} as const;

export const UserSql = {
  /** Joins the user whose id is `on`; `<alias>.display_name` is the name people read. */
  join(alias: string, on: string, kind: SqlJoinKind = 'LEFT JOIN'): string {
    return joinById('app_user', alias, on, kind);
  },
} as const;
