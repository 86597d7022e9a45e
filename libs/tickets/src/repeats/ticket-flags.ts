import type { Queryable } from '@app/org';

export const TICKET_FLAGS = ['repeat', 'self_check_missed'] as const;
export type TicketFlag = (typeof TICKET_FLAGS)[number];

/** A ticket's flags as the API shows them. */
export interface TicketFlagsView {
  flags: TicketFlag[];
  /** The closed tickets a `repeat` ticket repeats; empty otherwise. */
  repeatOf: string[];
}

/** A ticket's flags as the view's statement reads them from `ticket_flag`. */
export interface TicketFlagRow {
  flag: TicketFlag;
  refIds: string[] | null;
}

/** The columns' value for one ticket, read in the statement that reads the ticket (no query per row). */
export const SQL_TICKET_FLAGS = (ticket: string) =>
  `(SELECT coalesce(jsonb_agg(jsonb_build_object('flag', f.flag, 'refIds', f.ref_ids) ORDER BY f.flag), '[]'::jsonb)
      FROM ticket_flag f WHERE f.ticket_id = ${ticket})`;

/** The API's view of a ticket's flag rows: `repeatOf` is what the `repeat` flag refers to. */
export function flagsView(rows: readonly TicketFlagRow[]): TicketFlagsView {
  return {
    flags: rows.map((r) => r.flag),
    repeatOf: rows.find((r) => r.flag === 'repeat')?.refIds ?? [],
  };
}

/** Reads and writes of the ticket flags, for this lib and the monthly cycle. */
export const TicketFlags = {
  /** The flags of each of these tickets; a ticket without any maps to empty lists. */
  async of(q: Queryable, ticketIds: readonly string[]): Promise<Map<string, TicketFlagsView>> {
    const byTicket = new Map<string, TicketFlagRow[]>(ticketIds.map((id) => [id, []]));
    if (ticketIds.length) {
      const rows = await q.query<Array<{ ticket_id: string; flag: TicketFlag; ref_ids: string[] | null }>>(
        `SELECT ticket_id, flag, ref_ids FROM ticket_flag WHERE ticket_id = ANY($1::uuid[]) ORDER BY flag`,
        [[...new Set(ticketIds)]],
      );
      for (const r of rows) byTicket.get(r.ticket_id)!.push({ flag: r.flag, refIds: r.ref_ids });
    }
    return new Map([...byTicket].map(([id, rows]) => [id, flagsView(rows)]));
  },

  /** Flags the tickets `self_check_missed` for `period` (a ticket flagged already keeps its first month). */
  async markSelfCheckMissed(q: Queryable, ticketIds: readonly string[], period: string, now: Date): Promise<void> {
    if (!ticketIds.length) return;
    await q.query(
      `INSERT INTO ticket_flag (ticket_id, flag, period, at) SELECT id, 'self_check_missed', $2, $3 FROM unnest($1::uuid[]) AS id
       ON CONFLICT (ticket_id, flag) DO NOTHING`,
      [[...new Set(ticketIds)], period, now],
    );
  },
} as const;
