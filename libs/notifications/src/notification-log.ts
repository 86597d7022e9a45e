import type { Queryable } from '@app/org';

/** A notification as others read it back: which unit was told, and when. */
export interface SentNotice {
  dedupeKey: string;
  unitId: string;
  at: Date;
}

/** Reads of what was sent, for other libs' records (who was told of an overdue ticket). */
export const NotificationLog = {
  /** The notifications sent under any of these dedupe keys, oldest first. */
  async sentWith(q: Queryable, dedupeKeys: readonly string[]): Promise<SentNotice[]> {
    if (!dedupeKeys.length) return [];
    const rows = await q.query<Array<{ dedupe_key: string; unit_id: string; created_at: Date }>>(
      `SELECT dedupe_key, unit_id, created_at FROM notification WHERE dedupe_key = ANY($1::text[]) ORDER BY created_at, id`,
      [[...dedupeKeys]],
    );
    return rows.map((r) => ({ dedupeKey: r.dedupe_key, unitId: r.unit_id, at: new Date(r.created_at) }));
  },
} as const;
