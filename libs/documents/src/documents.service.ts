import { Inject, Injectable } from '@nestjs/common';
import { Conflict, Forbidden, NotFound, PG_UNIQUE_VIOLATION, Principal, sqlState, ValidationFailed } from '@app/platform';
import { CycleOutputs } from '@app/cycles';
import { OrgUnit, OrgUnitService, UnitSql, Units } from '@app/org';
import { escapeLike } from '@app/tickets';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import type { DocumentDetail, DocumentPage, DocumentQuery, DocumentSummary, IssueRequest } from './documents.views';
import { DocumentIssuer, UnitRef } from './issue/document-issuer';
import { DocumentKind, isPeriodOfKind, LEDGER_DOCUMENT_MAX_ROWS, Locale, PER_TEAM_KINDS, periodFormatOf } from './kinds';
import { LedgerService } from './ledger/ledger.service';
import type { DocumentSnapshot } from './render/snapshot';
import type { LedgerData } from './xlsx/list-tables';

interface DocumentRow {
  id: string;
  kind: DocumentKind;
  unit_id: string;
  unit_name: string;
  unit_path: string;
  period: string;
  number: number;
  number_label: string;
  title: string;
  issuer_name: string;
  issued_at: Date;
  issued_by: string | null;
  issued_by_name: string | null;
  sha256: string;
  locale: Locale;
  source_output_id: string | null;
  corrects_id: string | null;
  corrects_label: string | null;
  corrected_by_id: string | null;
  corrected_by_label: string | null;
}

/**
 * Kinds a unit issues to everyone under it: a township's supervision bulletin (督查通报) and its
 * evaluation of the teams are read by the village teams they rank, not only by the township.
 */
export const ADDRESSED_TO_ALL_UNDER: ReadonlySet<DocumentKind> = new Set<DocumentKind>(['bulletin', 'evaluation_list']);

/** Whether the caller may read a document: in its scope, or addressed to a unit the caller works within. */
export function mayRead(principal: Principal, doc: { kind: DocumentKind; unit_id: string; unit_path: string }): boolean {
  const unit = { id: doc.unit_id, path: doc.unit_path };
  return principal.scope.canRead(unit) || (ADDRESSED_TO_ALL_UNDER.has(doc.kind) && principal.scope.worksWithin(unit));
}

/** The summary columns of a document, and any `extra` ones (its stored `d.data` or `d.html`). */
const select = (extra = '') => `
  SELECT ${extra} d.id, d.kind, d.unit_id, u.name AS unit_name, u.path AS unit_path, d.period, d.number, d.number_label, d.title,
         d.issuer_name, d.issued_at, d.issued_by, d.issued_by_name, d.sha256, d.locale, d.source_output_id,
         d.corrects_id, c.number_label AS corrects_label, n.id AS corrected_by_id, n.number_label AS corrected_by_label
    FROM document d
    ${UnitSql.join('u', 'd.unit_id')}
    LEFT JOIN document c ON c.id = d.corrects_id
    LEFT JOIN document n ON n.corrects_id = d.id`;

/** The first and last day of a period, `YYYY-MM` or `YYYY`, as the ledger's found-date bounds. */
export function periodDays(period: string): { from: string; to: string } {
  const [year, month] = period.split('-').map(Number);
  const first = DateTime.utc(year, month ?? 1, 1);
  return { from: first.toISODate()!, to: first.endOf(month ? 'month' : 'year').toISODate()! };
}

const unitRef = (u: Pick<OrgUnit, 'id' | 'name' | 'timezone'>): UnitRef => ({ id: u.id, name: u.name, timezone: u.timezone });

function toSummary(r: DocumentRow): DocumentSummary {
  return {
    id: r.id,
    kind: r.kind,
    unitId: r.unit_id,
    unitName: r.unit_name,
    period: r.period,
    number: r.number,
    numberLabel: r.number_label,
    title: r.title,
    issuer: r.issuer_name,
    issuedAt: new Date(r.issued_at).toISOString(),
    issuedBy: r.issued_by_name ? { id: r.issued_by, name: r.issued_by_name } : null,
    sha256: r.sha256,
    locale: r.locale,
    corrects: r.corrects_id ? { id: r.corrects_id, numberLabel: r.corrects_label! } : null,
    correctedBy: r.corrected_by_id ? { id: r.corrected_by_id, numberLabel: r.corrected_by_label! } : null,
    sourceOutputId: r.source_output_id,
  };
}

