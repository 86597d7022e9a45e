import { Inject, Injectable } from '@nestjs/common';
import type { Writable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import { RankingService } from '@app/assessment';
import { AppConfig, Clock, localDay, Principal, ValidationFailed } from '@app/platform';
import { OrgUnit, OrgUnitService } from '@app/org';
import { LedgerFilter, LedgerRows, LedgerTicketRow, SOURCE_LABELS, STATUS_NAMES } from '@app/tickets';
import { openCsvTable } from '../xlsx/csv-table-writer';
import type { TableWriter } from '../xlsx/table';
import { openXlsxTable } from '../xlsx/xlsx-table-writer';
import { LEDGER_COLUMNS, ledgerCells, ledgerFooter, ledgerSummaries } from './ledger-sheet';
import { LedgerTally, summarize } from './ledger-totals';
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

/** Rows fetched per query when a whole ledger is streamed: small enough to stay light, large enough to be quick. */
const CHUNK = 1000;

function toLedgerRow(r: LedgerTicketRow, seq: number): LedgerRow {
  const closeOut = r.status === 'closed' ? (r.closedOnTime === false ? 'late' : 'on_time') : null;
  return {
    seq,
    id: r.id,
    code: r.code,
    source: r.source,
    sourceLabel: SOURCE_LABELS[r.source],
    inspectionTitle: r.inspectionTitle,
    issuedBy: r.issuedBy,
    round: r.round,
    docNumber: r.docNumber,
    docDate: r.docDate,
    title: r.title,
    category: r.category,
    unitId: r.unitId,
    unitName: r.unitName,
    responsible: r.responsible,
    foundOn: r.foundOn,
    originalDeadline: r.originalDeadline,
    deadline: r.deadline,
    measures: r.measures,
    status: r.status,
    statusLabel: STATUS_NAMES[r.status],
    closedOn: r.closedOn,
    closeOut,
    closeOutLabel: closeOut ? CLOSE_OUT_LABELS[closeOut] : null,
    overdue: r.overdue,
    daysOverdue: r.daysOverdue,
    returned: r.returned,
    verifier: r.status === 'closed' ? r.verifier : null,
    repeatOf: r.repeatOf,
    evidenceWarnings: r.evidenceWarnings,
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
    if (query.round) parts.push(`巡察轮次：${query.round}`);
    if (query.docNumber) parts.push(`反馈文号：${query.docNumber}`);
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

  private filter(s: LedgerSelection): LedgerFilter {
    const q = s.query;
    return {
      scope: s.principal.scope,
      now: s.now,
      unit: s.unit,
      subtree: q.subtree === true,
      source: q.source,
      from: q.from,
      to: q.to,
      round: q.round,
      docNumber: q.docNumber,
    };
  }

  /** The totals of every row the selection holds; `m` reads them inside a caller's transaction. */
  async totals(s: LedgerSelection, m: EntityManager = this.db.manager): Promise<LedgerTotals> {
    return summarize(await LedgerRows.groups(m, this.filter(s)), this.rankings.rules.lights);
  }

  /** A page of the ledger in code order, with the totals of every row the filters select. */
  async page(principal: Principal, query: LedgerQuery, page: number, pageSize: number): Promise<LedgerPage> {
    const s = await this.select(principal, query);
    const [rows, totals] = await Promise.all([LedgerRows.page(this.db, this.filter(s), pageSize, (page - 1) * pageSize), this.totals(s)]);
    const first = (page - 1) * pageSize + 1;
    return { rows: rows.map((r, i) => toLedgerRow(r, first + i)), totals, page, pageSize, total: totals.found };
  }

  /** Every row of the ledger in code order, a chunk at a time (keyset on the unique code). */
  async *chunks(s: LedgerSelection, size = CHUNK, m: EntityManager = this.db.manager): AsyncGenerator<LedgerRow[]> {
    const filter = this.filter(s);
    let after: string | undefined;
    let seq = 0;
    for (;;) {
      const rows = await LedgerRows.after(m, filter, after, size);
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
