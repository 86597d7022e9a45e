import { Injectable } from '@nestjs/common';
import { NotificationService } from '@app/notifications';
import { occurrences } from '../calendar/schedule';
import { CalendarService } from '../calendar/calendar.service';
import { teamsOf } from '../tasks/teams';
import type { StepContext } from './step-handler';

/**
 * The calendar's other rhythms: half-monthly scheduling (半月一调度), fixed days such as the
 * pairing days (结对帮扶日, announced the day before with the policy checklist) and the quarterly
 * meeting. Each sends its notices, once.
 */
@Injectable()
export class EventRunner {
  constructor(
    private readonly notifications: NotificationService,
    private readonly calendars: CalendarService,
  ) {}

  async run(key: string, ctx: StepContext): Promise<Record<string, unknown>> {
    const occurrence = occurrences(ctx.township.config, ctx.period, this.calendars.workingDays).find((o) => o.key === key);
    if (!occurrence) return { skipped: 'the calendar no longer schedules this event' };
    const teams = await teamsOf(ctx.m, ctx.township.unitId);
    let body: string;
    let audience: 'members' | 'leaders' = 'members';
    if (key.startsWith('event:scheduling:')) {
      body = `${occurrence.day} 半月调度：请各工作队、站所办报送半月工作进展、问题整改和下步计划。`;
    } else if (key === 'event:quarterly') {
      body = `${occurrence.day} 召开${occurrence.title}，请相关负责同志参会并准备汇报材料。`;
      audience = 'leaders';
    } else {
      const d = occurrence.detail!;
      body = `${d.forDay} 为${d.name}，请结对帮扶干部入户，对照政策落实清单逐项落实：\n${(d.checklist ?? []).map((c, i) => `${i + 1}. ${c}`).join('\n')}`;
    }
    const recipients = audience === 'leaders' ? [ctx.township.unitId] : [ctx.township.unitId, ...teams.map((t) => t.id)];
    for (const unitId of recipients) {
      const r = await this.notifications.notify(ctx.m, {
        dedupeKey: `event:${ctx.township.unitId}:${ctx.period}:${key}:${unitId}`,
        kind: key.split(':')[1],
        title: occurrence.title,
        body,
        unitId,
        audience: unitId === ctx.township.unitId ? 'leaders' : audience,
        data: { period: ctx.period, key, day: occurrence.day },
      });
      ctx.deliveries.push(...r.deliveries);
    }
    return { notified: recipients.length, day: occurrence.day };
  }
}
