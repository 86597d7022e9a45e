/**
 * Checks for the pieces of SQL a lib hands another to embed: an alias and a join column are the
 * calling code's own identifiers, never user input, and these refuse anything else.
 */

export type SqlJoinKind = 'JOIN' | 'LEFT JOIN';

/** A table alias: `u`, `team_unit`. */
export function sqlAlias(alias: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`Not an SQL alias: ${alias}`);
  return alias;
}

/** A qualified column (`t.unit_id`) or a parameter (`$2`, `$2::uuid`). */
export function sqlColumn(expr: string): string {
  if (!/^(\$\d+(::uuid)?|[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)$/.test(expr)) throw new Error(`Not a column or parameter: ${expr}`);
  return expr;
}

/** `<kind> <table> <alias> ON <alias>.id = <on>`: the owner's table joined by its id. */
export function joinById(table: string, alias: string, on: string, kind: SqlJoinKind): string {
  const a = sqlAlias(alias);
  return `${kind} ${table} ${a} ON ${a}.id = ${sqlColumn(on)}`;
}
