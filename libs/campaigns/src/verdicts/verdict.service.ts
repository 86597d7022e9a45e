import { Inject, Injectable } from '@nestjs/common';
import { Clock, Conflict, Forbidden, NotFound, Principal, ValidationFailed } from '@app/platform';
import { UnitSql } from '@app/org';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import {
  HouseholdAttribute,
  Verdict,
  VERDICT_CATEGORIES,
  VERDICT_LABELS,
  withDefaults,
  WrongVerdict,
  ATTRIBUTE_LABELS,
} from '../domain/campaign-kinds';
import { mayCheck } from '../campaigns/campaign-access';
import { CampaignService } from '../campaigns/campaign.service';
import { CampaignRow } from '../campaigns/campaign-row';
import { VerificationTicketDraft, VerificationTickets } from './verification-tickets';
import { assignmentKey, CrossCheckListeners } from '../sampling/cross-check-listeners';

export interface VerdictInput {
  householdId: string;
  verdict: Verdict;
  persons?: number;
  note?: string;
}

export interface VerdictOutcome {
  householdId: string;
  verdict: Verdict;
  persons: number;
  /** The ticket the verdict opened (every verdict but `correct` has exactly one). */
  ticketId: string | null;
  /** `created` (first verdict), `updated` (persons, note, or correct → wrong), `unchanged` (the same again). */
  outcome: 'created' | 'updated' | 'unchanged';
}

export interface VerdictResult {
  items: VerdictOutcome[];
  ticketsOpened: number;
}

/** Which 属性 each wrong verdict is about: 错评 a registered household, 漏评 a non-registered one, 错退 and 返贫 an exited one. */
export const VERDICT_ATTRIBUTE: Record<WrongVerdict, HouseholdAttribute> = {
  wrongly_included: 'registered',
  wrongly_excluded: 'non_registered',
  wrongly_exited: 'exited',
  returned_to_poverty: 'exited',
};

interface Target {
  household_id: string;
  village_id: string;
  village_path: string;
  village_name: string;
  village_tz: string;
  head_name: string;
  id_masked: string | null;
  group_name: string | null;
  roster_persons: number;
  attribute: HouseholdAttribute;
  verdict: Verdict | null;
  persons: number | null;
  note: string | null;
  ticket_id: string | null;
  teams: string[];
}

/**
 * Verdicts on checked households (核查结论). A verdict other than `correct` opens one ticket on
 * the household's village, in the same transaction; submitting the same verdict again changes
 * nothing and opens nothing.
 */
