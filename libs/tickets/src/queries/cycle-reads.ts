import type { Queryable } from '@app/org';
import { joinById, SqlJoinKind } from '@app/platform';

/**
 * The tickets lib's tables as other libs' SQL may name them, and the reads of tickets the monthly
 * cycle makes. A query elsewhere that shows a ticket's code or title next to its own rows joins
 * through `TicketSql`, so the table and column names of tickets are written only in this lib.
 * Aliases and join columns are the caller's SQL: pass identifiers, never user input.
 */

export const TicketSql = {
  /** Joins the ticket whose id is `on` (a column such as `a.ticket_id`); `<alias>.code` and `<alias>.title` name it. */
  join(alias: string, on: string, kind: SqlJoinKind = 'JOIN'): string {
    return joinById('ticket', alias, on, kind);
  },
} as const;

/** A ticket as a list of problems names it. */
export interface TicketLine {
  id: string;
  code: string;
  title: string;
}

/**
 * The tickets an inspection raised: a team's self-check files its problems as one inspection,
 * and its report lists them. Each takes the caller's `Queryable`, so a read inside a transaction
 * sees that transaction's rows.
 */
export const InspectionTickets = {
  /** The tickets of one inspection, by code. */
  async of(q: Queryable, inspectionId: string): Promise<TicketLine[]> {
    return q.query<TicketLine[]>(`SELECT id, code, title FROM ticket WHERE inspection_id = $1 ORDER BY code`, [inspectionId]);
  },

  /** The tickets of each of these inspections, by code; an inspection that raised none is absent. */
  async byInspection(q: Queryable, inspectionIds: readonly string[]): Promise<Map<string, TicketLine[]>> {
    const out = new Map<string, TicketLine[]>();
    if (inspectionIds.length === 0) return out;
    const rows = await q.query<Array<TicketLine & { inspectionId: string }>>(
      `SELECT inspection_id AS "inspectionId", id, code, title FROM ticket WHERE inspection_id = ANY($1::uuid[]) ORDER BY code`,
      [[...new Set(inspectionIds)]],
    );
    for (const { inspectionId, ...line } of rows) {
      const list = out.get(inspectionId);
      if (list) list.push(line);
      else out.set(inspectionId, [line]);
    }
    return out;
  },
} as const;
