import type { EntityManager } from 'typeorm';
import type { Principal } from '@app/platform';
import type { CloseOutCounts } from '../domain/close-out-rate';

/** An open ticket as the rectification list shows it. */
export interface OpenTicket {
  id: string;
  code: string;
  title: string;
  unitId: string;
  unitName: string;
  category: string | null;
  source: string | null;
  responsible: string | null;
  deadline: string | null;
  measures: string | null;
  status: string;
  overdueDays: number;
}

/** A team's tickets over a month. */
export interface TeamTicketStats {
  /** Found this month (by the found day, as the ledger counts: see sqlFoundOn). */
  opened: number;
  /** Of those found this month: closed out by now, and cancelled (the close-out rate's counts). */
  foundClosed: number;
  foundCancelled: number;
  /** Active now (still to be rectified), the overdue ones included. */
  active: number;
  /** Closed out this month, and how many by their deadline. */
  closed: number;
  closedOnTime: number;
  /** Close-outs sent back this month. */
  returned: number;
  /** Open and past the deadline now. */
  overdue: number;
  /** Open and past the deadline by more than the bulletin's limit. */
  overdueBeyondLimit: number;
}

export interface SelfCheckProblem {
  title: string;
  description?: string;
  category?: string;
  responsible?: string;
  measures?: string;
  deadline?: string;
}

/** A ticket whose deadline is near or past, for reminders and escalation. */
export interface DeadlineTicket {
  id: string;
  code: string;
  title: string;
  unitId: string;
  unitName: string;
  parentId: string | null;
  responsible: string | null;
  deadline: string;
  daysLeft: number;
}

/** What the cycle reads from, and writes to, the tickets. */
export abstract class TicketFacts {
  abstract openTickets(m: EntityManager, townshipId: string, today: string): Promise<OpenTicket[]>;
  abstract teamStats(
    m: EntityManager,
    townshipId: string,
    bounds: { start: Date; end: Date },
    found: { from: string; to: string },
    today: string,
    overdueLimitDays: number,
  ): Promise<Map<string, TeamTicketStats>>;
  /** Files a team's self-check problems as tickets (source self_check); returns the inspection and tickets. */
  abstract fileSelfCheckProblems(
    m: EntityManager,
    principal: Principal,
    team: { id: string; name: string },
    period: string,
    problems: SelfCheckProblem[],
  ): Promise<{ inspectionId: string | null; tickets: Array<{ id: string; code: string; title: string }> }>;
  /**
   * The close-out counts of a township's tickets found between two local days (the year so far):
   * found, and of those closed out and cancelled.
   */
  abstract totals(m: EntityManager, townshipId: string, found: { from: string; to: string }): Promise<CloseOutCounts>;
  /** Tickets of a township open with a deadline on or before `until`. */
  abstract deadlineTickets(m: EntityManager, townshipId: string, today: string, until: string): Promise<DeadlineTicket[]>;
}
