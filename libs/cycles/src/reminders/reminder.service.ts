import { Inject, Injectable, Logger } from '@nestjs/common';
import { NotificationService, WebhookOutbox, WebhookSender } from '@app/notifications';
import { Clock, localDay } from '@app/platform';
import { UnitSql } from '@app/org';
import { DataSource, EntityManager } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service';
import { DeadlineTicket, TicketFacts } from '@app/tickets';
import { openAccountability } from './accountability-records';
import { OverdueEscalation } from './escalation';

interface DueTask {
  id: string;
  title: string;
  deadline: string;
  assignee_unit_id: string;
  unit_name: string;
  township_id: string;
  days_left: number;
}

/**
 * Deadlines (时间节点) of tasks and tickets: reminders a set number of days before, notices to
 * the leaders above once overdue, and accountability records past the grace period. Each goes
 * out once, whatever the number of sweeps.
 */
@Injectable()
export class ReminderService {
  private readonly logger = new Logger('Reminders');

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly calendars: CalendarService,
    private readonly notifications: NotificationService,
    private readonly webhooks: WebhookSender,
    private readonly outbox: WebhookOutbox,
    private readonly tickets: TicketFacts,
    private readonly escalation: OverdueEscalation,
  ) {}

  async sweep(): Promise<{ reminded: number; escalated: number; accountability: number; webhooks: number }> {
    const now = this.clock.now();
    let reminded = 0;
    let escalated = 0;
    let accountability = 0;
    const deliveries: string[] = [];
    for (const cal of await this.calendars.all()) {
      const { daysBeforeDeadline } = cal.config.reminders;
      const tasks = await this.db.query<DueTask[]>(
        `SELECT t.id, t.title, to_char(t.deadline, 'YYYY-MM-DD') AS deadline, t.assignee_unit_id, a.name AS unit_name,
                l.unit_id AS township_id, (t.deadline - $2::date) AS days_left
           FROM task t JOIN task_list l ON l.id = t.task_list_id ${UnitSql.join('a', 't.assignee_unit_id')}
          WHERE l.unit_id = $1 AND l.status = 'dispatched' AND NOT t.done
            AND t.deadline <= $2::date + $3::int`,
        [cal.unitId, this.clock.todayIn(cal.config.timezone), daysBeforeDeadline],
      );
      await this.db.transaction(async (m) => {
        for (const t of tasks) {
          if (t.days_left >= 0) {
            const r = await this.notifications.notify(m, {
              dedupeKey: `remind:task:${t.id}:${t.deadline}`,
              kind: 'deadline_reminder',
              title: `任务将于${t.deadline}到期`,
              body: `“${t.title}”将于${t.deadline}到期（剩余${t.days_left}天），请按时完成并报送进度。`,
              link: `/tasks/${t.id}`,
              unitId: t.assignee_unit_id,
              audience: 'members',
              data: { taskId: t.id },
            });
            if (r.id) reminded += 1;
            deliveries.push(...r.deliveries);
          } else {
            const r = await this.notifications.notify(m, {
              dedupeKey: `overdue:task:${t.id}:${t.deadline}`,
              kind: 'overdue',
              title: `${t.unit_name}任务逾期`,
              body: `${t.unit_name}“${t.title}”已逾期${-t.days_left}天（时限${t.deadline}）。`,
              link: `/tasks/${t.id}`,
              unitId: t.township_id,
              audience: 'leaders',
              data: { taskId: t.id },
            });
            if (r.id) escalated += 1;
            deliveries.push(...r.deliveries);
          }
        }
        const today = localDay(now, cal.config.timezone);
        const until = new Date(Date.parse(`${today}T00:00:00Z`) + daysBeforeDeadline * 86_400_000).toISOString().slice(0, 10);
        for (const t of await this.tickets.deadlineTickets(m, cal.unitId, today, until)) {
          const r = await this.ticketNotice(m, t, cal.unitId, cal.config.reminders.overdueGraceDays, now);
          reminded += r.reminded;
          escalated += r.escalated;
          accountability += r.accountability;
          deliveries.push(...r.deliveries);
        }
      });
    }
    // Deliveries whose job was lost (the process died right after commit) are sent from here.
    const stray = await this.webhooks.pending(new Date(now.getTime() - 60_000));
    await this.outbox.enqueue([...deliveries, ...stray]);
    if (reminded || escalated || accountability) {
      this.logger.log(`${reminded} reminder(s), ${escalated} escalation(s), ${accountability} accountability record(s)`);
    }
    return { reminded, escalated, accountability, webhooks: deliveries.length + stray.length };
  }

  /**
   * One ticket's deadline notices: a reminder to the owner unit before the deadline; once
   * overdue, a notice to the leaders of the unit above; past the grace period, an
   * accountability record (追责问责) naming the unit and the responsible person.
   */
  private async ticketNotice(m: EntityManager, t: DeadlineTicket, townshipId: string, graceDays: number, now: Date) {
    const out = { reminded: 0, escalated: 0, accountability: 0, deliveries: [] as string[] };
    const who = t.responsible ? `（责任人：${t.responsible}）` : '';
    if (t.daysLeft >= 0) {
      const r = await this.notifications.notify(m, {
        dedupeKey: `remind:ticket:${t.id}:${t.deadline}`,
        kind: 'deadline_reminder',
        title: `问题${t.code}将于${t.deadline}到期`,
        body: `“${t.title}”${who}整改时限为${t.deadline}，剩余${t.daysLeft}天，请按时整改并申请销号。`,
        link: `/issues/${t.id}`,
        unitId: t.unitId,
        audience: 'members',
        data: { ticketId: t.id },
      });
      out.reminded += r.id ? 1 : 0;
      out.deliveries.push(...r.deliveries);
      return out;
    }
    const overdue = -t.daysLeft;
    const escalateTo = t.parentId ?? townshipId;
    const r = await this.notifications.notify(m, {
      dedupeKey: `overdue:ticket:${t.id}:${t.deadline}`,
      kind: 'overdue',
      title: `${t.unitName}问题${t.code}逾期`,
      body: `${t.unitName}“${t.title}”${who}已逾期${overdue}天（整改时限${t.deadline}），请督促整改。`,
      link: `/issues/${t.id}`,
      unitId: escalateTo,
      audience: 'leaders',
      data: { ticketId: t.id },
    });
    out.escalated += r.id ? 1 : 0;
    out.deliveries.push(...r.deliveries);
    if (overdue > graceDays) {
      const [record] = await openAccountability(
        m,
        [
          {
            ticketId: t.id,
            unitId: t.unitId,
            townshipId,
            person: t.responsible,
            ground: 'overdue',
            deadline: t.deadline,
            daysOverdue: overdue,
          },
        ],
        now,
      );
      if (record) {
        out.accountability += 1;
        const a = await this.notifications.notify(m, {
          dedupeKey: `accountability:${record.id}`,
          kind: 'accountability',
          title: `追责问责：${t.unitName}问题${t.code}逾期${overdue}天`,
          body: `${t.unitName}“${t.title}”逾期超过${graceDays}天未整改，已列入追责问责记录${who}。`,
          link: `/issues/${t.id}`,
          unitId: townshipId,
          audience: 'leaders',
          data: { ticketId: t.id, accountabilityId: record.id },
        });
        out.deliveries.push(...a.deliveries);
      }
    }
    const further = await this.escalation.escalateFurther(m, t, escalateTo, graceDays);
    out.escalated += further.escalated;
    out.deliveries.push(...further.deliveries);
    return out;
  }
}
