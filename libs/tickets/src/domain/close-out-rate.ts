import { sqlLocalDay } from '@app/platform';

/**
 * What the close-out rate (整改销号率) counts: the tickets found in a scope and period (by the
 * day they were found, see `sqlFoundOn`), how many of them are closed out and how many were
 * cancelled. A cancelled ticket is not one to close out.
 */
export interface CloseOutCounts {
  found: number;
  closed: number;
  cancelled: number;
}

/**
 * The close-out rate: of the tickets found in a scope and period, the share closed out of those
 * that can be (found less cancelled), to four places; a scope with nothing to close has closed
 * everything. The ledger, the bulletin (its figures and its per-team chart), the dashboard and
 * the ranking page all use this one rule, over the same counts.
 */
export function closeOutRate(c: CloseOutCounts): number {
  const closable = c.found - c.cancelled;
  return closable > 0 ? Math.round((c.closed / closable) * 10000) / 10000 : 1;
}

/** A rate (0..1) as officials write it: one decimal, no trailing zero ("97.6%", "100%"). */
export function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

/**
 * SQL for the day a ticket was found: its inspection's date when it came from one, else the
 * local day it was raised in the owner unit's zone. `t` is the ticket, `i` its inspection
 * (left-joined).
 */
export function sqlFoundOn(t = 't', i = 'i'): string {
  return `coalesce(${i}.date, ${sqlLocalDay(`${t}.created_at`, `${t}.unit_tz`)})`;
}

/** SQL aggregate columns `closed` and `cancelled` of `CloseOutCounts` over rows with a status column. */
export function sqlCloseOutCounts(status = 't.status'): string {
  return `count(*) FILTER (WHERE ${status} = 'closed') AS closed, count(*) FILTER (WHERE ${status} = 'cancelled') AS cancelled`;
}
