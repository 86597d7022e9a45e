import { Inject, Injectable } from '@nestjs/common';
import { Principal } from '@app/platform';
import { UnitSql } from '@app/org';
import { DataSource } from 'typeorm';
import { HouseholdAttribute, Verdict } from '../domain/campaign-kinds';
import { CampaignRates, CheckedCounts, countsOf, ratesOf, VerdictTally } from '../domain/rates';
import { villageFilter } from './campaign-access';
import { CampaignService, CampaignSummary, toSummary } from './campaign.service';
import { CampaignRow } from './campaign-row';

export interface VillageFigures {
  villageId: string;
  villageName: string;
  /** Households on the roster, and how many of them were not checked in the last round. */
  households: number;
  persons: number;
  notCheckedLastRound: number | null;
  sampled: number;
  counts: CheckedCounts;
  rates: CampaignRates;
}

export interface AssignmentView {
  drawSeq: number;
  month: string;
  villageId: string;
  villageName: string;
  teamId: string;
  teamName: string;
}

export interface CampaignDetail extends CampaignSummary {
  households: number;
  persons: number;
  sampled: number;
  /** The campaign before this one of the same unit and kind (the last round), if any. */
  lastRound: { id: string; title: string } | null;
  notCheckedLastRound: number | null;
  counts: CheckedCounts;
  rates: CampaignRates;
  draws: Array<{ id: string; seq: number; month: string; seed: string; algorithm: string; villages: number; households: number }>;
  assignments: AssignmentView[];
  villages: VillageFigures[];
}

export interface HouseholdView {
  id: string;
  villageId: string;
  villageName: string;
  headName: string;
  idMasked: string | null;
  group: string | null;
  persons: number;
  attribute: HouseholdAttribute;
  sampled: boolean;
  verdict: Verdict | null;
  verdictPersons: number | null;
  note: string | null;
  ticketId: string | null;
  /** Whether the last round (the previous campaign) checked it; null when there was none. */
  checkedLastRound: boolean | null;
}

/** The tallies the rates come from: checked households by village, 属性 and verdict, in one grouped statement. */
export const TALLY_SQL = `
  SELECT ch.village_id, ch.attribute, cv.verdict, count(*)::int AS households, sum(cv.persons)::int AS persons
    FROM campaign_verdict cv
    JOIN campaign_household ch ON ch.campaign_id = cv.campaign_id AND ch.household_id = cv.household_id
   WHERE cv.campaign_id = $1
   GROUP BY ch.village_id, ch.attribute, cv.verdict`;

