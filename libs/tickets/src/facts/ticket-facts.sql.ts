import { Injectable } from '@nestjs/common';
import { Clock, NotFound, Principal, sqlLocalDay } from '@app/platform';
import { Units, UnitSql } from '@app/org';
import { EntityManager } from 'typeorm';
import { CloseOutCounts, sqlCloseOutCounts, sqlFoundOn } from '../domain/close-out-rate';
import { sqlActive, sqlOverdue } from '../domain/ticket-state';
import type { NewTicket } from '../domain/ticket-draft';
import { TicketCreation } from '../tickets/ticket-creation.service';
import { DeadlineTicket, OpenTicket, SelfCheckProblem, TeamTicketStats, TicketFacts } from './ticket-facts';

const ACTIVE = sqlActive('t.status');

async function townshipPath(m: EntityManager, townshipId: string): Promise<string> {
  const unit = await Units.byId(m, townshipId);
  if (!unit) throw new NotFound('Org unit', townshipId);
  return unit.path;
}

/** The cycle's view of the tickets, read and written in the step's own transaction. */
@Injectable()
export class TicketFactsSql extends TicketFacts {
  constructor(
    private readonly creation: TicketCreation,
    private readonly clock: Clock,
  ) {
    super();
  }

  async openTickets(m: EntityManager, townshipId: string, today: string): Promise<OpenTicket[]> {
    const rows = await m.query<Array<Record<string, unknown>>>(
      `SELECT t.id, t.code, t.title, t.unit_id, u.name AS unit_name, t.category, t.source, t.responsible,
              to_char(t.deadline, 'YYYY-MM-DD') AS deadline, t.measures, t.status,
              greatest(0, $2::date - t.deadline) AS overdue_days
         FROM ticket t ${UnitSql.join('u', 't.unit_id')}
        WHERE t.unit_path LIKE $1 AND ${ACTIVE} AND NOT t.is_common
        ORDER BY u.name, t.deadline NULLS FIRST, t.code`,
      [`${await townshipPath(m, townshipId)}%`, today],
    );
    return rows.map((r) => ({
      id: r.id as string,
      code: r.code as string,
      title: r.title as string,
      unitId: r.unit_id as string,
      unitName: r.unit_name as string,
      category: (r.category as string) ?? null,
      source: (r.source as string) ?? null,
      responsible: (r.responsible as string) ?? null,
      deadline: (r.deadline as string) ?? null,
      measures: (r.measures as string) ?? null,
      status: r.status as string,
      overdueDays: Number(r.overdue_days ?? 0),
    }));
  }

  async teamStats(
    m: EntityManager,
    townshipId: string,
    bounds: { start: Date; end: Date },
    found: { from: string; to: string },
    today: string,
    limit: number,
  ) {
    // One pass over the township's tickets (by its path prefix, on the index), each put in its
    // team by the path segment under the township, and the month's returns of those tickets; not a
    // join on "path LIKE each team's path", which compares every ticket with every team.
    const path = await townshipPath(m, townshipId);
    const rows = await m.query<Array<Record<string, string> & { team: string }>>(
      `WITH t AS (
         SELECT t.id, t.status, t.closed_at, t.closed_on_time, t.deadline,
                ${sqlFoundOn('t', 'i')} BETWEEN $8::date AND $9::date AS found_in_period,
                split_part(substr(t.unit_path, length($6) + 1), '/', 1) AS team
           FROM ticket t LEFT JOIN inspection i ON i.id = t.inspection_id
          WHERE t.unit_path LIKE $7 AND NOT t.is_common
       ), returns AS (
         SELECT e.ticket_id, count(*) AS n FROM ticket_event e
          WHERE e.action = 'return' AND e.at >= $2 AND e.at < $3 AND e.ticket_id IN (SELECT id FROM t) GROUP BY e.ticket_id
       )
       SELECT u.id AS team,
              count(t.id) FILTER (WHERE t.found_in_period) AS opened,
              count(t.id) FILTER (WHERE t.found_in_period AND t.status = 'closed') AS found_closed,
              count(t.id) FILTER (WHERE t.found_in_period AND t.status = 'cancelled') AS found_cancelled,
              count(t.id) FILTER (WHERE ${ACTIVE}) AS active,
              count(t.id) FILTER (WHERE t.status = 'closed' AND t.closed_at >= $2 AND t.closed_at < $3) AS closed,
              count(t.id) FILTER (WHERE t.status = 'closed' AND t.closed_at >= $2 AND t.closed_at < $3 AND t.closed_on_time) AS closed_on_time,
              count(t.id) FILTER (WHERE ${sqlOverdue('$4::date')}) AS overdue,
              count(t.id) FILTER (WHERE ${ACTIVE} AND t.deadline < $4::date - $5::int) AS overdue_beyond,
              coalesce(sum(r.n), 0) AS returned
         FROM ${UnitSql.from('u')}
         LEFT JOIN t ON t.team = u.id::text
         LEFT JOIN returns r ON r.ticket_id = t.id
        WHERE u.parent_id = $1 AND u.kind IN ('village', 'office')
        GROUP BY u.id`,
      [townshipId, bounds.start, bounds.end, today, limit, path, `${path}%`, found.from, found.to],
    );
    return new Map<string, TeamTicketStats>(
      rows.map((r) => [
        r.team,
        {
          opened: Number(r.opened),
          foundClosed: Number(r.found_closed),
          foundCancelled: Number(r.found_cancelled),
          active: Number(r.active),
          closed: Number(r.closed),
          closedOnTime: Number(r.closed_on_time),
          returned: Number(r.returned),
          overdue: Number(r.overdue),
          overdueBeyondLimit: Number(r.overdue_beyond),
        },
      ]),
    );
  }

