import { Injectable } from '@nestjs/common';
import { NotificationLog, NotificationService } from '@app/notifications';
import { Queryable, UnitKind, Units } from '@app/org';
import { AppConfig } from '@app/platform';
import type { EntityManager } from 'typeorm';
import type { DeadlineTicket } from '@app/tickets';

/** A unit whose leaders were told that a ticket is overdue, as its accountability record names it. */
export interface LevelTold {
  unitId: string;
  unitName: string;
  kind: UnitKind;
  at: string;
}

/** The dedupe keys of the overdue notices of a ticket's deadline: the first level, and the next level up. */
export const overdueKeys = (ticketId: string, deadline: string) => ({
  first: `overdue:ticket:${ticketId}:${deadline}`,
  next: `overdue-up:ticket:${ticketId}:${deadline}`,
});

/**
 * Overdue escalation follows the tree. An overdue ticket goes first to the leaders of the unit
 * above its own (the township, for a village or office); past the grace period and a second one
 * (ESCALATION_SECOND_GRACE_DAYS) to the leaders of the level above that (the county). The
 * ticket's accountability record names each level told.
 */
@Injectable()
export class OverdueEscalation {
  constructor(
    private readonly notifications: NotificationService,
    private readonly config: AppConfig,
  ) {}

  /** The notice to the next level up, once, when its time has come; then the record's levels. */
  async escalateFurther(
    m: EntityManager,
    t: DeadlineTicket,
    firstLevelId: string,
    graceDays: number,
  ): Promise<{ escalated: number; deliveries: string[] }> {
    const overdue = -t.daysLeft;
    const out = { escalated: 0, deliveries: [] as string[] };
    if (overdue <= 0) return out;
    const secondGrace = this.config.ESCALATION_SECOND_GRACE_DAYS;
    const first = await Units.byId(m, firstLevelId);
    const next = first?.parentId ? await Units.byId(m, first.parentId) : null;
    if (first && next && overdue > graceDays + secondGrace) {
      const who = t.responsible ? `（责任人：${t.responsible}）` : '';
      const r = await this.notifications.notify(m, {
        dedupeKey: overdueKeys(t.id, t.deadline).next,
        kind: 'overdue_escalated',
        title: `${t.unitName}问题${t.code}逾期${overdue}天，报${next.name}督办`,
        body:
          `${first.name}${t.unitName}“${t.title}”${who}已逾期${overdue}天（整改时限${t.deadline}），` +
          `超过宽限期${graceDays}天又${secondGrace}天仍未整改，已告知${first.name}并列入追责问责，请督办。`,
        link: `/issues/${t.id}`,
        unitId: next.id,
        audience: 'leaders',
        data: { ticketId: t.id, level: 2, firstLevelId: first.id },
      });
      out.escalated += r.id ? 1 : 0;
      out.deliveries.push(...r.deliveries);
    }
    await recordLevelsTold(m, t.id, t.deadline);
    return out;
  }
}

/** Writes onto the ticket's accountability record for a deadline (if there is one) each level told, lowest first. */
export async function recordLevelsTold(q: Queryable, ticketId: string, deadline: string): Promise<void> {
  const keys = overdueKeys(ticketId, deadline);
  const sent = await NotificationLog.sentWith(q, [keys.first, keys.next]);
  const units = await Units.mapByIds(
    q,
    sent.map((s) => s.unitId),
  );
  const levels: LevelTold[] = sent
    .flatMap((s) => {
      const u = units.get(s.unitId);
      return u ? [{ u, s }] : [];
    })
    .sort((a, b) => b.u.depth - a.u.depth || a.s.at.getTime() - b.s.at.getTime())
    .map(({ u, s }) => ({ unitId: u.id, unitName: u.name, kind: u.kind, at: s.at.toISOString() }));
  await q.query(`UPDATE accountability_record SET levels_told = $3::jsonb WHERE ticket_id = $1 AND deadline = $2::date`, [
    ticketId,
    deadline,
    JSON.stringify(levels),
  ]);
}

/** The levels told of each accountability record, by record id. */
export async function levelsTold(q: Queryable, recordIds: readonly string[]): Promise<Map<string, LevelTold[]>> {
  if (!recordIds.length) return new Map();
  const rows = await q.query<Array<{ id: string; levels_told: LevelTold[] }>>(
    `SELECT id, levels_told FROM accountability_record WHERE id = ANY($1::uuid[])`,
    [[...recordIds]],
  );
  return new Map(rows.map((r) => [r.id, r.levels_told.map((l) => ({ ...l, at: new Date(l.at).toISOString() }))]));
}