@Injectable()
export class VerdictService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly campaigns: CampaignService,
    private readonly tickets: VerificationTickets,
    private readonly crossChecks: CrossCheckListeners,
  ) {}

  /** Tells the listeners how many of each cross-inspection assignment's drawn households now have a verdict. */
  private async reportProgress(m: EntityManager, campaignId: string, villageIds: string[]): Promise<void> {
    const rows = await m.query<Array<{ draw_id: string; village_id: string; checked: number }>>(
      `SELECT a.draw_id, a.village_id, count(v.household_id)::int AS checked
         FROM campaign_assignment a
         JOIN campaign_pick p ON p.draw_id = a.draw_id AND p.village_id = a.village_id
         LEFT JOIN campaign_verdict v ON v.campaign_id = a.campaign_id AND v.household_id = p.household_id
        WHERE a.campaign_id = $1 AND a.village_id = ANY($2::uuid[])
        GROUP BY a.draw_id, a.village_id`,
      [campaignId, villageIds],
    );
    await this.crossChecks.progressed(
      m,
      rows.map((r) => ({ key: assignmentKey(r.draw_id, r.village_id), checked: r.checked })),
    );
  }

  private deadline(campaign: CampaignRow, zone: string): string {
    const rules = withDefaults(campaign.rules);
    const today = DateTime.fromJSDate(this.clock.now(), { zone });
    switch (rules.rectificationClass) {
      case 'immediate':
        return today.toISODate()!;
      case 'standing':
        return today.endOf('year').toISODate()!;
      case 'deadline':
        return today.plus({ days: rules.deadlineDays }).toISODate()!;
    }
  }

  async record(principal: Principal, campaignId: string, items: VerdictInput[]): Promise<VerdictResult> {
    const ids = items.map((i) => i.householdId);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) throw ValidationFailed.field('items', `household ${twice} appears twice`);
    return this.db.transaction(async (m) => {
      // One submission at a time per campaign: two concurrent ones cannot both open a ticket.
      const campaign = await this.campaigns.readable(principal, campaignId, m, true);
      const targets = await m.query<Target[]>(
        `SELECT ch.household_id, ch.village_id, v.path AS village_path, v.name AS village_name, v.timezone AS village_tz,
                h.head_name, h.id_masked, ch.group_name, ch.persons AS roster_persons, ch.attribute,
                cv.verdict, cv.persons, cv.note, cv.ticket_id,
                coalesce((SELECT array_agg(a.team_id) FROM campaign_assignment a WHERE a.campaign_id = ch.campaign_id AND a.village_id = ch.village_id), '{}') AS teams
           FROM campaign_household ch
           JOIN household h ON h.id = ch.household_id
           ${UnitSql.join('v', 'ch.village_id')}
           LEFT JOIN campaign_verdict cv ON cv.campaign_id = ch.campaign_id AND cv.household_id = ch.household_id
          WHERE ch.campaign_id = $1 AND ch.household_id = ANY($2::uuid[])`,
        [campaign.id, ids],
      );
      const byId = new Map(targets.map((t) => [t.household_id, t]));
      const writes: Array<{
        item: VerdictInput;
        target: Target;
        persons: number;
        note: string | null;
        outcome: VerdictOutcome['outcome'];
      }> = [];
      items.forEach((item, i) => {
        const target = byId.get(item.householdId);
        const village = target && { id: target.village_id, path: target.village_path };
        if (!target || !(principal.scope.canRead(village!) || mayCheck(principal, village!, target.teams)))
          throw new NotFound('Household', item.householdId);
        if (!mayCheck(principal, village!, target.teams))
          throw new Forbidden(
            `Only the team of ${target.village_name}, the team sent to check it, an inspector or a leader records its verdicts`,
          );
        if (item.verdict !== 'correct' && VERDICT_ATTRIBUTE[item.verdict] !== target.attribute) {
          const needs = ATTRIBUTE_LABELS[VERDICT_ATTRIBUTE[item.verdict]].zh;
          throw ValidationFailed.field(
            `items.${i}.verdict`,
            `${VERDICT_LABELS[item.verdict].zh} is a verdict on a ${needs} household; ${target.head_name} is ${ATTRIBUTE_LABELS[target.attribute].zh}`,
          );
        }
        const persons = item.persons ?? target.persons ?? target.roster_persons;
        const note = item.note?.trim() || null;
        if (target.verdict === null) return writes.push({ item, target, persons, note, outcome: 'created' });
        if (target.verdict !== item.verdict && target.ticket_id)
          throw new Conflict(
            `${target.head_name} (${target.village_name}) was found ${VERDICT_LABELS[target.verdict].zh} and its ticket is open; settle the ticket rather than change the verdict`,
            { householdId: target.household_id, verdict: target.verdict, ticketId: target.ticket_id },
          );
        const same = target.verdict === item.verdict && target.persons === persons && (item.note === undefined || target.note === note);
        writes.push({ item, target, persons, note: item.note === undefined ? target.note : note, outcome: same ? 'unchanged' : 'updated' });
      });

      const opening = writes.filter((w) => w.item.verdict !== 'correct' && !w.target.ticket_id);
      const drafts: VerificationTicketDraft[] = opening.map(({ item, target, persons, note }) => {
        const verdict = item.verdict as WrongVerdict;
        const label = VERDICT_LABELS[verdict].zh;
        const place = `${target.village_name}${target.group_name ?? ''}`;
        return {
          inspectionId: campaign.inspection_id,
          title: `${label}：${place}户主${target.head_name}（${persons}人）`,
          description: [
            `${campaign.title}核查认定${label}户：${place}户主${target.head_name}${target.id_masked ? `（身份证号${target.id_masked}）` : ''}，${ATTRIBUTE_LABELS[target.attribute].zh}，${persons}人。`,
            note ? `核查情况：${note}` : '',
          ]
            .filter(Boolean)
            .join('\n'),
          category: VERDICT_CATEGORIES[verdict],
          village: { id: target.village_id, path: target.village_path, timezone: target.village_tz },
          checkingTeams: target.teams,
          rectificationClass: withDefaults(campaign.rules).rectificationClass,
          deadline: this.deadline(campaign, target.village_tz),
        };
      });
      const opened = await this.tickets.open(m, principal, drafts);
      const ticketOf = new Map(opening.map((w, i) => [w.target.household_id, opened[i].id]));
      const changed = writes.filter((w) => w.outcome !== 'unchanged');
      if (changed.length) {
        await m.query(
          `INSERT INTO campaign_verdict (campaign_id, household_id, verdict, persons, note, ticket_id, checked_by, checked_at)
           SELECT $1, h, v, p, n, t, $7, $8 FROM unnest($2::uuid[], $3::text[], $4::int[], $5::text[], $6::uuid[]) AS x(h, v, p, n, t)
           ON CONFLICT (campaign_id, household_id) DO UPDATE
             SET verdict = EXCLUDED.verdict, persons = EXCLUDED.persons, note = EXCLUDED.note,
                 ticket_id = coalesce(campaign_verdict.ticket_id, EXCLUDED.ticket_id), checked_by = EXCLUDED.checked_by, checked_at = EXCLUDED.checked_at`,
          [
            campaign.id,
            changed.map((w) => w.target.household_id),
            changed.map((w) => w.item.verdict),
            changed.map((w) => w.persons),
            changed.map((w) => w.note),
            changed.map((w) => w.target.ticket_id ?? ticketOf.get(w.target.household_id) ?? null),
            principal.userId,
            this.clock.now(),
          ],
        );
      }
      if (changed.length) await this.reportProgress(m, campaign.id, [...new Set(changed.map((w) => w.target.village_id))]);
      return {
        items: writes.map((w) => ({
          householdId: w.target.household_id,
          verdict: w.item.verdict,
          persons: w.persons,
          ticketId: w.target.ticket_id ?? ticketOf.get(w.target.household_id) ?? null,
          outcome: w.outcome,
        })),
        ticketsOpened: opened.length,
      };
    });
  }
}
