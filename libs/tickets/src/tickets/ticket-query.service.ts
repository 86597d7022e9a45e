import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, Clock, NotFound, PreparedQueries, Principal } from '@app/platform';
import { UnitRef, Units, UnitSql } from '@app/org';
import { DataSource } from 'typeorm';
import { escapeLike, queryBigrams } from '../domain/search';
import { sqlOverdueAt, sqlPastEverywhereBefore, Status } from '../domain/ticket-state';
import { TICKET_COLUMNS, TicketRow, TicketView, toTicketView } from './ticket-view';

export interface TicketListQuery {
  unitId?: string;
  subtree?: boolean;
  status?: Status[];
  overdue?: boolean;
  source?: string;
  category?: string;
  q?: string;
  inspectionId?: string;
  parentId?: string;
  /**
   * Only tickets the caller may approve by role and by four eyes (the verification queue): a
   * verifier's role over the unit, no membership in the owner unit or inside it, and neither
   * started nor submitted by the caller.
   */
  approvable?: boolean;
  sort?: 'deadline' | 'created';
  order?: 'asc' | 'desc';
  page: number;
  pageSize: number;
}

/** The deepest page the subtree's overdue list answers from the per-month counts. */
const SUBTREE_OVERDUE_DEPTH = 500;

/** A subtree's overdue tickets, newest first, without other filters, on one of its first pages. */
function isSubtreeOverdue(q: TicketListQuery): boolean {
  const others = q.status?.length || q.source || q.category || q.q?.trim() || q.inspectionId || q.parentId || q.approvable;
  const newestFirst = (q.sort ?? 'created') === 'created' && (q.order ?? 'desc') === 'desc';
  return !!(q.unitId && q.subtree && q.overdue === true && !others && newestFirst && q.page * q.pageSize <= SUBTREE_OVERDUE_DEPTH);
}

