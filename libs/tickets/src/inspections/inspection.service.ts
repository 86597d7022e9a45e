import { Inject, Injectable } from '@nestjs/common';
import { Clock, Forbidden, NotFound, Principal, ValidationFailed } from '@app/platform';
import { Units, UnitSql } from '@app/org';
import { DataSource, EntityManager } from 'typeorm';
import { Source, SOURCE_LABELS } from '../domain/categories';
import { mayRaise } from '../tickets/ticket-access';
import { FeedbackDocument, normaliseDocNumber } from './feedback-document';

export interface CreateInspectionInput {
  source: Source;
  title: string;
  issuedBy: string;
  docNumber?: string;
  /** The date of the feedback document, YYYY-MM-DD. */
  docDate?: string;
  /** 轮次: 第三轮. */
  round?: string;
  date: string;
  unitId: string;
}

export interface InspectionView {
  id: string;
  source: Source;
  sourceLabel: string;
  title: string;
  issuedBy: string;
  docNumber: string | null;
  docDate: string | null;
  round: string | null;
  date: string;
  unitId: string;
  unitName: string;
  tickets: number;
  createdAt: string;
}

export interface InspectionRow {
  id: string;
  source: Source;
  title: string;
  issued_by: string;
  doc_number: string | null;
  doc_date: string | null;
  round: string | null;
  date: string;
  unit_id: string;
  unit_name: string;
  unit_path: string;
  tickets: number;
  created_at: Date;
}

const SELECT = `
  SELECT i.id, i.source, i.title, i.issued_by, i.doc_number, to_char(i.doc_date, 'YYYY-MM-DD') AS doc_date, i.round,
         to_char(i.date, 'YYYY-MM-DD') AS date, i.unit_id, u.name AS unit_name,
         u.path AS unit_path, (SELECT count(*)::int FROM ticket t WHERE t.inspection_id = i.id) AS tickets, i.created_at
    FROM inspection i ${UnitSql.join('u', 'i.unit_id')}`;

/**
 * An inspection (巡察 / 督查 / 自查 / 审计 / 上级反馈 / 专项核查) of a unit: its feedback list
 * becomes tickets of the units inside it.
 */
@Injectable()
export class InspectionService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  static toView(r: InspectionRow): InspectionView {
    return {
      id: r.id,
      source: r.source,
      sourceLabel: SOURCE_LABELS[r.source],
      title: r.title,
      issuedBy: r.issued_by,
      docNumber: r.doc_number,
      docDate: r.doc_date,
      round: r.round,
      date: r.date,
      unitId: r.unit_id,
      unitName: r.unit_name,
      tickets: r.tickets,
      createdAt: new Date(r.created_at).toISOString(),
    };
  }

  async create(principal: Principal, input: CreateInspectionInput, m: EntityManager = this.db.manager): Promise<InspectionView> {
    const unit = await Units.byId(m, input.unitId);
    if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', input.unitId);
    if (!mayRaise(principal, unit))
      throw new Forbidden('Only an inspector, a leader or an administrator over the unit records an inspection');
    if (input.date > '2100-01-01' || input.date < '2000-01-01') throw ValidationFailed.field('date', 'is not a plausible date');
    if (input.docDate && (input.docDate > '2100-01-01' || input.docDate < '2000-01-01'))
      throw ValidationFailed.field('docDate', 'is not a plausible date');
    const [row] = await m.query<Array<{ id: string }>>(
      `INSERT INTO inspection (source, title, issued_by, doc_number, doc_date, round, date, unit_id, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        input.source,
        input.title.trim(),
        input.issuedBy.trim(),
        input.docNumber?.trim() ? normaliseDocNumber(input.docNumber) : null,
        input.docDate || null,
        input.round?.trim() || null,
        input.date,
        unit.id,
        principal.userId,
        this.clock.now(),
      ],
    );
    return InspectionService.toView((await this.row(m, row.id))!);
  }

  /**
   * Fills the round and feedback document an inspection was recorded without, from its findings
   * list's title rows; what the inspection already carries is kept.
   */
  async completeFeedback(m: EntityManager, id: string, found: FeedbackDocument): Promise<void> {
    if (!found.round && !found.docNumber && !found.docDate) return;
    await m.query(
      `UPDATE inspection SET round = coalesce(round, $2), doc_number = coalesce(doc_number, $3), doc_date = coalesce(doc_date, $4::date)
        WHERE id = $1`,
      [id, found.round, found.docNumber, found.docDate],
    );
  }

  async row(m: EntityManager, id: string): Promise<InspectionRow | undefined> {
    const [row] = await m.query<InspectionRow[]>(`${SELECT} WHERE i.id = $1`, [id]);
    return row;
  }

  async readable(principal: Principal, id: string, m: EntityManager = this.db.manager): Promise<InspectionRow> {
    const row = await this.row(m, id);
    if (!row || !principal.scope.canRead({ id: row.unit_id, path: row.unit_path })) throw new NotFound('Inspection', id);
    return row;
  }

  async get(principal: Principal, id: string): Promise<InspectionView> {
    return InspectionService.toView(await this.readable(principal, id));
  }

  async list(principal: Principal, q: { unitId?: string; source?: Source; page: number; pageSize: number }) {
    const scope = principal.scope.sqlFilter('u.path', 1);
    const params: unknown[] = [...scope.params];
    const where = [scope.sql];
    if (q.unitId) {
      const unit = await Units.byId(this.db, q.unitId);
      if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', q.unitId);
      params.push(`${unit.path}%`);
      where.push(`u.path LIKE $${params.length}`);
    }
    if (q.source) {
      params.push(q.source);
      where.push(`i.source = $${params.length}`);
    }
    params.push(q.pageSize, (q.page - 1) * q.pageSize);
    const rows = await this.db.query<Array<InspectionRow & { total: string }>>(
      `${SELECT.replace('SELECT i.id,', 'SELECT count(*) OVER () AS total, i.id,')} WHERE ${where.join(' AND ')}
        ORDER BY i.date DESC, i.created_at DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return {
      items: rows.map((r) => InspectionService.toView(r)),
      total: rows.length ? Number(rows[0].total) : 0,
      page: q.page,
      pageSize: q.pageSize,
    };
  }
}