/** What a campaign shows: roster, draws, assignments, counts and rates, per village and in all, within the reader's scope. */
@Injectable()
export class CampaignFigures {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly campaigns: CampaignService,
  ) {}

  async detail(principal: Principal, id: string): Promise<CampaignDetail> {
    const campaign = await this.campaigns.readable(principal, id);
    return this.figures(principal, campaign);
  }

  async figures(principal: Principal, campaign: CampaignRow): Promise<CampaignDetail> {
    const [last] = await this.campaigns.previous(this.db.manager, campaign);
    const filter = villageFilter(principal, 'v.path', 'v.id', 1, 3);
    const villages = await this.db.query<
      Array<{ id: string; name: string; households: number; persons: number; sampled: number; unchecked: number | null }>
    >(
      `SELECT v.id, v.name, count(*)::int AS households, sum(ch.persons)::int AS persons,
              count(p.household_id)::int AS sampled,
              CASE WHEN $2::uuid IS NULL THEN NULL
                   ELSE count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM campaign_verdict lv WHERE lv.campaign_id = $2 AND lv.household_id = ch.household_id))::int END AS unchecked
         FROM campaign_household ch
         ${UnitSql.join('v', 'ch.village_id')}
         LEFT JOIN campaign_pick p ON p.campaign_id = ch.campaign_id AND p.household_id = ch.household_id
        WHERE ch.campaign_id = $1 AND ${filter.sql}
        GROUP BY v.id, v.name ORDER BY v.name`,
      [campaign.id, last ?? null, ...filter.params],
    );
    const visible = new Set(villages.map((v) => v.id));
    const tallies = (await this.db.query<Array<VerdictTally & { village_id: string }>>(TALLY_SQL, [campaign.id])).filter((t) =>
      visible.has(t.village_id),
    );
    const draws = await this.db.query<
      Array<{ id: string; seq: number; month: string; seed: string; algorithm: string; villages: number; households: number }>
    >(
      `SELECT d.id, d.seq, d.month, d.seed, d.algorithm, count(DISTINCT p.village_id)::int AS villages, count(p.household_id)::int AS households
         FROM campaign_draw d LEFT JOIN campaign_pick p ON p.draw_id = d.id
        WHERE d.campaign_id = $1 GROUP BY d.id ORDER BY d.seq`,
      [campaign.id],
    );
    const assignments = await this.db.query<AssignmentView[]>(
      `SELECT d.seq AS "drawSeq", d.month, a.village_id AS "villageId", v.name AS "villageName", a.team_id AS "teamId", t.name AS "teamName"
         FROM campaign_assignment a JOIN campaign_draw d ON d.id = a.draw_id
         ${UnitSql.join('v', 'a.village_id')} ${UnitSql.join('t', 'a.team_id')}
        WHERE a.campaign_id = $1 ORDER BY d.seq, v.name`,
      [campaign.id],
    );
    const lastRound = last
      ? ((await this.db.query<Array<{ id: string; title: string }>>(`SELECT id, title FROM campaign WHERE id = $1`, [last]))[0] ?? null)
      : null;
    const sum = (f: (v: (typeof villages)[number]) => number) => villages.reduce((s, v) => s + f(v), 0);
    return {
      ...toSummary(campaign),
      households: sum((v) => v.households),
      persons: sum((v) => v.persons),
      sampled: sum((v) => v.sampled),
      lastRound,
      notCheckedLastRound: last ? sum((v) => v.unchecked ?? 0) : null,
      counts: countsOf(tallies),
      rates: ratesOf(tallies),
      draws,
      assignments: assignments.filter(
        (a) => visible.has(a.villageId) || principal.scope.canRead({ id: campaign.unit_id, path: campaign.unit_path }),
      ),
      villages: villages.map((v) => {
        const own = tallies.filter((t) => t.village_id === v.id);
        return {
          villageId: v.id,
          villageName: v.name,
          households: v.households,
          persons: v.persons,
          notCheckedLastRound: v.unchecked,
          sampled: v.sampled,
          counts: countsOf(own),
          rates: ratesOf(own),
        };
      }),
    };
  }

  /** The roster households the principal may see, by village, with their draw and verdict. */
  async households(
    principal: Principal,
    id: string,
    q: { villageId?: string; sampled?: boolean; page: number; pageSize: number },
  ): Promise<{ items: HouseholdView[]; total: number; page: number; pageSize: number }> {
    const campaign = await this.campaigns.readable(principal, id);
    const [last] = await this.campaigns.previous(this.db.manager, campaign);
    const filter = villageFilter(principal, 'v.path', 'v.id', 1, 7);
    const rows = await this.db.query<Array<Record<string, unknown> & { total: number }>>(
      `SELECT count(*) OVER ()::int AS total, h.id, ch.village_id, v.name AS village_name, h.head_name, h.id_masked, ch.group_name, ch.persons,
              ch.attribute, (p.household_id IS NOT NULL) AS sampled, cv.verdict, cv.persons AS verdict_persons, cv.note, cv.ticket_id,
              CASE WHEN $2::uuid IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM campaign_verdict lv WHERE lv.campaign_id = $2 AND lv.household_id = h.id) END AS checked_last
         FROM campaign_household ch
         JOIN household h ON h.id = ch.household_id
         ${UnitSql.join('v', 'ch.village_id')}
         LEFT JOIN campaign_pick p ON p.campaign_id = ch.campaign_id AND p.household_id = ch.household_id
         LEFT JOIN campaign_verdict cv ON cv.campaign_id = ch.campaign_id AND cv.household_id = ch.household_id
        WHERE ch.campaign_id = $1 AND ($3::uuid IS NULL OR ch.village_id = $3) AND ($4::boolean IS NULL OR (p.household_id IS NOT NULL) = $4)
          AND ${filter.sql}
        ORDER BY v.name, p.position NULLS LAST, ch.row_number LIMIT $5 OFFSET $6`,
      [campaign.id, last ?? null, q.villageId ?? null, q.sampled ?? null, q.pageSize, (q.page - 1) * q.pageSize, ...filter.params],
    );
    return {
      items: rows.map((r) => ({
        id: r.id as string,
        villageId: r.village_id as string,
        villageName: r.village_name as string,
        headName: r.head_name as string,
        idMasked: (r.id_masked as string) ?? null,
        group: (r.group_name as string) ?? null,
        persons: r.persons as number,
        attribute: r.attribute as HouseholdAttribute,
        sampled: r.sampled as boolean,
        verdict: (r.verdict as Verdict) ?? null,
        verdictPersons: (r.verdict_persons as number) ?? null,
        note: (r.note as string) ?? null,
        ticketId: (r.ticket_id as string) ?? null,
        checkedLastRound: (r.checked_last as boolean | null) ?? null,
      })),
      total: rows[0]?.total ?? 0,
      page: q.page,
      pageSize: q.pageSize,
    };
  }
}
