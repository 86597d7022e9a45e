import { Inject, Injectable } from '@nestjs/common';
import type { Writable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import { RankingService } from '@app/assessment';
import { AppConfig, Clock, localDay, Principal, sqlLocalDay, ValidationFailed } from '@app/platform';
import { OrgUnit, OrgUnitService } from '@app/org';
import { escapeLike, SOURCE_LABELS, Source, sqlCloseOutCounts, sqlFoundOn, sqlOverdue, Status, STATUS_NAMES } from '@app/tickets';
import { openCsvTable } from '../xlsx/csv-table-writer';
import type { TableWriter } from '../xlsx/table';
import { openXlsxTable } from '../xlsx/xlsx-table-writer';
import { LEDGER_COLUMNS, ledgerCells, ledgerFooter, ledgerSummaries } from './ledger-sheet';
import { LedgerGroup, LedgerTally, summarize } from './ledger-totals';
import { CLOSE_OUT_LABELS, LedgerPage, LedgerQuery, LedgerRow, LedgerTotals } from './ledger.types';
import { KIND_LABELS } from '../kinds';

/** What a ledger covers once its filters are checked against the caller's scope. */
export interface LedgerSelection {
  principal: Principal;
  query: LedgerQuery;
  unit?: OrgUnit;
  /** One instant for every row, so "overdue" means the same on the first and the last page. */
  now: Date;
  /** The day the ledger is made, in the unit's time zone. */
  asOf: string;
  title: string;
  subtitle: string;
}

interface Row {
  id: string;
  code: string;
  source: Source;
  inspection_title: string | null;
  issued_by: string | null;
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
}

// The found date: the inspection's date when the ticket came from one, else the local day it was raised.
const FOUND_ON = sqlFoundOn('t', 'i');
const TODAY = sqlLocalDay('$1', 't.unit_tz');
const OVERDUE = sqlOverdue(TODAY);

const ROW_COLUMNS = `
  t.id, t.code, t.source, i.title AS inspection_title, i.issued_by, t.title, t.category, t.unit_id, u.name AS unit_name,
  t.responsible, to_char(${FOUND_ON}, 'YYYY-MM-DD') AS found_on,
  to_char(coalesce(t.original_deadline, t.deadline), 'YYYY-MM-DD') AS original_deadline, to_char(t.deadline, 'YYYY-MM-DD') AS deadline,
  t.measures, t.status, to_char(${sqlLocalDay('t.closed_at', 't.unit_tz')}, 'YYYY-MM-DD') AS closed_on, t.closed_on_time, t.returned_count,
  ${OVERDUE} AS overdue, CASE WHEN ${OVERDUE} THEN ${TODAY} - t.deadline ELSE 0 END AS days_overdue,
  v.display_name AS verifier`;

/** Rows fetched per query when a whole ledger is streamed: small enough to stay light, large enough to be quick. */
const CHUNK = 1000;

function toLedgerRow(r: Row, seq: number): LedgerRow {
  const closeOut = r.status === 'closed' ? (r.closed_on_time === false ? 'late' : 'on_time') : null;
  return {
    seq,
    id: r.id,
    code: r.code,
    source: r.source,
    sourceLabel: SOURCE_LABELS[r.source],
    inspectionTitle: r.inspection_title,
    issuedBy: r.issued_by,
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
    statusLabel: STATUS_NAMES[r.status],
    closedOn: r.closed_on,
    closeOut,
    closeOutLabel: closeOut ? CLOSE_OUT_LABELS[closeOut] : null,
    overdue: r.overdue,
    daysOverdue: Number(r.days_overdue),
    returned: Number(r.returned_count),
    verifier: r.status === 'closed' ? r.verifier : null,
  };
}

/**
 * The problem and close-out ledger (问题台账 / 销号台账): every ticket in the caller's scope with
 * its source, owner, deadlines, measures, state, close-out and verifier, and the totals. The
 * parent of a common problem is left out: its children are the tickets that get closed out.
 * Files are streamed in keyset chunks, so a county's year of tickets never sits in memory and
 * no transaction stays open while a slow client downloads.
 */
@Injectable()
export class LedgerService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly units: OrgUnitService,
    private readonly rankings: RankingService,
  ) {}

  /**
   * Checks the filters; a unit outside the caller's scope is unknown (404). A caller that has
   * already read the unit through `OrgUnitService.readable` passes it as `readUnit`.
   */
  async select(principal: Principal, query: LedgerQuery, readUnit?: OrgUnit): Promise<LedgerSelection> {
    if (query.from && query.to && query.from > query.to) throw ValidationFailed.field('from', 'must not be after to');
    const unit = readUnit ?? (query.unitId ? await this.units.readable(principal, query.unitId) : undefined);
    const now = this.clock.now();
    const asOf = localDay(now, unit?.timezone ?? this.config.TZ_DEFAULT);
    const subtree = query.subtree ?? true;
    const scopeText = unit ? `${unit.name}${subtree ? '（含下辖单位）' : ''}` : '本人权限范围内全部单位';
    const parts = [`统计范围：${scopeText}`];
    if (query.from || query.to) parts.push(`发现日期：${query.from ?? '起始'}至${query.to ?? asOf}`);
    parts.push(`问题来源：${query.source ? SOURCE_LABELS[query.source] : '全部'}`);
    parts.push(`截至${asOf}`);
    return {
      principal,
      query: { ...query, subtree },
      unit,
      now,
      asOf,
      title: `${unit?.name ?? ''}问题整改销号台账`,
      subtitle: parts.join('；'),
    };
  }

  /** The file name of the ledger's renditions, without extension. */
  fileStem(s: LedgerSelection): string {
    return `${s.title}_${s.asOf}`;
  }

  private where(s: LedgerSelection, params: unknown[]): string {
    const add = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    params.push(s.now);
    const scope = s.principal.scope.sqlFilter('t.unit_path', params.length + 1);
    params.push(...scope.params);
    const where = [scope.sql, 'NOT t.is_common'];
    const q = s.query;
    if (s.unit) where.push(q.subtree ? `t.unit_path LIKE ${add(`${escapeLike(s.unit.path)}%`)}` : `t.unit_id = ${add(s.unit.id)}`);
    if (q.source) where.push(`t.source = ${add(q.source)}`);
    if (q.from) where.push(`${FOUND_ON} >= ${add(q.from)}::date`);
    if (q.to) where.push(`${FOUND_ON} <= ${add(q.to)}::date`);
    return where.join(' AND ');
  }

  private rowsSql(s: LedgerSelection, params: unknown[], extra = ''): string {
    const where = this.where(s, params);
    return `SELECT ${ROW_COLUMNS}
              FROM ticket t
              JOIN org_unit u ON u.id = t.unit_id
              LEFT JOIN inspection i ON i.id = t.inspection_id
              LEFT JOIN app_user v ON v.id = t.verified_by
             WHERE ${where} ${extra}`;
  }

  /** The totals of every row the selection holds; `m` reads them inside a caller's transaction. */
  async totals(s: LedgerSelection, m: EntityManager = this.db.manager): Promise<LedgerTotals> {
    const params: unknown[] = [];
    const inner = this.rowsSql(s, params);
    const groups = await m.query<Array<Record<string, string> & { unit_id: string; unit_name: string; source: Source }>>(
      `SELECT r.unit_id, r.unit_name, r.source, count(*) AS found, ${sqlCloseOutCounts('r.status')},
              count(*) FILTER (WHERE r.status = 'closed' AND r.closed_on_time IS NOT FALSE) AS closed_on_time,
              count(*) FILTER (WHERE r.overdue) AS overdue,
              count(*) FILTER (WHERE r.returned_count > 0) AS returned
         FROM (${inner}) r GROUP BY r.unit_id, r.unit_name, r.source`,
      params,
    );
    return summarize(
      groups.map((g): LedgerGroup => ({
        unitId: g.unit_id,
        unitName: g.unit_name,
        source: g.source,
        found: Number(g.found),
        closed: Number(g.closed),
        closedOnTime: Number(g.closed_on_time),
        overdue: Number(g.overdue),
        cancelled: Number(g.cancelled),
        returned: Number(g.returned),
      })),
      this.rankings.rules.lights,
    );
  }

  /** A page of the ledger in code order, with the totals of every row the filters select. */
  async page(principal: Principal, query: LedgerQuery, page: number, pageSize: number): Promise<LedgerPage> {
    const s = await this.select(principal, query);
    const params: unknown[] = [];
    const sql = this.rowsSql(s, params, `ORDER BY t.code LIMIT ${Number(pageSize)} OFFSET ${Number((page - 1) * pageSize)}`);
    const [rows, totals] = await Promise.all([this.db.query<Row[]>(sql, params), this.totals(s)]);
    const first = (page - 1) * pageSize + 1;
    return { rows: rows.map((r, i) => toLedgerRow(r, first + i)), totals, page, pageSize, total: totals.found };
  }

  /** Every row of the ledger in code order, a chunk at a time (keyset on the unique code). */
  async *chunks(s: LedgerSelection, size = CHUNK, m: EntityManager = this.db.manager): AsyncGenerator<LedgerRow[]> {
    let after: string | undefined;
    let seq = 0;
    for (;;) {
      const params: unknown[] = [];
      const base = this.rowsSql(s, params);
      let sql = base;
      if (after !== undefined) {
        params.push(after);
        sql += ` AND t.code > $${params.length}`;
      }
      sql += ` ORDER BY t.code LIMIT ${Number(size)}`;
      const rows = await m.query<Row[]>(sql, params);
      if (!rows.length) return;
      yield rows.map((r) => toLedgerRow(r, ++seq));
      if (rows.length < size) return;
      after = rows[rows.length - 1].code;
    }
  }

  /**
   * The whole ledger in memory, for a document of record that stores its rows: the same rows as
   * the pages and files, with totals counted from them. Stops reading past `limit` rows and says
   * so (`complete: false`) rather than hold an unbounded ledger. `m` reads inside a caller's
   * transaction, so that a document's rows are one snapshot.
   */
  async collect(
    s: LedgerSelection,
    limit: number,
    m: EntityManager = this.db.manager,
  ): Promise<{ rows: LedgerRow[]; totals: LedgerTotals; complete: boolean }> {
    const tally = new LedgerTally(this.rankings.rules.lights);
    const rows: LedgerRow[] = [];
    for await (const chunk of this.chunks(s, Math.min(CHUNK, limit + 1), m)) {
      for (const row of chunk) {
        if (rows.length === limit) return { rows, totals: tally.totals(), complete: false };
        tally.add(row);
        rows.push(row);
      }
    }
    return { rows, totals: tally.totals(), complete: true };
  }

  /**
   * Streams the ledger through a table writer: the rows, then a totals row and the summaries
   * counted from the rows written, so the file agrees with itself whatever changes meanwhile.
   */
  async write(s: LedgerSelection, writer: TableWriter): Promise<LedgerTotals> {
    const tally = new LedgerTally(this.rankings.rules.lights);
    for await (const chunk of this.chunks(s)) {
      for (const row of chunk) tally.add(row);
      await writer.write(chunk.map(ledgerCells));
    }
    const totals = tally.totals();
    await writer.finish(ledgerFooter(totals), ledgerSummaries(totals));
    return totals;
  }

  writeXlsx(s: LedgerSelection, out: Writable): Promise<LedgerTotals> {
    return this.write(
      s,
      openXlsxTable(out, { sheetName: KIND_LABELS.ledger.zh, title: s.title, subtitle: s.subtitle, columns: LEDGER_COLUMNS }),
    );
  }

  writeCsv(s: LedgerSelection, out: Writable): Promise<LedgerTotals> {
    return this.write(s, openCsvTable(out, { sheetName: KIND_LABELS.ledger.zh, title: s.title, columns: LEDGER_COLUMNS }));
  }
}
