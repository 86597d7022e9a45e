import type { Queryable } from '@app/org';

/** Why an accountability record (追责问责) was opened: 逾期未整改 or 屡查屡犯. */
export const ACCOUNTABILITY_GROUNDS = ['overdue', 'repeat'] as const;
export type AccountabilityGround = (typeof ACCOUNTABILITY_GROUNDS)[number];

/** A record to open: the ticket, its unit and township, the person named, and the ground's facts. */
export type NewAccountabilityRecord = {
  ticketId: string;
  unitId: string;
  townshipId: string | null;
  person: string | null;
} & (
  { ground: 'overdue'; deadline: string; daysOverdue: number } | { ground: 'repeat'; /** The closed ticket repeated. */ repeatOf: string }
);

/**
 * Opens the records, in the caller's transaction, each at most once: an overdue ticket one per
 * deadline, a repeat ticket one in all (the table's unique constraints say so, and a record
 * that exists already is left as it is). Gives the records opened now, by ticket.
 */
export async function openAccountability(
  q: Queryable,
  records: readonly NewAccountabilityRecord[],
  now: Date,
): Promise<Array<{ id: string; ticketId: string }>> {
  if (!records.length) return [];
  return q.query<Array<{ id: string; ticketId: string }>>(
    `INSERT INTO accountability_record (ticket_id, unit_id, township_id, person, ground, deadline, days_overdue, repeat_of, created_at)
     SELECT r."ticketId", r."unitId", r."townshipId", r.person, r.ground, r.deadline, r."daysOverdue", r."repeatOf", $2
       FROM jsonb_to_recordset($1::jsonb)
            AS r("ticketId" uuid, "unitId" uuid, "townshipId" uuid, person text, ground text, deadline date, "daysOverdue" int, "repeatOf" uuid)
     ON CONFLICT DO NOTHING
     RETURNING id, ticket_id AS "ticketId"`,
    [JSON.stringify(records), now],
  );
}