  async fileSelfCheckProblems(
    m: EntityManager,
    principal: Principal,
    team: { id: string; name: string },
    period: string,
    problems: SelfCheckProblem[],
  ) {
    if (!problems.length) return { inspectionId: null, tickets: [] };
    const drafts: NewTicket[] = problems.map((p) => ({
      title: p.title,
      description: p.description,
      category: p.category?.trim() || null,
      unitId: team.id,
      responsible: p.responsible,
      measures: p.measures,
      rectificationClass: 'deadline',
      deadline: p.deadline ?? null,
    }));
    // Refused before anything is written, the inspection included.
    this.creation.check(drafts);
    const unit = await Units.byId(m, team.id);
    if (!unit) throw new NotFound('Org unit', team.id);
    const now = this.clock.now();
    const [insp] = await m.query<Array<{ id: string }>>(
      `INSERT INTO inspection (source, title, issued_by, date, unit_id, created_by, created_at)
       VALUES ('self_check', $1, $2, ${sqlLocalDay('$3', '$4')}, $5, $6, $3) RETURNING id`,
      [`${Number(period.slice(5))}月自查问题清单`, team.name, now, unit.timezone, team.id, principal.userId],
    );
    const created = await this.creation.createMany(
      principal,
      drafts.map((d) => ({ ...d, inspectionId: insp.id })),
      'self_check',
      m,
    );
    return { inspectionId: insp.id, tickets: created.map((c, i) => ({ ...c, title: problems[i].title.trim() })) };
  }

  async totals(m: EntityManager, townshipId: string, found: { from: string; to: string }): Promise<CloseOutCounts> {
    const [row] = await m.query<Array<{ found: string; closed: string; cancelled: string }>>(
      `SELECT count(*) AS found, ${sqlCloseOutCounts('t.status')}
         FROM ticket t LEFT JOIN inspection i ON i.id = t.inspection_id
        WHERE t.unit_path LIKE $1 AND NOT t.is_common AND ${sqlFoundOn('t', 'i')} BETWEEN $2::date AND $3::date`,
      [`${await townshipPath(m, townshipId)}%`, found.from, found.to],
    );
    return { found: Number(row.found), closed: Number(row.closed), cancelled: Number(row.cancelled) };
  }

  async deadlineTickets(m: EntityManager, townshipId: string, today: string, until: string): Promise<DeadlineTicket[]> {
    const rows = await m.query<Array<Record<string, unknown>>>(
      `SELECT t.id, t.code, t.title, t.unit_id, u.name AS unit_name, u.parent_id, t.responsible,
              to_char(t.deadline, 'YYYY-MM-DD') AS deadline, (t.deadline - $2::date) AS days_left
         FROM ticket t ${UnitSql.join('u', 't.unit_id')}
        WHERE t.unit_path LIKE $1 AND ${ACTIVE} AND NOT t.is_common AND t.deadline <= $3::date
        ORDER BY t.deadline`,
      [`${await townshipPath(m, townshipId)}%`, today, until],
    );
    return rows.map((r) => ({
      id: r.id as string,
      code: r.code as string,
      title: r.title as string,
      unitId: r.unit_id as string,
      unitName: r.unit_name as string,
      parentId: (r.parent_id as string) ?? null,
      responsible: (r.responsible as string) ?? null,
      deadline: r.deadline as string,
      daysLeft: Number(r.days_left),
    }));
  }
}
