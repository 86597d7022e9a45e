import type { TeamLight } from '@app/assessment';
import type { EvidenceWarningOnTicket, Source, Status } from '@app/tickets';

/** Filters of a ledger: a unit (and by default everything under it), a period of found dates, a source. */
export interface LedgerQuery {
  unitId?: string;
  /** With unitId: include the units under it (the default). */
  subtree?: boolean;
  /** Inclusive bounds on the found date, YYYY-MM-DD. */
  from?: string;
  to?: string;
  source?: Source;
  /** Inspections of this round (第三轮). */
  round?: string;
  /** Inspections of this feedback document (黔巡反馈〔2026〕12号). */
  docNumber?: string;
}

/** How a closed ticket was closed out: by its deadline (按期销号) or after it (逾期销号). */
export type CloseOut = 'on_time' | 'late';

/** One line of the problem / close-out ledger (问题台账 / 销号台账). */
export interface LedgerRow {
  seq: number;
  id: string;
  code: string;
  source: Source;
  sourceLabel: string;
  inspectionTitle: string | null;
  issuedBy: string | null;
  /**
   * The inspection's round (轮次), feedback document number (反馈文号) and its date; absent from
   * the rows of ledgers issued before inspections carried them.
   */
  round?: string | null;
  docNumber?: string | null;
  docDate?: string | null;
  title: string;
  category: string | null;
  unitId: string;
  unitName: string;
  responsible: string | null;
  /** The date the problem was found: its inspection's date, else the day the ticket was raised. */
  foundOn: string;
  /** The deadline first set, before any extension (原定整改时限). */
  originalDeadline: string | null;
  deadline: string | null;
  measures: string | null;
  status: Status;
  statusLabel: string;
  closedOn: string | null;
  closeOut: CloseOut | null;
  closeOutLabel: string | null;
  overdue: boolean;
  daysOverdue: number;
  /** How many times its close-out was sent back (退回). */
  returned: number;
  verifier: string | null;
  /** The codes of the closed tickets it repeats (屡查屡犯); absent in ledgers issued before repeats were kept. */
  repeatOf?: string[];
  /**
   * Every warning raised on its evidence (佐证预警), oldest upload first, as the ticket's page shows
   * them; absent in ledgers issued before the ledger carried them.
   */
  evidenceWarnings?: EvidenceWarningOnTicket[];
}

export interface LedgerCounts {
  found: number;
  closed: number;
  closedOnTime: number;
  closedLate: number;
  /** Not yet closed out and not cancelled. */
  open: number;
  overdue: number;
  cancelled: number;
  /** Tickets whose close-out was sent back at least once. */
  returned: number;
  /** The close-out rate (closeOutRate): closed over found, cancelled tickets left out; 1 when there is nothing to close. */
  closureRate: number;
}

export interface LedgerTotals extends LedgerCounts {
  bySource: Array<LedgerCounts & { source: Source; label: string }>;
  /** Per owner unit, with the unit's light by the configured rule over its overdue and returned tickets. */
  byUnit: Array<LedgerCounts & { unitId: string; unitName: string; light: TeamLight }>;
  /** Per inspection round, in round order; tickets of no round last, under `round: null`. */
  byRound: Array<LedgerCounts & { round: string | null }>;
  /** Per feedback document, by its date; tickets of no document last, under `docNumber: null`. */
  byDocument: Array<LedgerCounts & { docNumber: string | null; docDate: string | null; round: string | null }>;
  /** The line officials quote: "排查出问题165个，已整改销号161个…". */
  sentence: string;
}

/** The ledger as JSON: a page of rows and the totals of every row the filters select. */
export interface LedgerPage {
  rows: LedgerRow[];
  totals: LedgerTotals;
  page: number;
  pageSize: number;
  total: number;
}

export const CLOSE_OUT_LABELS: Record<CloseOut, string> = { on_time: '按期销号', late: '逾期销号' };
