import { Injectable } from '@nestjs/common';
import { NotificationService } from '@app/notifications';
import type { StepContext, StepHandler } from '../runs/step-handler';
import { TASK_VIEW_SQL, TaskListService, TaskRow, toTaskView } from '../tasks/task-list.service';
import { teamsOf } from '../tasks/teams';

/**
 * 月交办 + 任务清单: early in the month the township office sends each work team and office
 * the month's task list. Produces each team's list; a township without a list for the month
 * gets a notice to its leaders instead.
 */
@Injectable()
export class DispatchStep implements StepHandler {
  readonly step = 'dispatch' as const;

  constructor(
    private readonly lists: TaskListService,
    private readonly notifications: NotificationService,
  ) {}

  async run(ctx: StepContext): Promise<Record<string, unknown>> {
    const { m, township, period } = ctx;
    const [list] = await m.query<Array<{ id: string; title: string; status: string }>>(
      `SELECT id, title, status FROM task_list WHERE unit_id = $1 AND period = $2`,
      [township.unitId, period],
    );
    if (!list) {
      const r = await this.notifications.notify(m, {
        dedupeKey: `no-task-list:${township.unitId}:${period}`,
        kind: 'task_list_missing',
        title: `${period} 任务清单尚未制定`,
        body: `${township.unitName}${Number(period.slice(5))}月的任务清单尚未制定，请尽快拟定并交办。`,
        unitId: township.unitId,
        audience: 'leaders',
      });
      ctx.deliveries.push(...r.deliveries);
      return { taskListId: null, teams: 0, tasks: 0 };
    }
    const dispatched = list.status === 'draft' ? await this.lists.dispatch(m, list.id) : { teams: 0, tasks: 0, deliveries: [] };
    ctx.deliveries.push(...dispatched.deliveries);
    const tasks = await m.query<TaskRow[]>(`${TASK_VIEW_SQL} WHERE t.task_list_id = $1 ORDER BY t.item_no`, [list.id]);
    const today = this.lists.today(township.config.timezone);
    const teams = await teamsOf(m, township.unitId);
    let withTasks = 0;
    for (const team of teams) {
      const mine = tasks.filter((t) => t.assignee_unit_id === team.id).map((t) => toTaskView(t, today));
      if (!mine.length) continue;
      withTasks += 1;
      await ctx.output(
        'task_list',
        { taskListId: list.id, title: list.title, team: { id: team.id, name: team.name }, tasks: mine },
        team.id,
      );
    }
    return { taskListId: list.id, teams: withTasks, tasks: tasks.length, dispatchedNow: list.status === 'draft' };
  }
}
