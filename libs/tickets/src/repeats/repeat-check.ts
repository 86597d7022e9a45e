import type { Queryable } from '@app/org';
import { gramSimilarity, problemGrams, SAME_PROBLEM_SIMILARITY } from './similarity';
import { TicketFlags } from './ticket-flags';

/** A new problem as the repeat check compares it. */
export interface RepeatCandidate {
  unitId: string;
  category?: string | null;
  title: string;
}

/** A closed ticket a new problem repeats (屡查屡犯). */
export interface RepeatMatch {
  id: string;
  code: string;
  title: string;
  closedAt: string;
  similarity: number;
}

interface ClosedRow {
  id: string;
  code: string;
  title: string;
  unit_id: string;
  category: string | null;
  closed_at: Date;
}

/**
 * For each candidate, the same unit's tickets closed within the last `lookbackMonths` before
 * `now`, of the same category (or both without one), whose title is the same problem by
 * `problemSimilarity`; best match first.
 */
export async function findRepeats(
  q: Queryable,
  candidates: readonly RepeatCandidate[],
  now: Date,
  lookbackMonths: number,
): Promise<RepeatMatch[][]> {
  if (!candidates.length) return [];
  const closed = await q.query<ClosedRow[]>(
    `SELECT id, code, title, unit_id, category, closed_at FROM ticket
      WHERE unit_id = ANY($1::uuid[]) AND status = 'closed' AND closed_at >= $2::timestamptz - make_interval(months => $3::int)`,
    [[...new Set(candidates.map((c) => c.unitId))], now, lookbackMonths],
  );
  // Closed tickets by unit and category, each title cut into pieces once however many new
  // problems it is compared with.
  const key = (unitId: string, category: string | null | undefined) => `${unitId}|${category || ''}`;
  const groups = new Map<string, Array<ClosedRow & { grams: ReadonlySet<string> }>>();
  for (const r of closed) {
    const k = key(r.unit_id, r.category);
    const list = groups.get(k) ?? groups.set(k, []).get(k)!;
    list.push({ ...r, grams: problemGrams(r.title) });
  }
  return candidates.map((c) => {
    const group = groups.get(key(c.unitId, c.category));
    if (!group) return [];
    const grams = problemGrams(c.title);
    return group
      .map((r) => ({ r, similarity: gramSimilarity(grams, r.grams) }))
      .filter((x) => x.similarity >= SAME_PROBLEM_SIMILARITY)
      .map(({ r, similarity }) => ({
        id: r.id,
        code: r.code,
        title: r.title,
        closedAt: new Date(r.closed_at).toISOString(),
        similarity: Math.round(similarity * 1000) / 1000,
      }))
      .sort((a, b) => b.similarity - a.similarity || a.code.localeCompare(b.code));
  });
}

/**
 * Flags the tickets just opened (in the order of the candidates `matches` was found for)
 * `repeat` where they repeat a closed ticket of their unit, in the caller's transaction. Gives
 * those tickets, each with its place in `created` and the tickets it repeats, best match first.
 */
export async function flagRepeats(
  q: Queryable,
  created: ReadonlyArray<{ id: string }>,
  matches: readonly RepeatMatch[][],
  now: Date,
): Promise<Array<{ index: number; ticketId: string; repeatOf: string[] }>> {
  const flagged = created.flatMap((t, index) =>
    matches[index]?.length ? [{ index, ticketId: t.id, repeatOf: matches[index].map((r) => r.id) }] : [],
  );
  await TicketFlags.set(
    q,
    flagged.map((f) => ({ ticketId: f.ticketId, flag: 'repeat' as const, refIds: f.repeatOf, period: null })),
    now,
  );
  return flagged;
}