/**
 * Documents of record through the caller's scope: list, read, and issue by hand (a leader or
 * inspector over the unit), including a correction (更正) as a new number pointing to the old.
 * A document outside the caller's scope is "not found".
 */
@Injectable()
export class DocumentService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly issuer: DocumentIssuer,
    private readonly ledger: LedgerService,
    private readonly units: OrgUnitService,
  ) {}

  async list(principal: Principal, q: DocumentQuery): Promise<DocumentPage> {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 20;
    const scope = principal.scope.sqlFilter('u.path', 1);
    const params: unknown[] = [...scope.params, [...ADDRESSED_TO_ALL_UNDER], principal.scope.grantPaths()];
    const kinds = params.length - 1;
    // The same rule as mayRead: the scope, or a document addressed to a unit the caller works within.
    const where = [
      `(${scope.sql} OR (d.kind = ANY($${kinds}::text[]) AND EXISTS (SELECT 1 FROM unnest($${kinds + 1}::text[]) AS g(path) WHERE left(g.path, length(u.path)) = u.path)))`,
    ];
    const add = (sql: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(sql(params.length));
    };
    if (q.unitId) {
      const unit = await this.units.readable(principal, q.unitId);
      if (q.subtree) add((n) => `u.path LIKE $${n}`, `${escapeLike(unit.path)}%`);
      else add((n) => `d.unit_id = $${n}`, unit.id);
    }
    if (q.kind) add((n) => `d.kind = $${n}`, q.kind);
    if (q.period) add((n) => `d.period = $${n}`, q.period);
    const filter = where.join(' AND ');
    const [{ total }] = await this.db.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total FROM document d ${UnitSql.join('u', 'd.unit_id')} WHERE ${filter}`,
      params,
    );
    const rows = await this.db.query<DocumentRow[]>(
      `${select()} WHERE ${filter} ORDER BY d.issued_at DESC, d.number DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, pageSize, (page - 1) * pageSize],
    );
    return { items: rows.map(toSummary), total, page, pageSize };
  }

  async get(principal: Principal, id: string): Promise<DocumentDetail> {
    const row = await this.readable<{ data: DocumentSnapshot }>(principal, id, 'd.data');
    return { ...toSummary(row), snapshot: row.data };
  }

  /** The stored HTML, exactly as issued (its sha256 is the document's). */
  async html(principal: Principal, id: string): Promise<{ document: DocumentSummary; html: string }> {
    const row = await this.readable<{ html: string }>(principal, id, 'd.html');
    return { document: toSummary(row), html: row.html };
  }

  /** The stored snapshot, which every other rendition (PDF, Word, Excel) derives from. */
  async snapshot(principal: Principal, id: string): Promise<{ document: DocumentSummary; snapshot: DocumentSnapshot }> {
    const { snapshot, ...document } = await this.get(principal, id);
    return { document, snapshot };
  }

  /**
   * Issues a document by hand, or a correction of one: a cycle kind from its step's data, a
   * ledger from the tickets as they are now (so correcting a ledger re-reads them).
   */
  async issue(principal: Principal, req: IssueRequest): Promise<DocumentDetail> {
    const kind = req.kind;
    if (!isPeriodOfKind(kind, req.period)) throw ValidationFailed.field('period', `must be ${periodFormatOf(kind)}`);
    const unit = await this.units.readable(principal, req.unitId);
    if (!principal.scope.hasRoleOver(unit, 'leader', 'inspector', 'admin')) {
      throw new Forbidden('Only a leader or an inspector over the unit issues its documents');
    }
    const corrected = req.corrects ? await this.readable(principal, req.corrects) : undefined;
    if (corrected && (corrected.kind !== kind || corrected.unit_id !== unit.id || corrected.period !== req.period)) {
      throw ValidationFailed.field('corrects', `must be a ${kind} document of the same unit and period`);
    }
    const issuedBy = { id: principal.userId, name: principal.displayName };
    const corrects = corrected ? { id: corrected.id, numberLabel: corrected.number_label, title: corrected.title } : null;
    let id: string;
    try {
      id = await this.db.transaction(async (m) => {
        if (kind === 'ledger') {
          // No cycle output makes a ledger unique, so two first issues at once wait for each other here.
          await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`document:ledger:${unit.id}:${req.period}`]);
          await this.refuseReissue(m, kind, unit.id, req.period, corrected);
          const data = await this.ledgerData(m, principal, unit, req.period);
          const subject = unitRef(unit);
          const township = unit.kind === 'township' ? subject : ((await this.issuingTownship(m, unit.path)) ?? subject);
          const locale = req.locale ?? 'zh';
          return this.issuer.issue(m, {
            kind,
            unit: subject,
            township,
            period: req.period,
            data,
            locale,
            issuedBy,
            corrects,
            sourceOutputId: null,
          });
        }
        const about = PER_TEAM_KINDS.includes(kind) ? { team: unit.id } : { township: unit.id };
        const output = await CycleOutputs.latest(m, kind, req.period, about);
        if (!output) throw new Conflict(`There is no ${kind} data for ${unit.name} ${req.period} yet: its cycle step has not run`);
        await this.refuseReissue(m, kind, unit.id, req.period, corrected);
        // The unit asked for is the output's township, or its team for a per-team kind.
        const township = output.subjectUnitId ? await this.unitRef(m, output.unitId) : unitRef(unit);
        return this.issuer.issue(m, {
          kind,
          unit: unitRef(unit),
          township,
          period: req.period,
          data: output.data,
          locale: req.locale ?? 'zh',
          issuedBy,
          corrects,
          sourceOutputId: corrected ? null : output.id,
        });
      });
    } catch (e) {
      // Two issues at once: the schema lets one through; the other learns why.
      if (sqlState(e) === PG_UNIQUE_VIOLATION) {
        throw new Conflict('This document was issued or corrected by someone else at the same moment; reload and try again');
      }
      throw e;
    }
    return this.get(principal, id);
  }

  /**
   * A document is issued once per (kind, unit, period); after that only its latest version is
   * corrected. Read under the issue's lock, so two corrections of one version cannot both pass.
   */
  private async refuseReissue(
    m: EntityManager,
    kind: DocumentKind,
    unitId: string,
    period: string,
    corrected?: DocumentRow,
  ): Promise<void> {
    const [current] = await m.query<Array<{ id: string; number_label: string }>>(
      `SELECT d.id, d.number_label FROM document d
        WHERE d.kind = $1 AND d.unit_id = $2 AND d.period = $3 AND NOT EXISTS (SELECT 1 FROM document c WHERE c.corrects_id = d.id)
        ORDER BY d.issued_at DESC LIMIT 1`,
      [kind, unitId, period],
    );
    if (current && current.id !== corrected?.id) {
      const message = corrected
        ? `${corrected.number_label} was already corrected; its latest version is ${current.number_label}, correct that one`
        : `This document was already issued as ${current.number_label}; to change it, issue a correction (corrects)`;
      throw new Conflict(message, { documentId: current.id });
    }
  }

  /**
   * The ledger of a unit's subtree for the tickets found in the period, read through the same
   * code as `GET /ledger`, so the document's rows and totals are the route's.
   */
  private async ledgerData(m: EntityManager, principal: Principal, unit: OrgUnit, period: string): Promise<LedgerData> {
    const { from, to } = periodDays(period);
    const selection = await this.ledger.select(principal, { unitId: unit.id, subtree: true, from, to }, unit);
    const { rows, totals, complete } = await this.ledger.collect(selection, LEDGER_DOCUMENT_MAX_ROWS, m);
    if (!complete) {
      const { found } = await this.ledger.totals(selection, m);
      throw ValidationFailed.field(
        'period',
        `the ledger of ${unit.name} for ${period} has ${found} rows; a ledger document holds at most ${LEDGER_DOCUMENT_MAX_ROWS}. ` +
          `Take a shorter period, a smaller unit, or the spreadsheet: GET /api/v1/ledger?unitId=${unit.id}&from=${from}&to=${to}&format=xlsx`,
      );
    }
    return { subtitle: selection.subtitle, rows, totals };
  }

  /** The township a unit belongs to (itself when it is one), whose office issues and numbers its ledger. */
  private async issuingTownship(m: EntityManager, path: string): Promise<UnitRef | undefined> {
    const township = await Units.enclosing(m, path, 'township');
    return township ? unitRef(township) : undefined;
  }

  private async unitRef(m: EntityManager, id: string): Promise<UnitRef> {
    const unit = await Units.byId(m, id);
    if (!unit) throw new NotFound('Unit', id);
    return unitRef(unit);
  }

  /** A document in the caller's scope, or 404; `column` reads one of its stored bodies along with it. */
  private async readable<Extra = unknown>(principal: Principal, id: string, column?: 'd.data' | 'd.html'): Promise<DocumentRow & Extra> {
    const [row] = await this.db.query<Array<DocumentRow & Extra>>(`${select(column ? `${column},` : '')} WHERE d.id = $1`, [id]);
    if (!row || !mayRead(principal, row)) throw new NotFound('Document', id);
    return row;
  }
}
