import type { Queryable } from '@app/org';

export const TICKET_FLAGS = ['repeat', 'self_check_missed'] as const;
export type TicketFlag = (typeof TICKET_FLAGS)[number];

/** A ticket's flags as the API shows them. */
export interface TicketFlagsView {
  flags: TicketFlag[];
  /** The closed tickets a `repeat` ticket repeats; empty otherwise. */
  repeatOf: string[];
}

/** Reads and writes of the ticket flags, for this lib and the monthly cycle. */
export const TicketFlags = {
  /** The flags of each of these tickets; a ticket without any maps to empty lists. */
  async of(q: Queryable, ticketIds: readonly string[]): Promise<Map<string, TicketFlagsView>> {
    const out = new Map<string, TicketFlagsView>(ticketIds.map((id) => [id, { flags: [], repeatOf: [] }]));
    if (!ticketIds.length) return out;
    const rows = await q.query<Array<{ ticket_id: string; flag: TicketFlag; ref_ids: string[] }>>(
      `SELECT ticket_id, flag, ref_ids FROM ticket_flag WHERE ticket_id = ANY($1::uuid[]) ORDER BY flag`,
      [[...new Set(ticketIds)]],
    );
    for (const r of rows) {
      const v = out.get(r.ticket_id)!;
      v.flags.push(r.flag);
      if (r.flag === 'repeat') v.repeatOf = r.ref_ids;
    }
    return out;
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
