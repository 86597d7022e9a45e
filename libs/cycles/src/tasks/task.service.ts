import { Inject, Injectable } from '@nestjs/common';
import { Clock, Forbidden, IdempotencyStore, IllegalTransition, NotFound, Principal, requestHash, ValidationFailed } from '@app/platform';
import { Units, UserSql } from '@app/org';
import { DataSource } from 'typeorm';
import { isPeriod, Period } from '../calendar/period';
import { TASK_VIEW_SQL, TaskListService, TaskRow, TaskView, toTaskView } from './task-list.service';

export interface ProgressInput {
  actual: number;
  comment?: string;
  evidenceIds?: string[];
  done?: boolean;
}

/** A team's tasks and their progress (actual against target). */
@Injectable()
export class TaskService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly lists: TaskListService,
    private readonly idempotency: IdempotencyStore,
  ) {}

  /** Dispatched tasks of a unit, or of every team under it (`subtree`), for a period. */
  async list(principal: Principal, q: { unitId: string; period?: Period; subtree?: boolean }): Promise<TaskView[]> {
    if (q.period !== undefined && !isPeriod(q.period)) throw ValidationFailed.field('period', 'must be a month YYYY-MM');
    const unit = await Units.byId(this.db, q.unitId);
    if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', q.unitId);
    const scope = principal.scope.sqlFilter('a.path', 3);
    const rows = await this.db.query<TaskRow[]>(
      `${TASK_VIEW_SQL}
        WHERE l.status = 'dispatched' AND ($1::text IS NULL OR l.period = $1)
          AND ${q.subtree ? `a.path LIKE $2 || '%'` : 'a.path = $2'} AND ${scope.sql}
        ORDER BY l.period DESC, t.deadline, t.item_no`,
      [q.period ?? null, unit.path, ...scope.params],
    );
    return rows.map((r) => toTaskView(r, this.lists.today(r.unit_tz)));
  }

  async get(
    principal: Principal,
    id: string,
  ): Promise<TaskView & { progress: Array<{ actual: number; comment: string | null; actor: string | null; at: string }> }> {
    const [row] = await this.db.query<TaskRow[]>(`${TASK_VIEW_SQL} WHERE t.id = $1`, [id]);
    if (!row || !principal.scope.canRead({ id: row.assignee_unit_id, path: row.unit_path }) || row.status !== 'dispatched') {
      throw new NotFound('Task', id);
    }
    const progress = await this.db.query<Array<{ actual: number; comment: string | null; actor: string | null; created_at: Date }>>(
      `SELECT p.actual::float8 AS actual, p.comment, u.display_name AS actor, p.created_at
         FROM task_progress p ${UserSql.join('u', 'p.actor_id')} WHERE p.task_id = $1 ORDER BY p.seq`,
      [id],
    );
    return {
      ...toTaskView(row, this.lists.today(row.unit_tz)),
      progress: progress.map((p) => ({ actual: p.actual, comment: p.comment, actor: p.actor, at: new Date(p.created_at).toISOString() })),
    };
  }

  /** A team reports how far it got; the task is done when the target is reached. */
  async reportProgress(
    principal: Principal,
    id: string,
    input: ProgressInput,
    options: { idempotencyKey?: string } = {},
  ): Promise<TaskView> {
    if (!Number.isFinite(input.actual) || input.actual < 0) throw ValidationFailed.field('actual', 'must be a number of 0 or more');
    // A report resent with its key (queued on a phone, answer lost) is recorded once.
    const key = options.idempotencyKey;
    const scope = `progress:${id}`;
    const hash = requestHash(JSON.stringify([input.actual, input.comment ?? '', input.done ?? null, input.evidenceIds ?? []]));
    await this.db.transaction(async (m) => {
      if (key && (await this.idempotency.claim(m, principal.userId, scope, key, hash))) return;
      const [row] = await m.query<Array<TaskRow & { version: number }>>(`${TASK_VIEW_SQL} WHERE t.id = $1 FOR UPDATE OF t`, [id]);
      if (!row || !principal.scope.canRead({ id: row.assignee_unit_id, path: row.unit_path }) || row.status !== 'dispatched') {
        throw new NotFound('Task', id);
      }
      const unit = { id: row.assignee_unit_id, path: row.unit_path };
      if (!principal.scope.hasRoleOver(unit, 'member', 'leader', 'admin'))
        throw new Forbidden('Only the team or its leaders report progress');
      if (row.done && input.actual < row.actual) throw new IllegalTransition('The task is done; progress cannot go back', []);
      const done = row.target !== null ? input.actual >= row.target : (input.done ?? row.done);
      const now = this.clock.now();
      await m.query(
        `UPDATE task SET actual = $2, done = $3, completed_at = CASE WHEN $3 AND NOT done THEN $4::timestamptz ELSE completed_at END,
                version = version + 1, updated_at = $4 WHERE id = $1`,
        [id, input.actual, done, now],
      );
      await m.query(
        `INSERT INTO task_progress (task_id, actual, comment, evidence_ids, actor_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, input.actual, input.comment?.trim() || null, input.evidenceIds ?? [], principal.userId, now],
      );
      if (key) await this.idempotency.complete(m, principal.userId, scope, key, { actual: input.actual });
    });
    return this.get(principal, id);
  }
}
