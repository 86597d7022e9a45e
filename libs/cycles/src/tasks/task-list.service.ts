import { Inject, Injectable } from '@nestjs/common';
import { NotificationService, WebhookOutbox } from '@app/notifications';
import { Clock, Conflict, Forbidden, IllegalTransition, NotFound, Principal, ValidationFailed } from '@app/platform';
import { UnitRef, Units, UnitSql } from '@app/org';
import { DataSource, EntityManager } from 'typeorm';
import { isPeriod, Period, periodBounds } from '../calendar/period';
import { teamsOf } from './teams';

export interface TaskInput {
  title: string;
  indicator?: string;
  target?: number;
  measureUnit?: string;
  unitIds: string[];
  deadline: string;
}

export interface TaskView {
  id: string;
  taskListId: string;
  itemNo: number;
  title: string;
  indicator: string | null;
  target: number | null;
  measureUnit: string | null;
  unitId: string;
  unitName: string;
  deadline: string;
  actual: number;
  completion: number;
  done: boolean;
  overdue: boolean;
  period: Period;
  dispatched: boolean;
}

export interface TaskListView {
  id: string;
  unitId: string;
  unitName: string;
  period: Period;
  title: string;
  status: 'draft' | 'dispatched';
  dispatchedAt: string | null;
  tasks: TaskView[];
}

/** Share of the target reached, 0..1; a task without a target counts when done. */
export function completionOf(actual: number, target: number | null, done: boolean): number {
  if (target === null) return done ? 1 : 0;
  return Math.min(1, Math.round((actual / target) * 10000) / 10000);
}

export const TASK_VIEW_SQL = `
  SELECT t.id, t.task_list_id, t.item_no, t.title, t.indicator, t.target::float8 AS target, t.measure_unit,
         t.assignee_unit_id, a.name AS unit_name, to_char(t.deadline, 'YYYY-MM-DD') AS deadline,
         t.actual::float8 AS actual, t.done, l.period, l.status, a.path AS unit_path, a.timezone AS unit_tz
    FROM task t
    JOIN task_list l ON l.id = t.task_list_id
    ${UnitSql.join('a', 't.assignee_unit_id')}`;

export interface TaskRow {
  id: string;
  task_list_id: string;
  item_no: number;
  title: string;
  indicator: string | null;
  target: number | null;
  measure_unit: string | null;
  assignee_unit_id: string;
  unit_name: string;
  deadline: string;
  actual: number;
  done: boolean;
  period: Period;
  status: 'draft' | 'dispatched';
  unit_path: string;
  unit_tz: string;
}

export function toTaskView(r: TaskRow, today: string): TaskView {
  return {
    id: r.id,
    taskListId: r.task_list_id,
    itemNo: r.item_no,
    title: r.title,
    indicator: r.indicator,
    target: r.target,
    measureUnit: r.measure_unit,
    unitId: r.assignee_unit_id,
    unitName: r.unit_name,
    deadline: r.deadline,
    actual: r.actual,
    completion: completionOf(r.actual, r.target, r.done),
    done: r.done,
    overdue: !r.done && r.deadline < today,
    period: r.period,
    dispatched: r.status === 'dispatched',
  };
}

/**
 * The month's task list (任务清单): a leader drafts it, the dispatch step (月交办) sends each
 * team its tasks with quantified indicators ("入户走访 30 户").
 */
