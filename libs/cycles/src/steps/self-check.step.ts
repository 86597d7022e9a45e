import { Injectable } from '@nestjs/common';
import type { ChecklistItem } from '../self-check/self-check.service';
import { NotificationService } from '@app/notifications';
import { InspectionTickets } from '@app/tickets';
import type { StepContext, StepHandler } from '../runs/step-handler';
import { SelfCheckService } from '../self-check/self-check.service';
import { teamsOf } from '../tasks/teams';

/**
 * 月自查 + 问题清单, at its due date: compiles each team's self-check report and marks the teams
 * that did not file, telling them and the township's leaders.
 */
@Injectable()
export class SelfCheckStep implements StepHandler {
  readonly step = 'self_check' as const;

  constructor(private readonly notifications: NotificationService) {}

  async run(ctx: StepContext): Promise<Record<string, unknown>> {
    const { m, township, period } = ctx;
    const teams = await teamsOf(m, township.unitId);
    const filed = await m.query<
      Array<{
        unit_id: string;
        summary: string;
        checklist: unknown;
        on_time: boolean;
        filed_at: Date;
        problem_count: number;
        inspection_id: string | null;
      }>
    >(
      `SELECT unit_id, summary, checklist, on_time, filed_at, problem_count, inspection_id FROM self_check WHERE township_id = $1 AND period = $2`,
      [township.unitId, period],
    );
    const byTeam = new Map(filed.map((f) => [f.unit_id, f]));
    // The problems every report filed, in one query.
    const problemsOf = await InspectionTickets.byInspection(
      m,
      filed.map((f) => f.inspection_id).filter((id): id is string => !!id),
    );
    const missing: string[] = [];
    for (const team of teams) {
      const report = byTeam.get(team.id);
      const problems = ((report?.inspection_id && problemsOf.get(report.inspection_id)) || []).map((p) => ({
        code: p.code,
        title: p.title,
      }));
      await ctx.output(
        'self_check_report',
        {
          team: { id: team.id, name: team.name },
          filed: !!report,
          onTime: report?.on_time ?? false,
          filedAt: report ? new Date(report.filed_at).toISOString() : null,
          summary: report?.summary ?? null,
          checklist: ((report?.checklist as ChecklistItem[] | undefined) ?? []).map((c) => ({
            item: c.item,
            status: c.status,
            note: c.note ?? null,
          })),
          problems,
        },
        team.id,
      );
      if (report) continue;
      missing.push(team.name);
      const r = await this.notifications.notify(m, {
        dedupeKey: `self-check-missing:${team.id}:${period}`,
        kind: 'self_check_missing',
        title: `${Number(period.slice(5))}月自查报告未按时报送`,
        body: `${team.name}尚未报送${SelfCheckService.title(team.name, period)}及问题清单，请尽快报送镇脱办备案。`,
        unitId: team.id,
        audience: 'members',
      });
      ctx.deliveries.push(...r.deliveries);
    }
    if (missing.length) {
      const r = await this.notifications.notify(m, {
        dedupeKey: `self-check-missing:${township.unitId}:${period}`,
        kind: 'self_check_missing',
        title: `${missing.length}个工作队未报送自查报告`,
        body: `截至自查时限，以下工作队未报送${Number(period.slice(5))}月自查报告：${missing.join('、')}。`,
        unitId: township.unitId,
        audience: 'leaders',
      });
      ctx.deliveries.push(...r.deliveries);
    }
    return { teams: teams.length, filed: filed.length, late: filed.filter((f) => !f.on_time).length, missing };
  }
}
