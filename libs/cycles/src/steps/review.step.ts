import { Injectable } from '@nestjs/common';
import { NotificationService } from '@app/notifications';
import { Memberships } from '@app/org';
import type { StepContext, StepHandler } from '../runs/step-handler';
import { TaskListService } from '../tasks/task-list.service';
import { TicketFacts } from '@app/tickets';

/**
 * 月研判 + 整改清单: the township's rectification list, every open ticket with its responsible
 * person, deadline and measures, kept item by item; a ticket missing any of those is flagged to
 * its team's leader.
 */
@Injectable()
export class ReviewStep implements StepHandler {
  readonly step = 'review' as const;

  constructor(
    private readonly tickets: TicketFacts,
    private readonly notifications: NotificationService,
    private readonly lists: TaskListService,
  ) {}

  async run(ctx: StepContext): Promise<Record<string, unknown>> {
    const { m, township, period } = ctx;
    const open = await this.tickets.openTickets(m, township.unitId, this.lists.today(township.config.timezone));
    const missing = (t: (typeof open)[number]) =>
      [!t.responsible && '责任人', !t.deadline && '整改时限', !t.measures && '整改措施'].filter((x): x is string => !!x);
    const items = open.map((t) => ({ ...t, missing: missing(t) }));
    await ctx.output('rectification_list', { township: { id: township.unitId, name: township.unitName }, period, items });

    const flaggedByTeam = new Map<string, typeof items>();
    for (const i of items.filter((x) => x.missing.length)) {
      if (!flaggedByTeam.has(i.unitId)) flaggedByTeam.set(i.unitId, []);
      flaggedByTeam.get(i.unitId)!.push(i);
    }
    // Which flagged teams have a leader (队长), in one query for all of them.
    const led = await Memberships.unitsWithRole(m, [...flaggedByTeam.keys()], 'leader');
    for (const [unitId, list] of flaggedByTeam) {
      const r = await this.notifications.notify(m, {
        dedupeKey: `review-flag:${unitId}:${period}`,
        kind: 'rectification_incomplete',
        title: `${list.length}项问题整改要素不全`,
        body: `请工作队队长补齐以下问题的责任人、整改时限、整改措施：\n${list.map((t) => `${t.code} ${t.title}（缺${t.missing.join('、')}）`).join('\n')}`,
        unitId,
        // The team leader (队长) if the team has one, else the whole team.
        audience: led.has(unitId) ? 'leaders' : 'members',
        data: { ticketIds: list.map((t) => t.id) },
      });
      ctx.deliveries.push(...r.deliveries);
    }
    return {
      open: items.length,
      incomplete: items.filter((i) => i.missing.length).length,
      overdue: items.filter((i) => i.overdueDays > 0).length,
    };
  }
}
