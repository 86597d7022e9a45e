import { Inject, Injectable } from '@nestjs/common';
import { NotFound, Principal } from '@app/platform';
import { Units, UnitSql } from '@app/org';
import { TicketSql } from '@app/tickets';
import { DataSource } from 'typeorm';
import { LevelTold, levelsTold } from './escalation';

export interface AccountabilityView {
  id: string;
  ticketId: string;
  ticketCode: string;
  ticketTitle: string;
  unitId: string;
  unitName: string;
  person: string | null;
  deadline: string;
  daysOverdue: number;
  createdAt: string;
  /** Each level of the tree whose leaders were told, lowest first. */
  levelsTold: LevelTold[];
}

/** 追责问责 records: tickets overdue past the grace period, with the unit and person named. */
@Injectable()
export class AccountabilityService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async list(principal: Principal, q: { unitId: string; page: number; pageSize: number }) {
    const unit = await Units.byId(this.db, q.unitId);
    if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', q.unitId);
    const scope = principal.scope.sqlFilter('u.path', 2);
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT a.id, a.ticket_id, t.code, t.title, a.unit_id, u.name AS unit_name, a.person, to_char(a.deadline, 'YYYY-MM-DD') AS deadline,
              a.days_overdue, a.created_at, count(*) OVER () AS total
         FROM accountability_record a ${TicketSql.join('t', 'a.ticket_id')} ${UnitSql.join('u', 'a.unit_id')}
        WHERE u.path LIKE $1 AND ${scope.sql}
        ORDER BY a.created_at DESC, a.id
        LIMIT $${scope.params.length + 2} OFFSET $${scope.params.length + 3}`,
      [`${unit.path}%`, ...scope.params, q.pageSize, (q.page - 1) * q.pageSize],
    );
    const told = await levelsTold(
      this.db,
      rows.map((r) => r.id as string),
    );
    const items: AccountabilityView[] = rows.map((r) => ({
      id: r.id as string,
      ticketId: r.ticket_id as string,
      ticketCode: r.code as string,
      ticketTitle: r.title as string,
      unitId: r.unit_id as string,
      unitName: r.unit_name as string,
      person: (r.person as string) ?? null,
      deadline: r.deadline as string,
      daysOverdue: Number(r.days_overdue),
      createdAt: new Date(r.created_at as string).toISOString(),
      levelsTold: told.get(r.id as string) ?? [],
    }));
    return { items, total: rows.length ? Number(rows[0].total) : 0, page: q.page, pageSize: q.pageSize };
  }
}
