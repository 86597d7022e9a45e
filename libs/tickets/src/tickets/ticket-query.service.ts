import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, Clock, NotFound, Principal } from '@app/platform';
import { OrgUnit } from '@app/org';
import { DataSource } from 'typeorm';
import { escapeLike, queryBigrams } from '../domain/search';
import { Status } from '../domain/ticket-state';
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
  sort?: 'deadline' | 'created';
  order?: 'asc' | 'desc';
  page: number;
  pageSize: number;
}

export interface TicketPage {
  items: TicketView[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * Lists and searches tickets in the caller's scope. One statement per request: filters, the
 * page and the total (a window count) together. `q` finds any substring of two characters or
 * more through the bigram index, then checks the text itself.
 */
@Injectable()
export class TicketQueryService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** The SQL of a list, for the API and for the benchmark's bare endpoint alike. */
  buildListSql(principal: Principal, q: TicketListQuery, unit?: OrgUnit): { sql: string; params: unknown[] } {
    const params: unknown[] = [this.clock.now()];
    const add = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const scope = principal.scope.sqlFilter('t.unit_path', 2);
    params.push(...scope.params);
    const where = [scope.sql];
    if (unit) where.push(q.subtree ? `t.unit_path LIKE ${add(`${escapeLike(unit.path)}%`)}` : `t.unit_id = ${add(unit.id)}`);
    if (q.status?.length) where.push(`t.status = ANY(${add(q.status)}::text[])`);
    if (q.overdue !== undefined) {
      const overdue = `(t.status IN ('open', 'in_progress', 'pending_review') AND t.deadline < ($1::timestamptz AT TIME ZONE t.unit_tz)::date)`;
      where.push(q.overdue ? overdue : `NOT ${overdue}`);
    }
    if (q.source) where.push(`t.source = ${add(q.source)}`);
    if (q.category) where.push(`t.category = ${add(q.category)}`);
    if (q.inspectionId) where.push(`t.inspection_id = ${add(q.inspectionId)}`);
    if (q.parentId) where.push(`t.parent_id = ${add(q.parentId)}`);
    if (q.q?.trim()) {
      const grams = queryBigrams(q.q);
      if (grams) where.push(`t.search_grams @> ${add(grams)}::text[]`);
      where.push(`(t.title || ' ' || coalesce(t.description, '')) ILIKE ${add(`%${escapeLike(q.q.trim())}%`)}`);
    }
    const dir = q.order === 'desc' ? 'DESC' : q.order === 'asc' ? 'ASC' : q.sort === 'deadline' ? 'ASC' : 'DESC';
    const order = q.sort === 'deadline' ? `t.deadline ${dir} NULLS LAST, t.code` : `t.created_at ${dir}, t.code`;
    const limit = add(q.pageSize);
    const offset = add((q.page - 1) * q.pageSize);
    const sql = `SELECT ${TICKET_COLUMNS.replace('$NOW', '$1')}, count(*) OVER () AS total
                   FROM ticket t JOIN org_unit u ON u.id = t.unit_id
                  WHERE ${where.join(' AND ')}
                  ORDER BY ${order}
                  LIMIT ${limit} OFFSET ${offset}`;
    return { sql, params };
  }

  async list(principal: Principal, q: TicketListQuery): Promise<TicketPage> {
    let unit: OrgUnit | undefined;
    if (q.unitId) {
      const found = await this.db.manager.findOne(OrgUnit, { where: { id: q.unitId } });
      if (!found || !principal.scope.canRead(found)) throw new NotFound('Org unit', q.unitId);
      unit = found;
    }
    const { sql, params } = this.buildListSql(principal, q, unit);
    const rows = await this.db.query<Array<TicketRow & { total: string }>>(sql, params);
    const total = rows.length ? Number(rows[0].total) : q.page > 1 ? await this.count(principal, q, unit) : 0;
    return {
      items: rows.map((r) => toTicketView(r, principal, this.config.TICKET_WARNING_DAYS)),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  private async count(principal: Principal, q: TicketListQuery, unit?: OrgUnit): Promise<number> {
    const { sql, params } = this.buildListSql(principal, { ...q, page: 1, pageSize: 1 }, unit);
    const [row] = await this.db.query<Array<{ total: string }>>(sql, params);
    return row ? Number(row.total) : 0;
  }

  /** Counts for a unit's subtree: open, overdue, closed, by status. */
  async counts(principal: Principal, unitId: string): Promise<Record<string, number>> {
    const unit = await this.db.manager.findOne(OrgUnit, { where: { id: unitId } });
    if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', unitId);
    const scope = principal.scope.sqlFilter('t.unit_path', 3);
    const [row] = await this.db.query<Array<Record<string, string>>>(
      `SELECT count(*) AS total,
              count(*) FILTER (WHERE status = 'open') AS open,
              count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
              count(*) FILTER (WHERE status = 'pending_review') AS pending_review,
              count(*) FILTER (WHERE status = 'closed') AS closed,
              count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
              count(*) FILTER (WHERE status IN ('open', 'in_progress', 'pending_review')
                                 AND deadline < ($2::timestamptz AT TIME ZONE unit_tz)::date) AS overdue,
              count(*) FILTER (WHERE status = 'closed' AND closed_on_time) AS closed_on_time
         FROM ticket t WHERE t.unit_path LIKE $1 AND NOT t.is_common AND ${scope.sql}`,
      [`${escapeLike(unit.path)}%`, this.clock.now(), ...scope.params],
    );
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
  }
}
