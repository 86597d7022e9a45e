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
    await TicketFlags.set(
      q,
      [...new Set(ticketIds)].map((ticketId) => ({ ticketId, flag: 'self_check_missed' as const, refIds: [], period })),
      now,
    );
  },

  /**
   * Sets the flags, in the caller's transaction, each with a `flagged` entry in its ticket's
   * history naming the flag (and for a repeat the codes of the tickets it repeats, for a missed
   * problem the month). A flag a ticket has already keeps its first setting and adds no entry.
   */
  async set(
    q: Queryable,
    flags: ReadonlyArray<{ ticketId: string; flag: TicketFlag; refIds: readonly string[]; period: string | null }>,
    now: Date,
  ): Promise<void> {
    if (!flags.length) return;
    await q.query(
      `WITH f AS (
         INSERT INTO ticket_flag (ticket_id, flag, ref_ids, period, at)
         SELECT r."ticketId", r.flag, coalesce(r."refIds", '{}'), r.period, $2
           FROM jsonb_to_recordset($1::jsonb) AS r("ticketId" uuid, flag text, "refIds" uuid[], period text)
         ON CONFLICT (ticket_id, flag) DO NOTHING
         RETURNING ticket_id, flag, ref_ids, period, at)
       INSERT INTO ticket_event (ticket_id, kind, action, from_status, to_status, data, at)
       SELECT f.ticket_id, 'flagged', f.flag, t.status, t.status,
              jsonb_build_object('flag', f.flag, 'period', f.period, 'repeatOf',
                (SELECT coalesce(jsonb_agg(jsonb_build_object('id', o.id, 'code', o.code) ORDER BY o.code), '[]'::jsonb)
                   FROM ticket o WHERE o.id = ANY(f.ref_ids))),
              f.at
         FROM f JOIN ticket t ON t.id = f.ticket_id
        ORDER BY f.ticket_id`,
      [JSON.stringify(flags), now],
    );
  },
} as const;
