import { UnitSql } from '@app/org';
import type { CampaignKind, CampaignRules } from '../domain/campaign-kinds';

/** A campaign with its unit, as the lib reads it. */
export interface CampaignRow {
  id: string;
  inspection_id: string;
  kind: CampaignKind;
  title: string;
  unit_id: string;
  unit_name: string;
  unit_path: string;
  unit_tz: string;
  period_from: string;
  period_to: string;
  issued_by: string;
  rules: CampaignRules;
  created_at: Date;
}

export const CAMPAIGN_SELECT = `
  SELECT c.id, c.inspection_id, c.kind, c.title, c.unit_id, u.name AS unit_name, u.path AS unit_path, u.timezone AS unit_tz,
         c.period_from, c.period_to, c.issued_by, c.rules, c.created_at
    FROM campaign c ${UnitSql.join('u', 'c.unit_id')}`;

export function periodLabel(row: Pick<CampaignRow, 'period_from' | 'period_to'>): string {
  return row.period_from === row.period_to ? row.period_from : `${row.period_from}/${row.period_to}`;
}
