import type { EntityManager } from 'typeorm';
import type { Principal } from '@app/platform';

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
  /** Found this month (created in the period). */
  opened: number;
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
  /** Tickets of a township found, and closed out, between two instants (the year so far). */
  abstract totals(m: EntityManager, townshipId: string, since: Date, until: Date): Promise<{ found: number; closed: number }>;
  /** Tickets of a township open with a deadline on or before `until`. */
  abstract deadlineTickets(m: EntityManager, townshipId: string, today: string, until: string): Promise<DeadlineTicket[]>;
}
