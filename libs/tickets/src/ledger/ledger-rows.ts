import { Queryable, UnitSql, UserSql } from '@app/org';
import { Scope, sqlLocalDay } from '@app/platform';
import type { Source } from '../domain/categories';
import { sqlCloseOutCounts, sqlFoundOn } from '../domain/close-out-rate';
import { escapeLike } from '../domain/search';
import { sqlOverdueAt, Status } from '../domain/ticket-state';
import { EvidenceWarningOnTicket, SQL_EVIDENCE_WARNINGS } from '../evidence/ticket-warnings';

/**
 * Which tickets a ledger (问题台账 / 销号台账) lists: those in the scope, of the unit (and, with
 * `subtree`, everything under it), found between `from` and `to`, of one source. The parent of a
 * common problem is never listed: its children are the tickets that get closed out.
 */
export interface LedgerFilter {
  scope: Scope;
  /** One instant for every row, so "overdue" means the same on the first and the last page. */
  now: Date;
  unit?: { id: string; path: string };
  subtree: boolean;
  source?: Source;
  /** Inclusive bounds on the found date, YYYY-MM-DD. */
  from?: string;
  to?: string;
  /** The inspection's round (第三轮), exactly. */
  round?: string;
  /** The inspection's feedback document number (黔巡反馈〔2026〕12号), exactly. */
  docNumber?: string;
}

/** A ticket as the ledger lists it, its dates as local days (YYYY-MM-DD). */
export interface LedgerTicketRow {
  id: string;
  code: string;
  source: Source;
  inspectionTitle: string | null;
  issuedBy: string | null;
  /** The inspection's round (轮次), feedback document number (反馈文号) and its date. */
  round: string | null;
  docNumber: string | null;
  docDate: string | null;
  title: string;
  category: string | null;
  unitId: string;
  unitName: string;
  responsible: string | null;
  /** The inspection's date when the ticket came from one, else the local day it was raised. */
  foundOn: string;
  /** The deadline first set, before any extension. */
  originalDeadline: string | null;
  deadline: string | null;
  measures: string | null;
  status: Status;
  closedOn: string | null;
  closedOnTime: boolean | null;
  overdue: boolean;
  daysOverdue: number;
  /** How many times its close-out was sent back. */
  returned: number;
  /** Who accepted its close-out, when someone did. */
  verifier: string | null;
  /** The codes of the closed tickets it repeats (屡查屡犯); empty when it repeats none. */
  repeatOf: string[];
  /** Every warning raised on its evidence (佐证预警), oldest upload first, as the ticket's page shows them. */
  evidenceWarnings: EvidenceWarningOnTicket[];
}

/** The counts of the listed tickets of one owner unit, source, round and feedback document. */
export interface LedgerTicketGroup {
  unitId: string;
  unitName: string;
  source: Source;
  round: string | null;
  docNumber: string | null;
  docDate: string | null;
  found: number;
  closed: number;
  /** Closed by the deadline, or closed without one. */
  closedOnTime: number;
  overdue: number;
  cancelled: number;
  /** Tickets whose close-out was sent back at least once. */
  returned: number;
}

interface Row {
  id: string;
  code: string;
  source: Source;
  inspection_title: string | null;
  issued_by: string | null;
  round: string | null;
  doc_number: string | null;
  doc_date: string | null;
  title: string;
  category: string | null;
  unit_id: string;
  unit_name: string;
  responsible: string | null;
  found_on: string;
  original_deadline: string | null;
  deadline: string | null;
  measures: string | null;
  status: Status;
  closed_on: string | null;
  closed_on_time: boolean | null;
  overdue: boolean;
  days_overdue: number;
  returned_count: number;
  verifier: string | null;
  repeat_of: string[] | null;
  evidence_warnings: EvidenceWarningOnTicket[] | null;
}

const FOUND_ON = sqlFoundOn('t', 'i');
const TODAY = sqlLocalDay('$1', 't.unit_tz');
const OVERDUE = sqlOverdueAt('$1');

const ROW_COLUMNS = `
  t.id, t.code, t.source, i.title AS inspection_title, i.issued_by, i.round, i.doc_number,
  to_char(i.doc_date, 'YYYY-MM-DD') AS doc_date, t.title, t.category, t.unit_id, u.name AS unit_name,
  t.responsible, to_char(${FOUND_ON}, 'YYYY-MM-DD') AS found_on,
  to_char(coalesce(t.original_deadline, t.deadline), 'YYYY-MM-DD') AS original_deadline, to_char(t.deadline, 'YYYY-MM-DD') AS deadline,
  t.measures, t.status, to_char(${sqlLocalDay('t.closed_at', 't.unit_tz')}, 'YYYY-MM-DD') AS closed_on, t.closed_on_time, t.returned_count,
  ${OVERDUE} AS overdue, CASE WHEN ${OVERDUE} THEN ${TODAY} - t.deadline ELSE 0 END AS days_overdue,
  v.display_name AS verifier,
  (SELECT coalesce(array_agg(r.code ORDER BY r.code), '{}') FROM ticket_flag f JOIN ticket r ON r.id = ANY(f.ref_ids)
    WHERE f.ticket_id = t.id AND f.flag = 'repeat') AS repeat_of,
  ${SQL_EVIDENCE_WARNINGS('t.id')} AS evidence_warnings`;

