import { Inject, Injectable } from '@nestjs/common';
import { NotFound, Principal } from '@app/platform';
import { Units, UnitSql } from '@app/org';
import { TicketSql } from '@app/tickets';
import { DataSource } from 'typeorm';
import { AccountabilityGround } from './accountability-records';
import { LevelTold, levelsTold } from './escalation';

export interface AccountabilityView {
  id: string;
  ticketId: string;
  ticketCode: string;
  ticketTitle: string;
  unitId: string;
  unitName: string;
  person: string | null;
  /** `overdue` (逾期未整改) or `repeat` (屡查屡犯). */
  ground: AccountabilityGround;
  /** The deadline missed and the days past it when the record was opened: overdue records only. */
  deadline: string | null;
  daysOverdue: number | null;
  /** The closed ticket a repeat record's ticket repeats: repeat records only. */
  repeatOfTicketId: string | null;
  repeatOfTicketCode: string | null;
  createdAt: string;
  /** Each level of the tree whose leaders were told, lowest first. */
  levelsTold: LevelTold[];
}

/**
 * 追责问责 records, with the unit and person named: tickets overdue past the grace period, and
 * (REPEAT_ACCOUNTABILITY on) new tickets that repeat a closed one.
 */
@Injectable()
export class AccountabilityService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async list(principal: Principal, q: { unitId: string; page: number; pageSize: number }) {
    const unit = await Units.byId(this.db, q.unitId);
    if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', q.unitId);
    const scope = principal.scope.sqlFilter('u.path', 2);
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT a.id, a.ticket_id, t.code, t.title, a.unit_id, u.name AS unit_name, a.person, a.ground,
              to_char(a.deadline, 'YYYY-MM-DD') AS deadline, a.days_overdue, a.repeat_of, o.code AS repeat_of_code,
              a.created_at, count(*) OVER () AS total
         FROM accountability_record a ${TicketSql.join('t', 'a.ticket_id')} ${UnitSql.join('u', 'a.unit_id')}
              ${TicketSql.join('o', 'a.repeat_of', 'LEFT JOIN')}
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
      ground: r.ground as AccountabilityGround,
      deadline: (r.deadline as string | null) ?? null,
      daysOverdue: r.days_overdue == null ? null : Number(r.days_overdue),
      repeatOfTicketId: (r.repeat_of as string | null) ?? null,
      repeatOfTicketCode: (r.repeat_of_code as string | null) ?? null,
      createdAt: new Date(r.created_at as string).toISOString(),
      levelsTold: told.get(r.id as string) ?? [],
    }));
    return { items, total: rows.length ? Number(rows[0].total) : 0, page: q.page, pageSize: q.pageSize };
  }
}
