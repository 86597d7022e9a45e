import type { UnitKind } from '../units/unit-kind';

/** Anything that runs SQL: a DataSource, or the EntityManager of the caller's transaction. */
export interface Queryable {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

/** A unit as other libs need it: who it is, where it sits in the tree, which zone its day runs in. */
export interface UnitRef {
  id: string;
  name: string;
  kind: UnitKind;
  path: string;
  depth: number;
  parentId: string | null;
  code: string | null;
  timezone: string;
  createdAt: Date;
}

/** A unit's location (WGS-84 degrees), or the ancestor's that stands for it. */
export interface UnitLocation {
  unitId: string;
  unitName: string;
  lat: number;
  lon: number;
}

const COLUMNS = `id, name, kind, path, depth, parent_id AS "parentId", code, timezone, created_at AS "createdAt"`;

function likePrefix(path: string): string {
  return `${path.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Reads of the org tree for other libs. Each takes the caller's `Queryable`, so a read inside a
 * transaction sees that transaction's rows and locks.
 */
export const Units = {
  /**
   * One unit, or null. `lock: 'share'` holds it against being moved or removed until the caller's
   * transaction ends (a team filing its self-check, say).
   */
  async byId(q: Queryable, id: string, options: { lock?: 'share' } = {}): Promise<UnitRef | null> {
    const [row] = await q.query<UnitRef[]>(`SELECT ${COLUMNS} FROM org_unit WHERE id = $1${options.lock ? ' FOR SHARE' : ''}`, [id]);
    return row ?? null;
  },

  /** A unit that must exist (a foreign key says so): an error if it does not. */
  async existing(q: Queryable, id: string): Promise<UnitRef> {
    const unit = await Units.byId(q, id);
    if (!unit) throw new Error(`org unit ${id} does not exist`);
    return unit;
  },

  async byIds(q: Queryable, ids: readonly string[]): Promise<UnitRef[]> {
    if (ids.length === 0) return [];
    return q.query<UnitRef[]>(`SELECT ${COLUMNS} FROM org_unit WHERE id = ANY($1::uuid[])`, [[...new Set(ids)]]);
  },

  /** The units by id, as a map; ids that are not units are absent. */
  async mapByIds(q: Queryable, ids: readonly string[]): Promise<Map<string, UnitRef>> {
    return new Map((await Units.byIds(q, ids)).map((u) => [u.id, u]));
  },

  /** Every unit, for the demo seed and other whole-tree work. */
  async all(q: Queryable): Promise<UnitRef[]> {
    return q.query<UnitRef[]>(`SELECT ${COLUMNS} FROM org_unit ORDER BY path`);
  },

  /** The first unit with this exact name (the demo seed looks its township up by name). */
  async firstNamed(q: Queryable, name: string): Promise<UnitRef | null> {
    const [row] = await q.query<UnitRef[]>(`SELECT ${COLUMNS} FROM org_unit WHERE name = $1 ORDER BY path LIMIT 1`, [name]);
    return row ?? null;
  },

  /**
   * A unit's direct children of the given kinds: a township's teams are its villages, then its
   * offices, each by name.
   */
  async childrenOf(q: Queryable, parentId: string, kinds: readonly UnitKind[]): Promise<UnitRef[]> {
    return q.query<UnitRef[]>(
      `SELECT ${COLUMNS} FROM org_unit WHERE parent_id = $1 AND kind = ANY($2::text[]) ORDER BY kind DESC, name, id`,
      [parentId, [...kinds]],
    );
  },

  /** Every unit under the unit at `path`, the unit itself included, by path (a findings list names any of them). */
  async subtree(q: Queryable, path: string): Promise<UnitRef[]> {
    return q.query<UnitRef[]>(`SELECT ${COLUMNS} FROM org_unit WHERE path LIKE $1 ORDER BY path`, [likePrefix(path)]);
  },

  /** Units of one kind anywhere under the unit at `path` (the unit itself included), by id. */
  async under(q: Queryable, path: string, kind: UnitKind): Promise<UnitRef[]> {
    return q.query<UnitRef[]>(`SELECT ${COLUMNS} FROM org_unit WHERE path LIKE $1 AND kind = $2 ORDER BY id`, [likePrefix(path), kind]);
  },

  /** The nearest unit of `kind` on the way up from the unit at `path` (itself when it is one). */
  async enclosing(q: Queryable, path: string, kind: UnitKind): Promise<UnitRef | null> {
    const [row] = await q.query<UnitRef[]>(
      `SELECT ${COLUMNS} FROM org_unit WHERE kind = $2 AND starts_with($1, path) ORDER BY depth DESC LIMIT 1`,
      [path, kind],
    );
    return row ?? null;
  },

  /**
   * The location that stands for the unit at `path`: its own, else its nearest ancestor's that
   * has one (a village without coordinates is judged by its township's); null when none has.
   */
  async location(q: Queryable, path: string): Promise<UnitLocation | null> {
    const [row] = await q.query<UnitLocation[]>(
      `SELECT id AS "unitId", name AS "unitName", lat, lon FROM org_unit
        WHERE starts_with($1, path) AND lat IS NOT NULL AND lon IS NOT NULL ORDER BY depth DESC LIMIT 1`,
      [path],
    );
    return row ? { ...row, lat: Number(row.lat), lon: Number(row.lon) } : null;
  },

  /**
   * Of these units, the ones whose name another unit of the same kind shares, each with its
   * parent's name: what tells two 城关镇 apart in a ticket code.
   */
  async namesakes(q: Queryable, ids: readonly string[]): Promise<Array<{ id: string; parentName: string | null }>> {
    if (ids.length === 0) return [];
    return q.query<Array<{ id: string; parentName: string | null }>>(
      `SELECT u.id, p.name AS "parentName"
         FROM org_unit u LEFT JOIN org_unit p ON p.id = u.parent_id
        WHERE u.id = ANY($1::uuid[])
          AND EXISTS (SELECT 1 FROM org_unit o WHERE o.name = u.name AND o.kind = u.kind AND o.id <> u.id)`,
      [[...new Set(ids)]],
    );
  },
} as const;

export const Memberships = {
  /** Of these units, the ones where someone holds `role` (a team with a leader of its own). */
  async unitsWithRole(q: Queryable, unitIds: readonly string[], role: string): Promise<Set<string>> {
    if (unitIds.length === 0) return new Set();
    const rows = await q.query<Array<{ unit_id: string }>>(
      `SELECT DISTINCT unit_id FROM membership WHERE unit_id = ANY($1::uuid[]) AND role = $2`,
      [[...new Set(unitIds)], role],
    );
    return new Set(rows.map((r) => r.unit_id));
  },

  /** The active users who administer this unit (its own `admin` members) and the system's administrators. */
  async administratorsOf(q: Queryable, unitId: string): Promise<string[]> {
    const rows = await q.query<Array<{ user_id: string }>>(
      `SELECT DISTINCT m.user_id FROM membership m JOIN app_user u ON u.id = m.user_id
        WHERE m.role = 'admin' AND (m.unit_id = $1 OR m.unit_id IS NULL) AND u.active
        ORDER BY m.user_id`,
      [unitId],
    );
    return rows.map((r) => r.user_id);
  },
} as const;