/** The filter as SQL over `t` (ticket) and `i` (inspection); pushes its parameters, `now` first as $1. */
function where(f: LedgerFilter, params: unknown[]): string {
  const add = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  params.push(f.now);
  const scope = f.scope.sqlFilter('t.unit_path', params.length + 1);
  params.push(...scope.params);
  const clauses = [scope.sql, 'NOT t.is_common'];
  if (f.unit) clauses.push(f.subtree ? `t.unit_path LIKE ${add(`${escapeLike(f.unit.path)}%`)}` : `t.unit_id = ${add(f.unit.id)}`);
  if (f.source) clauses.push(`t.source = ${add(f.source)}`);
  if (f.from) clauses.push(`${FOUND_ON} >= ${add(f.from)}::date`);
  if (f.to) clauses.push(`${FOUND_ON} <= ${add(f.to)}::date`);
  if (f.round) clauses.push(`i.round = ${add(f.round)}`);
  if (f.docNumber) clauses.push(`i.doc_number = ${add(f.docNumber)}`);
  return clauses.join(' AND ');
}

function rowsSql(f: LedgerFilter, params: unknown[]): string {
  return `SELECT ${ROW_COLUMNS}
            FROM ticket t
            ${UnitSql.join('u', 't.unit_id')}
            LEFT JOIN inspection i ON i.id = t.inspection_id
            ${UserSql.join('v', 't.verified_by')}
           WHERE ${where(f, params)}`;
}

function toRow(r: Row): LedgerTicketRow {
  return {
    id: r.id,
    code: r.code,
    source: r.source,
    inspectionTitle: r.inspection_title,
    issuedBy: r.issued_by,
    round: r.round,
    docNumber: r.doc_number,
    docDate: r.doc_date,
    title: r.title,
    category: r.category,
    unitId: r.unit_id,
    unitName: r.unit_name,
    responsible: r.responsible,
    foundOn: r.found_on,
    originalDeadline: r.original_deadline,
    deadline: r.deadline,
    measures: r.measures,
    status: r.status,
    closedOn: r.closed_on,
    closedOnTime: r.closed_on_time,
    overdue: r.overdue,
    daysOverdue: Number(r.days_overdue),
    returned: Number(r.returned_count),
    verifier: r.verifier,
    repeatOf: r.repeat_of ?? [],
    evidenceWarnings: r.evidence_warnings ?? [],
  };
}

/**
 * The ledger's row query: the tickets a filter selects in code order, a page or a keyset chunk
 * at a time, and their counts per owner unit and source. Each takes the caller's `Queryable`,
 * so a document's rows and totals can be read in one transaction.
 */
export const LedgerRows = {
  /** The rows of one page: `limit` rows after the first `offset`. */
  async page(q: Queryable, f: LedgerFilter, limit: number, offset: number): Promise<LedgerTicketRow[]> {
    const params: unknown[] = [];
    const sql = `${rowsSql(f, params)} ORDER BY t.code LIMIT ${Number(limit)} OFFSET ${Number(offset)}`;
    return (await q.query<Row[]>(sql, params)).map(toRow);
  },

  /** Up to `limit` rows whose code comes after `afterCode` (from the first row without one). */
  async after(q: Queryable, f: LedgerFilter, afterCode: string | undefined, limit: number): Promise<LedgerTicketRow[]> {
    const params: unknown[] = [];
    let sql = rowsSql(f, params);
    if (afterCode !== undefined) {
      params.push(afterCode);
      sql += ` AND t.code > $${params.length}`;
    }
    sql += ` ORDER BY t.code LIMIT ${Number(limit)}`;
    return (await q.query<Row[]>(sql, params)).map(toRow);
  },

  /** The counts of every row the filter selects, per owner unit, source, round and feedback document. */
  async groups(q: Queryable, f: LedgerFilter): Promise<LedgerTicketGroup[]> {
    const params: unknown[] = [];
    const inner = rowsSql(f, params);
    type GroupRow = Record<string, string> & { unit_id: string; unit_name: string; source: Source } & Pick<
        Row,
        'round' | 'doc_number' | 'doc_date'
      >;
    const rows = await q.query<GroupRow[]>(
      `SELECT r.unit_id, r.unit_name, r.source, r.round, r.doc_number, r.doc_date, count(*) AS found, ${sqlCloseOutCounts('r.status')},
              count(*) FILTER (WHERE r.status = 'closed' AND r.closed_on_time IS NOT FALSE) AS closed_on_time,
              count(*) FILTER (WHERE r.overdue) AS overdue,
              count(*) FILTER (WHERE r.returned_count > 0) AS returned
         FROM (${inner}) r GROUP BY r.unit_id, r.unit_name, r.source, r.round, r.doc_number, r.doc_date`,
      params,
    );
    return rows.map((g) => ({
      unitId: g.unit_id,
      unitName: g.unit_name,
      source: g.source,
      round: g.round,
      docNumber: g.doc_number,
      docDate: g.doc_date,
      found: Number(g.found),
      closed: Number(g.closed),
      closedOnTime: Number(g.closed_on_time),
      overdue: Number(g.overdue),
      cancelled: Number(g.cancelled),
      returned: Number(g.returned),
    }));
  },
} as const;
