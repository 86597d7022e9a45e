import { Inject, Injectable } from '@nestjs/common';
import { Clock, Forbidden, NotFound, Principal, ValidationFailed } from '@app/platform';
import { Units } from '@app/org';
import { InspectionService, RectificationClass } from '@app/tickets';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import { CAMPAIGN_KIND_LABELS, CampaignKind, CampaignRules, withDefaults } from '../domain/campaign-kinds';
import { campaignVisible, mayRun } from './campaign-access';
import { CAMPAIGN_SELECT, CampaignRow, periodLabel } from './campaign-row';

export interface CreateCampaignInput {
  title: string;
  kind: CampaignKind;
  unitId: string;
  /** A month `YYYY-MM` or months `YYYY-MM/YYYY-MM`. */
  period: string;
  issuedBy?: string;
  docNumber?: string;
  rules?: Partial<CampaignRules> & { rectificationClass?: RectificationClass };
}

export interface CampaignSummary {
  id: string;
  inspectionId: string;
  title: string;
  kind: CampaignKind;
  kindLabel: string;
  unitId: string;
  unitName: string;
  period: string;
  issuedBy: string;
  rules: CampaignRules;
  createdAt: string;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export function parsePeriod(text: string): { from: string; to: string } {
  const [from, to = from, ...rest] = text.trim().split('/');
  if (rest.length || !MONTH.test(from) || !MONTH.test(to) || to < from)
    throw ValidationFailed.field('period', 'must be a month YYYY-MM or months YYYY-MM/YYYY-MM');
  return { from, to };
}

export function toSummary(r: CampaignRow): CampaignSummary {
  return {
    id: r.id,
    inspectionId: r.inspection_id,
    title: r.title,
    kind: r.kind,
    kindLabel: CAMPAIGN_KIND_LABELS[r.kind].zh,
    unitId: r.unit_id,
    unitName: r.unit_name,
    period: periodLabel(r),
    issuedBy: r.issued_by,
    rules: withDefaults(r.rules),
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/**
 * Verification campaigns (专项核查). Each is recorded as an inspection of source
 * `verification` too, so the problems it finds are tickets of that inspection and reach the
 * ledger and the bulletin as any inspection's do.
 */
@Injectable()
export class CampaignService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly inspections: InspectionService,
  ) {}

  async create(principal: Principal, input: CreateCampaignInput): Promise<CampaignSummary> {
    const period = parsePeriod(input.period);
    const id = await this.db.transaction(async (m) => {
      const unit = await Units.byId(m, input.unitId);
      if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', input.unitId);
      if (!mayRun(principal, unit)) throw new Forbidden('Only an inspector, a leader or an administrator over the unit runs a campaign');
      if (unit.kind === 'village' || unit.kind === 'office')
        throw ValidationFailed.field('unitId', 'a campaign covers a township or a county, not a single village or office');
      const issuedBy = input.issuedBy?.trim() || unit.name;
      const today = DateTime.fromJSDate(this.clock.now(), { zone: unit.timezone }).toISODate()!;
      const inspection = await this.inspections.create(
        principal,
        { source: 'verification', title: input.title, issuedBy, docNumber: input.docNumber, date: today, unitId: unit.id },
        m,
      );
      const [row] = await m.query<Array<{ id: string }>>(
        `INSERT INTO campaign (inspection_id, kind, title, unit_id, period_from, period_to, issued_by, rules, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [
          inspection.id,
          input.kind,
          input.title.trim(),
          unit.id,
          period.from,
          period.to,
          issuedBy,
          JSON.stringify(withDefaults(input.rules)),
          principal.userId,
          this.clock.now(),
        ],
      );
      return row.id;
    });
    return toSummary(await this.readable(principal, id));
  }

  async row(m: EntityManager, id: string, lock = false): Promise<CampaignRow | undefined> {
    const [row] = await m.query<CampaignRow[]>(`${CAMPAIGN_SELECT} WHERE c.id = $1 ${lock ? 'FOR UPDATE OF c' : ''}`, [id]);
    return row;
  }

  /** A campaign that concerns the principal, or 404. */
  async readable(principal: Principal, id: string, m: EntityManager = this.db.manager, lock = false): Promise<CampaignRow> {
    const row = await this.row(m, id, lock);
    if (!row || !campaignVisible(principal, { id: row.unit_id, path: row.unit_path })) throw new NotFound('Campaign', id);
    return row;
  }

  /** A campaign the principal may run (import, draw), or 404 / 403. */
  async runnable(principal: Principal, id: string, m: EntityManager = this.db.manager, lock = false): Promise<CampaignRow> {
    const row = await this.readable(principal, id, m, lock);
    if (!mayRun(principal, { id: row.unit_id, path: row.unit_path }))
      throw new Forbidden('Only an inspector, a leader or an administrator over the campaign’s unit does this');
    return row;
  }

  /** The campaign of the same unit and kind before this one: the last round. */
  async previous(m: EntityManager, row: CampaignRow, rounds = 1): Promise<string[]> {
    const rows = await m.query<Array<{ id: string }>>(
      `SELECT id FROM campaign WHERE unit_id = $1 AND kind = $2 AND id <> $3 AND (period_from, created_at) < ($4, $5)
        ORDER BY period_from DESC, created_at DESC LIMIT $6`,
      [row.unit_id, row.kind, row.id, row.period_from, row.created_at, rounds],
    );
    return rows.map((r) => r.id);
  }

  async list(principal: Principal, q: { unitId?: string; kind?: CampaignKind }): Promise<CampaignSummary[]> {
    const rows = await this.db.query<CampaignRow[]>(
      `${CAMPAIGN_SELECT} WHERE ($1::uuid IS NULL OR c.unit_id = $1) AND ($2::text IS NULL OR c.kind = $2)
        ORDER BY c.period_from DESC, c.created_at DESC LIMIT 500`,
      [q.unitId ?? null, q.kind ?? null],
    );
    return rows.filter((r) => campaignVisible(principal, { id: r.unit_id, path: r.unit_path })).map(toSummary);
  }
}