@Injectable()
export class TaskListService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly notifications: NotificationService,
    private readonly outbox: WebhookOutbox,
  ) {}

  private async township(principal: Principal, unitId: string, m: EntityManager): Promise<UnitRef> {
    const unit = await Units.byId(m, unitId);
    if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', unitId);
    if (unit.kind !== 'township') throw ValidationFailed.field('unitId', 'task lists belong to a township');
    return unit;
  }

  /** Drafts a township's list for a month; with `dispatch`, dispatches it in the same transaction. */
  async create(
    principal: Principal,
    input: { unitId: string; period: Period; title?: string; tasks: TaskInput[] },
    options: { dispatch?: boolean } = {},
  ): Promise<TaskListView> {
    if (!isPeriod(input.period)) throw ValidationFailed.field('period', 'must be a month YYYY-MM');
    let deliveries: string[] = [];
    const id = await this.db.transaction(async (m) => {
      const township = await this.township(principal, input.unitId, m);
      if (!principal.scope.hasRoleOver(township, 'leader', 'admin')) throw new Forbidden('Only a township leader drafts the task list');
      const [existing] = await m.query<Array<{ id: string }>>(`SELECT id FROM task_list WHERE unit_id = $1 AND period = $2`, [
        township.id,
        input.period,
      ]);
      if (existing)
        throw new Conflict(`${township.name} already has a task list for ${input.period}; change that one`, { taskListId: existing.id });
      const now = this.clock.now();
      const [list] = await m.query<Array<{ id: string }>>(
        `INSERT INTO task_list (unit_id, period, title, status, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, 'draft', $4, $5, $5) RETURNING id`,
        [
          township.id,
          input.period,
          input.title?.trim() || `${township.name}${Number(input.period.slice(5))}月重点工作任务清单`,
          principal.userId,
          now,
        ],
      );
      await this.insertTasks(m, township, list.id, input.period, input.tasks);
      if (options.dispatch) deliveries = (await this.dispatch(m, list.id)).deliveries;
      return list.id;
    });
    await this.outbox.enqueue(deliveries);
    return this.get(principal, id);
  }

  /** Replaces the tasks of a draft list; with `dispatch`, dispatches it in the same transaction. */
  async replaceTasks(
    principal: Principal,
    id: string,
    tasks: TaskInput[],
    title?: string,
    options: { dispatch?: boolean } = {},
  ): Promise<TaskListView> {
    let deliveries: string[] = [];
    await this.db.transaction(async (m) => {
      const list = await this.lockedList(principal, id, m);
      if (list.status !== 'draft') throw new IllegalTransition('The task list was dispatched already; its tasks are the teams’ now', []);
      const township = await Units.existing(m, list.unit_id);
      if (!principal.scope.hasRoleOver(township, 'leader', 'admin')) throw new Forbidden('Only a township leader changes the task list');
      // The township's own tasks are replaced; tasks that came from elsewhere (a campaign's
      // cross-inspection) stay, numbered after them.
      await m.query(`DELETE FROM task WHERE task_list_id = $1 AND origin IS NULL`, [id]);
      await m.query(`UPDATE task SET item_no = item_no + 100000 WHERE task_list_id = $1 AND origin IS NOT NULL`, [id]);
      await this.insertTasks(m, township, id, list.period, tasks);
      await m.query(
        `UPDATE task t SET item_no = n.last + n.rn
           FROM (SELECT o.id, row_number() OVER (ORDER BY o.item_no) AS rn,
                        (SELECT coalesce(max(item_no), 0) FROM task WHERE task_list_id = $1 AND origin IS NULL) AS last
                   FROM task o WHERE o.task_list_id = $1 AND o.origin IS NOT NULL) n
          WHERE t.id = n.id`,
        [id],
      );
      await m.query(`UPDATE task_list SET updated_at = $2, title = coalesce($3, title) WHERE id = $1`, [
        id,
        this.clock.now(),
        title?.trim() || null,
      ]);
      if (options.dispatch) deliveries = (await this.dispatch(m, id)).deliveries;
    });
    await this.outbox.enqueue(deliveries);
    return this.get(principal, id);
  }

  private async lockedList(principal: Principal, id: string, m: EntityManager) {
    const [list] = await m.query<Array<{ id: string; unit_id: string; period: Period; status: 'draft' | 'dispatched'; path: string }>>(
      `SELECT l.id, l.unit_id, l.period, l.status, u.path FROM task_list l ${UnitSql.join('u', 'l.unit_id')} WHERE l.id = $1 FOR UPDATE OF l`,
      [id],
    );
    if (!list || !principal.scope.canRead({ id: list.unit_id, path: list.path })) throw new NotFound('Task list', id);
    return list;
  }

  private async insertTasks(m: EntityManager, township: UnitRef, listId: string, period: Period, tasks: TaskInput[]): Promise<void> {
    if (!tasks.length) throw ValidationFailed.field('tasks', 'a task list needs at least one task');
    const teams = new Map((await teamsOf(m, township.id)).map((t) => [t.id, t]));
    const first = periodBounds(period, township.timezone).start.toISOString().slice(0, 10);
    const rows: unknown[][] = [];
    tasks.forEach((t, i) => {
      const field = `tasks.${i}`;
      if (!t.unitIds.length) throw ValidationFailed.field(`${field}.unitIds`, 'name at least one team');
      for (const u of t.unitIds)
        if (!teams.has(u)) throw ValidationFailed.field(`${field}.unitIds`, `${u} is not a village team or office of ${township.name}`);
      if (t.deadline < first) throw ValidationFailed.field(`${field}.deadline`, `must not be before the month (${first})`);
      for (const u of new Set(t.unitIds))
        rows.push([i + 1, t.title.trim(), t.indicator?.trim() || null, t.target ?? null, t.measureUnit?.trim() || null, u, t.deadline]);
    });
    const now = this.clock.now();
    await m.query(
      `INSERT INTO task (task_list_id, item_no, title, indicator, target, measure_unit, assignee_unit_id, deadline, created_at, updated_at)
       SELECT $1, r.item_no, r.title, r.indicator, r.target, r.measure_unit, r.unit_id, r.deadline, $2, $2
         FROM jsonb_to_recordset($3::jsonb) AS r(item_no int, title text, indicator text, target numeric, measure_unit text, unit_id uuid, deadline date)`,
      [
        listId,
        now,
        JSON.stringify(
          rows.map(([item_no, title, indicator, target, measure_unit, unit_id, deadline]) => ({
            item_no,
            title,
            indicator,
            target,
            measure_unit,
            unit_id,
            deadline,
          })),
        ),
      ],
    );
  }

  async get(principal: Principal, id: string): Promise<TaskListView> {
    const [list] = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT l.*, u.name AS unit_name, u.path, u.timezone FROM task_list l ${UnitSql.join('u', 'l.unit_id')} WHERE l.id = $1`,
      [id],
    );
    if (!list || !principal.scope.canRead({ id: list.unit_id as string, path: list.path as string })) throw new NotFound('Task list', id);
    const tasks = await this.db.query<TaskRow[]>(`${TASK_VIEW_SQL} WHERE t.task_list_id = $1 ORDER BY t.item_no, a.name`, [id]);
    const today = this.today(list.timezone as string);
    return {
      id: list.id as string,
      unitId: list.unit_id as string,
      unitName: list.unit_name as string,
      period: list.period as Period,
      title: list.title as string,
      status: list.status as 'draft' | 'dispatched',
      dispatchedAt: list.dispatched_at ? new Date(list.dispatched_at as string).toISOString() : null,
      tasks: tasks.map((t) => toTaskView(t, today)),
    };
  }

  today(zone: string): string {
    return this.clock.todayIn(zone);
  }

  async list(principal: Principal, q: { unitId: string; period?: Period }): Promise<TaskListView[]> {
    const township = await this.township(principal, q.unitId, this.db.manager);
    const rows = await this.db.query<Array<{ id: string }>>(
      `SELECT id FROM task_list WHERE unit_id = $1 AND ($2::text IS NULL OR period = $2) ORDER BY period DESC`,
      [township.id, q.period ?? null],
    );
    return Promise.all(rows.map((r) => this.get(principal, r.id)));
  }

  /** A leader dispatches a draft list now, e.g. one drafted after the month's dispatch step ran. */
  async dispatchNow(principal: Principal, id: string): Promise<TaskListView> {
    const deliveries = await this.db.transaction(async (m) => {
      const list = await this.lockedList(principal, id, m);
      const township = await Units.existing(m, list.unit_id);
      if (!principal.scope.hasRoleOver(township, 'leader', 'admin')) throw new Forbidden('Only a township leader dispatches the task list');
      if (list.status !== 'draft') throw new IllegalTransition('The task list was dispatched already', []);
      return (await this.dispatch(m, id)).deliveries;
    });
    await this.outbox.enqueue(deliveries);
    return this.get(principal, id);
  }

  /**
   * Dispatches a township's draft list for the month: each team is notified of its tasks. Runs
   * inside the dispatch step's transaction, or on a leader's request for a list drafted late.
   */
  async dispatch(m: EntityManager, listId: string): Promise<{ teams: number; tasks: number; deliveries: string[] }> {
    const now = this.clock.now();
    const [list] = await m.query<Array<{ id: string; unit_id: string; period: Period; title: string; status: string }>>(
      `SELECT id, unit_id, period, title, status FROM task_list WHERE id = $1 FOR UPDATE`,
      [listId],
    );
    if (!list || list.status === 'dispatched') return { teams: 0, tasks: 0, deliveries: [] };
    await m.query(`UPDATE task_list SET status = 'dispatched', dispatched_at = $2, updated_at = $2 WHERE id = $1`, [listId, now]);
    const perTeam = await m.query<Array<{ unit_id: string; titles: string[] }>>(
      `SELECT assignee_unit_id AS unit_id, array_agg(title || coalesce('（' || indicator || coalesce(' ' || trim_scale(target)::text || coalesce(measure_unit, ''), '') || '）', '') ORDER BY item_no) AS titles
         FROM task WHERE task_list_id = $1 GROUP BY assignee_unit_id`,
      [listId],
    );
    const deliveries: string[] = [];
    for (const team of perTeam) {
      const r = await this.notifications.notify(m, {
        dedupeKey: `task-list:${listId}:${team.unit_id}`,
        kind: 'task_list_dispatched',
        title: `${list.title}已交办`,
        body: team.titles.map((t, i) => `${i + 1}. ${t}`).join('\n'),
        link: `/task-lists/${listId}`,
        unitId: team.unit_id,
        audience: 'members',
        data: { taskListId: listId, period: list.period },
      });
      deliveries.push(...r.deliveries);
    }
    const [{ tasks }] = await m.query<Array<{ tasks: number }>>(`SELECT count(*)::int AS tasks FROM task WHERE task_list_id = $1`, [
      listId,
    ]);
    return { teams: perTeam.length, tasks, deliveries };
  }
}
