import { Inject, Injectable } from '@nestjs/common';
import { Clock, Conflict, Principal, ValidationFailed } from '@app/platform';
import { UnitSql, Units } from '@app/org';
import { DateTime } from 'luxon';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { assignTeams, pairKey } from '../domain/assignment';
import { HouseholdAttribute, withDefaults } from '../domain/campaign-kinds';
import { DRAW_ALGORITHM, generatorFor } from '../domain/random';
import { drawSample, SamplingVillage } from '../domain/sampling';
import { CampaignService } from '../campaigns/campaign.service';
import { CampaignRow } from '../campaigns/campaign-row';
import { assignmentKey, CrossCheckListeners } from './cross-check-listeners';

export interface SampledHousehold {
  id: string;
  headName: string;
  idMasked: string | null;
  group: string | null;
  persons: number;
  attribute: HouseholdAttribute;
}

export interface SampledVillage {
  villageId: string;
  villageName: string;
  /** The team sent to check it (交叉互查), never the village's own; null when no team could be. */
  team: { id: string; name: string } | null;
  households: SampledHousehold[];
}

export interface DrawView {
  id: string;
  seq: number;
  month: string;
  seed: string;
  algorithm: string;
  createdAt: string;
  villages: SampledVillage[];
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * The monthly random draw (随机抽查) of villages and households by the campaign's rules, from a
 * recorded seed, and the cross-inspection pairing of the drawn villages with teams.
 */
@Injectable()
export class SampleService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly campaigns: CampaignService,
    private readonly crossChecks: CrossCheckListeners,
  ) {}

  private monthOf(campaign: CampaignRow, month?: string): string {
    if (month !== undefined) {
      if (!MONTH.test(month) || month < campaign.period_from || month > campaign.period_to)
        throw ValidationFailed.field('month', `must be a month of the campaign, ${campaign.period_from} to ${campaign.period_to}`);
      return month;
    }
    const now = DateTime.fromJSDate(this.clock.now(), { zone: campaign.unit_tz }).toFormat('yyyy-MM');
    return now < campaign.period_from ? campaign.period_from : now > campaign.period_to ? campaign.period_to : now;
  }

  async sample(principal: Principal, campaignId: string, input: { seed?: string; month?: string }): Promise<DrawView> {
    return this.db.transaction(async (m) => {
      const campaign = await this.campaigns.runnable(principal, campaignId, m, true);
      const month = this.monthOf(campaign, input.month);
      const [existing] = await m.query<Array<{ id: string; seed: string }>>(
        `SELECT id, seed FROM campaign_draw WHERE campaign_id = $1 AND month = $2`,
        [campaign.id, month],
      );
      if (existing) {
        if (input.seed !== undefined && input.seed !== existing.seed)
          throw new Conflict(`The draw of ${month} was made already, from seed "${existing.seed}"`, { month, seed: existing.seed });
        return this.draw(m, existing.id);
      }
      const rules = withDefaults(campaign.rules);
      const round = [campaign.id, ...(await this.campaigns.previous(m, campaign, rules.noRepeatWithin - 1))];
      const earlier = await m.query<Array<{ campaign_id: string; household_id: string; village_id: string }>>(
        `SELECT campaign_id, household_id, village_id FROM campaign_pick WHERE campaign_id = ANY($1::uuid[])`,
        [round],
      );
      const roster = await m.query<Array<{ village_id: string; household_id: string; attribute: HouseholdAttribute }>>(
        `SELECT village_id, household_id, attribute FROM campaign_household WHERE campaign_id = $1 ORDER BY village_id, household_id`,
        [campaign.id],
      );
      const villages: SamplingVillage[] = [];
      for (const r of roster) {
        if (villages[villages.length - 1]?.id !== r.village_id) villages.push({ id: r.village_id, households: [] });
        (villages[villages.length - 1].households as Array<{ id: string; attribute: HouseholdAttribute }>).push({
          id: r.household_id,
          attribute: r.attribute,
        });
      }
      const seed = input.seed ?? randomBytes(8).toString('hex');
      const picks = drawSample(
        {
          villages,
          excluded: new Set(earlier.map((e) => e.household_id)),
          visited: new Set(earlier.filter((e) => e.campaign_id === campaign.id).map((e) => e.village_id)),
          villagesPerDraw: rules.villages,
          householdsPerVillage: rules.householdsPerVillage,
          stratify: rules.stratify,
        },
        seed,
      );
      if (!picks.length) throw new Conflict('No household on the roster is left to draw in this round: import the roster first');
      const [{ seq }] = await m.query<Array<{ seq: number }>>(
        `SELECT coalesce(max(seq), 0) + 1 AS seq FROM campaign_draw WHERE campaign_id = $1`,
        [campaign.id],
      );
      const [draw] = await m.query<Array<{ id: string }>>(
        `INSERT INTO campaign_draw (campaign_id, seq, month, seed, algorithm, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [campaign.id, seq, month, seed, DRAW_ALGORITHM, principal.userId, this.clock.now()],
      );
      const flat = picks.flatMap((p) => p.householdIds.map((h) => ({ villageId: p.villageId, householdId: h })));
      await m.query(
        `INSERT INTO campaign_pick (campaign_id, draw_id, household_id, village_id, position)
         SELECT $1, $2, h, v, n FROM unnest($3::uuid[], $4::uuid[]) WITH ORDINALITY AS x(h, v, n)`,
        [campaign.id, draw.id, flat.map((f) => f.householdId), flat.map((f) => f.villageId)],
      );
      await this.assign(m, campaign, { id: draw.id, month }, seed, new Map(picks.map((p) => [p.villageId, p.householdIds.length])));
      return this.draw(m, draw.id);
    });
  }

  /** Pairs the drawn villages with teams (the villages of the campaign's unit), none with its own. */
  private async assign(
    m: EntityManager,
    campaign: CampaignRow,
    draw: { id: string; month: string },
    seed: string,
    drawn: Map<string, number>,
  ): Promise<void> {
    const drawId = draw.id;
    const villages = [...drawn.keys()];
    const teams = await Units.under(m, campaign.unit_path, 'village');
    const earlier = await m.query<Array<{ team_id: string; village_id: string }>>(
      `SELECT team_id, village_id FROM campaign_assignment WHERE campaign_id = $1`,
      [campaign.id],
    );
    const pairing = assignTeams(
      villages,
      teams.map((t) => t.id),
      new Set(earlier.map((e) => pairKey(e.team_id, e.village_id))),
      generatorFor(`${seed}:teams`),
    );
    if (!pairing) return;
    await m.query(
      `INSERT INTO campaign_assignment (campaign_id, draw_id, village_id, team_id) SELECT $1, $2, v, t FROM unnest($3::uuid[], $4::uuid[]) AS x(v, t)`,
      [campaign.id, drawId, [...pairing.keys()], [...pairing.values()]],
    );
    // Each pairing is the team's work for the month: the lib above makes it a task.
    const names = await Units.mapByIds(m, [...pairing.keys()]);
    await this.crossChecks.assigned(
      m,
      [...pairing].map(([villageId, teamId]) => ({
        key: assignmentKey(drawId, villageId),
        campaignId: campaign.id,
        campaignTitle: campaign.title,
        month: draw.month,
        villageId,
        villageName: names.get(villageId)?.name ?? '',
        teamId,
        households: drawn.get(villageId) ?? 0,
      })),
    );
  }

  async draw(m: EntityManager, drawId: string): Promise<DrawView> {
    const [d] = await m.query<Array<{ id: string; seq: number; month: string; seed: string; algorithm: string; created_at: Date }>>(
      `SELECT id, seq, month, seed, algorithm, created_at FROM campaign_draw WHERE id = $1`,
      [drawId],
    );
    const rows = await m.query<
      Array<{
        village_id: string;
        village_name: string;
        team_id: string | null;
        team_name: string | null;
        household_id: string;
        head_name: string;
        id_masked: string | null;
        group_name: string | null;
        persons: number;
        attribute: HouseholdAttribute;
      }>
    >(
      `SELECT p.village_id, v.name AS village_name, a.team_id, t.name AS team_name, p.household_id, h.head_name, h.id_masked,
              ch.group_name, ch.persons, ch.attribute
         FROM campaign_pick p
         JOIN campaign_draw d ON d.id = p.draw_id
         ${UnitSql.join('v', 'p.village_id')}
         JOIN household h ON h.id = p.household_id
         JOIN campaign_household ch ON ch.campaign_id = p.campaign_id AND ch.household_id = p.household_id
         LEFT JOIN campaign_assignment a ON a.draw_id = p.draw_id AND a.village_id = p.village_id
         ${UnitSql.join('t', 'a.team_id', 'LEFT JOIN')}
        WHERE p.draw_id = $1 ORDER BY p.position`,
      [drawId],
    );
    const villages: SampledVillage[] = [];
    for (const r of rows) {
      let v = villages[villages.length - 1];
      if (v?.villageId !== r.village_id) {
        v = {
          villageId: r.village_id,
          villageName: r.village_name,
          team: r.team_id ? { id: r.team_id, name: r.team_name ?? '' } : null,
          households: [],
        };
        villages.push(v);
      }
      v.households.push({
        id: r.household_id,
        headName: r.head_name,
        idMasked: r.id_masked,
        group: r.group_name,
        persons: r.persons,
        attribute: r.attribute,
      });
    }
    return {
      id: d.id,
      seq: d.seq,
      month: d.month,
      seed: d.seed,
      algorithm: d.algorithm,
      createdAt: new Date(d.created_at).toISOString(),
      villages,
    };
  }
}
