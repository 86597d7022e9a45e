import { Injectable, OnModuleInit } from '@nestjs/common';
import { CrossCheckAssignment, CrossCheckListener, CrossCheckListeners, CrossCheckProgress } from '@app/campaigns';
import { Units } from '@app/org';
import { Clock } from '@app/platform';
import type { EntityManager } from 'typeorm';
import { isPeriod, periodDays } from '../calendar/period';

/**
 * A campaign's cross-inspection assignment (交叉互查) is the assigned team's task for the draw's
 * month: one task in its township's list (drafted if the month has none yet; the dispatch step
 * sends it out with the township's own tasks, or at once when the month's list is already out),
 * with the drawn households as its target. Verdicts recorded
 * for those households are its progress; it is done when every one has a verdict.
 */
@Injectable()
export class CrossCheckTasks implements CrossCheckListener, OnModuleInit {
  constructor(
    private readonly listeners: CrossCheckListeners,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.listeners.register(this);
  }

  async onAssigned(m: EntityManager, assignments: readonly CrossCheckAssignment[]): Promise<void> {
    const teams = await Units.mapByIds(
      m,
      assignments.map((a) => a.teamId),
    );
    const now = this.clock.now();
    for (const a of assignments) {
      const team = teams.get(a.teamId);
      if (!team || !isPeriod(a.month) || a.households < 1) continue;
      const township = (await Units.enclosing(m, team.path, 'township')) ?? team;
      const listId = await this.listFor(m, township, a.month, now);
      await m.query(
        `INSERT INTO task (task_list_id, item_no, title, indicator, target, measure_unit, assignee_unit_id, deadline, origin, created_at, updated_at)
         SELECT $1, coalesce(max(item_no), 0) + 1, $2, '核查户数', $3, '户', $4, $5, $6, $7, $7 FROM task WHERE task_list_id = $1
         ON CONFLICT (origin) WHERE origin IS NOT NULL DO NOTHING`,
        [listId, `交叉核查${a.villageName}（${a.campaignTitle}）`, a.households, a.teamId, periodDays(a.month).to, a.key, now],
      );
    }
  }

  async onProgress(m: EntityManager, progress: readonly CrossCheckProgress[]): Promise<void> {
    const now = this.clock.now();
    for (const p of progress) {
      await m.query(
        `UPDATE task SET actual = $2, done = $2 >= target, completed_at = CASE WHEN $2 >= target THEN coalesce(completed_at, $3) END,
                version = version + 1, updated_at = $3
          WHERE origin = $1 AND actual IS DISTINCT FROM $2::numeric`,
        [p.key, p.checked, now],
      );
    }
  }

  /** The township's task list of the month, drafted if there is none (the month's dispatch sends it out). */
  private async listFor(m: EntityManager, township: { id: string; name: string }, month: string, now: Date): Promise<string> {
    const [made] = await m.query<Array<{ id: string }>>(
      `INSERT INTO task_list (unit_id, period, title, status, created_at, updated_at)
       VALUES ($1, $2, $3, 'draft', $4, $4)
       ON CONFLICT ON CONSTRAINT task_list_one_per_month DO NOTHING RETURNING id`,
      [township.id, month, `${township.name}${Number(month.slice(5))}月重点工作任务清单`, now],
    );
    if (made) return made.id;
    const [existing] = await m.query<Array<{ id: string }>>(`SELECT id FROM task_list WHERE unit_id = $1 AND period = $2 FOR UPDATE`, [
      township.id,
      month,
    ]);
    return existing.id;
  }
}