export interface TicketPage {
  items: TicketView[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * Lists and searches tickets in the caller's scope. One statement per request: the unit asked
 * for (its path, to check scope), filters, the page and the total together. The matching tickets
 * are gathered once (id and sort keys only), counted and paged from there, and only the page's
 * rows are read whole and joined to their units. Gathering them in a materialized step keeps the
 * planner from walking the creation-date index in the hope of stopping after one page, which a
 * total forbids (a search on 100,000 tickets took 370 ms that way instead of 3 ms).
 * `q` finds any substring of two characters or more through the GIN index of text pieces (which
 * also holds each ticket's units and status), then checks the text itself when it is longer.
 */
@Injectable()
export class TicketQueryService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly prepared: PreparedQueries,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** The SQL of a list, for the API and for the benchmark's bare endpoint alike. */
  buildListSql(principal: Principal, q: TicketListQuery): { sql: string; params: unknown[] } {
    const params: unknown[] = [this.clock.now()];
    const add = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const scope = principal.scope.sqlFilter('t.unit_path', 2);
    params.push(...scope.params);
    if (isSubtreeOverdue(q)) return this.subtreeOverdueSql(principal, q, params);
    const where = [scope.sql];
    let target = 'NULL::text';
    // Keys of the GIN index on ticket_search_keys(): text pieces, '^unit' for the subtree, '=status'.
    const keys: string[] = [];
    if (q.unitId) {
      const id = add(q.unitId);
      // The unit's path comes back with the page, and its scope is checked on the answer.
      target = UnitSql.pathOf(id);
      if (q.subtree) {
        // An overdue list without text is one range of the open tickets' subtree-and-deadline
        // index, answered from it alone (compared bytewise, the paths from the unit's up to the
        // unit's followed by the highest character are exactly those that start with it);
        // otherwise the subtree is a key of the GIN index.
        if (q.overdue === true && !q.q?.trim()) {
          where.push(`t.unit_path COLLATE "C" >= ${target} AND t.unit_path COLLATE "C" < ${target} || chr(1114111)`);
        } else {
          keys.push(`^${q.unitId}`);
          where.push(`starts_with(t.unit_path, ${target})`);
        }
      } else where.push(`t.unit_id = ${id}::uuid`);
    }
    if (q.overdue !== undefined) {
      const overdue = sqlOverdueAt('$1');
      where.push(q.overdue ? overdue : `NOT ${overdue}`);
    }
    if (q.source) where.push(`t.source = ${add(q.source)}`);
    if (q.category) where.push(`t.category = ${add(q.category)}`);
    if (q.inspectionId) where.push(`t.inspection_id = ${add(q.inspectionId)}`);
    if (q.parentId) where.push(`t.parent_id = ${add(q.parentId)}`);
    if (q.approvable) {
      const verifier = principal.scope.sqlFilter('t.unit_path', params.length + 1, ['inspector', 'leader', 'admin']);
      params.push(...verifier.params);
      const me = add(principal.userId);
      where.push(
        verifier.sql,
        'NOT t.is_common',
        `NOT EXISTS (SELECT 1 FROM unnest(${add([...principal.scope.seats])}::text[]) AS seat WHERE starts_with(seat, t.unit_path))`,
        `t.started_by IS DISTINCT FROM ${me}::uuid AND t.submitted_by IS DISTINCT FROM ${me}::uuid`,
      );
    }
    const text = q.q?.trim();
    if (text) {
      const grams = queryBigrams(text) ?? [];
      keys.push(...grams);
      // Two characters are one piece, and holding the piece is containing the text: the index
      // answer is exact. Longer texts are checked, since their pieces may sit apart.
      if (!(grams.length === 1 && [...text].length === 2)) {
        where.push(`(t.title || ' ' || coalesce(t.description, '')) ILIKE ${add(`%${escapeLike(text)}%`)}`);
      }
    }
    const indexed = 'ticket_search_keys(t.search_grams, t.unit_path, t.status)';
    if (keys.length) where.push(`${indexed} @> ${add(keys)}::text[]`);
    // With the index in use, the states are asked of it too (a plain status test would also
    // drag in the partial deadline index, a bitmap of every open ticket).
    if (q.status?.length) {
      where.push(keys.length ? `${indexed} && ${add(q.status.map((s) => `=${s}`))}::text[]` : `t.status = ANY(${add(q.status)}::text[])`);
    }
    const dir = q.order === 'desc' ? 'DESC' : q.order === 'asc' ? 'ASC' : q.sort === 'deadline' ? 'ASC' : 'DESC';
    const key = q.sort === 'deadline' ? 'deadline' : 'created_at';
    const order = (alias: string) => `${alias}.${key} ${dir}${key === 'deadline' ? ' NULLS LAST' : ''}, ${alias}.code`;
    const limit = add(q.pageSize);
    const offset = add((q.page - 1) * q.pageSize);
    // One row even when the page is empty, so that the unit's path and the total always come back.
    const sql = `WITH found AS MATERIALIZED (
                   SELECT t.id, t.${key}, t.code FROM ticket t WHERE ${where.join(' AND ')}),
                 page AS (
                   SELECT f.id FROM found f ORDER BY ${order('f')} LIMIT ${limit} OFFSET ${offset})
                 SELECT ${target} AS target_path, (SELECT count(*) FROM found) AS total, ${TICKET_COLUMNS.replace('$NOW', '$1')}
                   FROM (SELECT 1) AS one
                   LEFT JOIN (page p JOIN ticket t ON t.id = p.id ${UnitSql.join('u', 't.unit_id')}) ON true
                  ORDER BY ${order('t')}`;
    return { sql, params };
  }

  /**
   * A subtree's overdue tickets, newest first, without other filters (the overdue count and the
   * first pages of the overdue list). The total adds the per-month counts of the subtree's
   * active tickets with deadlines in months past everywhere (ticket_open_month, a few rows per
   * unit) to a count of the overdue ones since, a range of the subtree-and-deadline index. The
   * page is the newest overdue tickets of each unit path holding active ones, merged: a walk of
   * the active tickets' path-and-creation index per path, stopping at the page's end.
   */
  private subtreeOverdueSql(principal: Principal, q: TicketListQuery, params: unknown[]): { sql: string; params: unknown[] } {
    const add = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const scope = (path: string) => principal.scope.sqlFilter(path, 2).sql;
    const target = UnitSql.pathOf(add(q.unitId));
    const inSubtree = (path: string) => `${path} >= ${target} AND ${path} < ${target} || chr(1114111)`;
    const before = sqlPastEverywhereBefore('$1');
    const overdue = sqlOverdueAt('$1');
    const order = (alias: string) => `${alias}.created_at DESC, ${alias}.code`;
    const limit = add(q.pageSize);
    const offset = add((q.page - 1) * q.pageSize);
    const sql = `WITH months AS MATERIALIZED (
                   SELECT c.unit_path, c.deadline_month, c.n FROM ticket_open_month c
                    WHERE ${inSubtree('c.unit_path')} AND c.n > 0 AND ${scope('c.unit_path')}),
                 page AS (
                   SELECT f.id FROM (SELECT DISTINCT unit_path FROM months) AS m
                     CROSS JOIN LATERAL (
                       SELECT t.id, t.created_at, t.code FROM ticket t
                        WHERE t.unit_path = m.unit_path COLLATE "default" AND ${overdue}
                        ORDER BY ${order('t')} LIMIT ${limit}::int + ${offset}::int) AS f
                    ORDER BY ${order('f')} LIMIT ${limit} OFFSET ${offset})
                 SELECT ${target} AS target_path,
                        (SELECT coalesce(sum(n), 0) FROM months WHERE deadline_month < ${before})
                          + (SELECT count(*) FROM ticket t
                              WHERE ${inSubtree('t.unit_path COLLATE "C"')} AND t.deadline >= ${before} AND ${overdue}
                                AND ${scope('t.unit_path')}) AS total,
                        ${TICKET_COLUMNS.replace('$NOW', '$1')}
                   FROM (SELECT 1) AS one
                   LEFT JOIN (page p JOIN ticket t ON t.id = p.id ${UnitSql.join('u', 't.unit_id')}) ON true
                  ORDER BY ${order('t')}`;
    return { sql, params };
  }

  async list(principal: Principal, q: TicketListQuery): Promise<TicketPage> {
    const { sql, params } = this.buildListSql(principal, q);
    const rows = await this.prepared.query<TicketRow & { total: string; target_path: string | null }>(sql, params);
    if (q.unitId) {
      const path = rows[0]?.target_path;
      if (!path || !principal.scope.canRead({ id: q.unitId, path })) throw new NotFound('Org unit', q.unitId);
    }
    return {
      items: rows.filter((r) => r.id !== null).map((r) => toTicketView(r, principal, this.config.TICKET_WARNING_DAYS)),
      total: Number(rows[0].total),
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  /** Counts for a unit's subtree: open, overdue, closed, by status. */
  async counts(principal: Principal, unitId: string): Promise<TicketCounts> {
    const unit = await this.readableUnit(principal, unitId);
    const scope = principal.scope.sqlFilter('t.unit_path', 3);
    const [row] = await this.db.query<Array<Record<string, string>>>(
      `SELECT ${COUNT_COLUMNS} FROM ticket t WHERE t.unit_path LIKE $1 AND NOT t.is_common AND ${scope.sql}`,
      [`${escapeLike(unit.path)}%`, this.clock.now(), ...scope.params],
    );
    return toCounts(row);
  }

  /**
   * The same counts for the subtree of each unit directly under `unitId` (a township's villages
   * and offices), in one statement: the tickets under the unit, grouped by the next id on their
   * path. A child with no tickets in the caller's scope has zero counts.
   */
  async countsByChild(principal: Principal, unitId: string): Promise<Map<string, TicketCounts>> {
    const unit = await this.readableUnit(principal, unitId);
    const scope = principal.scope.sqlFilter('t.unit_path', 5);
    const rows = await this.db.query<Array<Record<string, string> & { child_id: string }>>(
      `SELECT c.id AS child_id, ${COUNT_COLUMNS}
         FROM ${UnitSql.from('c')}
         LEFT JOIN ticket t ON t.unit_path LIKE $1 AND NOT t.is_common AND ${scope.sql}
                           AND split_part(substr(t.unit_path, $3::int + 1), '/', 1) = c.id::text
        WHERE c.parent_id = $4
        GROUP BY c.id`,
      [`${escapeLike(unit.path)}%`, this.clock.now(), unit.path.length, unit.id, ...scope.params],
    );
    return new Map(rows.map(({ child_id, ...row }) => [child_id, toCounts(row)]));
  }

  /**
   * Tickets under a unit that ran late, by the month of their deadline (`YYYY-MM`, from `fromDay`
   * up to but not including `toDay`): still open past the deadline in their unit's time zone, or
   * closed after it. One grouped statement; months without any are absent.
   */
  async lateByDeadlineMonth(principal: Principal, unitId: string, fromDay: string, toDay: string): Promise<Map<string, number>> {
    const unit = await this.readableUnit(principal, unitId);
    const scope = principal.scope.sqlFilter('t.unit_path', 5);
    const rows = await this.db.query<Array<{ month: string; n: string }>>(
      `SELECT to_char(t.deadline, 'YYYY-MM') AS month, count(*) AS n
         FROM ticket t
        WHERE t.unit_path LIKE $1 AND NOT t.is_common AND t.deadline >= $3::date AND t.deadline < $4::date AND ${scope.sql}
          AND (${sqlOverdueAt('$2')}
               OR t.closed_on_time IS FALSE)
        GROUP BY 1`,
      [`${escapeLike(unit.path)}%`, this.clock.now(), fromDay, toDay, ...scope.params],
    );
    return new Map(rows.map((r) => [r.month, Number(r.n)]));
  }

  private async readableUnit(principal: Principal, unitId: string): Promise<UnitRef> {
    const unit = await Units.byId(this.db, unitId);
    if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', unitId);
    return unit;
  }
}

export interface TicketCounts {
  total: number;
  open: number;
  in_progress: number;
  pending_review: number;
  closed: number;
  cancelled: number;
  overdue: number;
  closed_on_time: number;
}

/** The counts of the tickets `t` (none where a left join found none); `$2` is the time "overdue" is judged at. */
const COUNT_COLUMNS = `count(t.id) AS total,
  count(t.id) FILTER (WHERE t.status = 'open') AS open,
  count(t.id) FILTER (WHERE t.status = 'in_progress') AS in_progress,
  count(t.id) FILTER (WHERE t.status = 'pending_review') AS pending_review,
  count(t.id) FILTER (WHERE t.status = 'closed') AS closed,
  count(t.id) FILTER (WHERE t.status = 'cancelled') AS cancelled,
  count(t.id) FILTER (WHERE ${sqlOverdueAt('$2')}) AS overdue,
  count(t.id) FILTER (WHERE t.status = 'closed' AND t.closed_on_time) AS closed_on_time`;

function toCounts(row: Record<string, string>): TicketCounts {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) as unknown as TicketCounts;
}
