import { Inject, Injectable } from '@nestjs/common';
import { bodyHash, Clock, Conflict, Forbidden, IdempotencyStore, NotFound, Principal, ValidationFailed } from '@app/platform';
import { Units, UnitSql, UserSql } from '@app/org';
import { InspectionTickets, TicketLine } from '@app/tickets';
import { DataSource } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service';
import { isPeriod, Period } from '../calendar/period';
import { stepDue } from '../calendar/schedule';
import { SelfCheckProblem, TicketFacts } from '@app/tickets';

/** How far a checklist item of a self-check was done. */
export const CHECKLIST_STATES = ['done', 'partial', 'not_done'] as const;

export interface ChecklistItem {
  item: string;
  status: (typeof CHECKLIST_STATES)[number];
  note?: string;
}

/** The items of the seed town's report: the "57" standard, the 八个一批, this month's tasks, feedback. */
export const DEFAULT_CHECKLIST = [
  '“两不愁三保障”及“57”标准完成情况',
  '“八个一批”落实情况',
  '本月任务清单完成情况',
  '上级反馈问题整改情况',
  '帮扶措施落实情况',
];

export interface SelfCheckInput {
  unitId: string;
  period: Period;
  summary: string;
  checklist: ChecklistItem[];
  problems: SelfCheckProblem[];
}

export interface SelfCheckView {
  id: string;
  unitId: string;
  unitName: string;
  period: Period;
  title: string;
  summary: string;
  checklist: ChecklistItem[];
  problems: TicketLine[];
  filedAt: string;
  filedBy: string | null;
  onTime: boolean;
}

/**
 * 月自查 + 问题清单: each team checks itself against the feedback and its task list and files
 * 《XX社区X月脱贫攻坚自查报告》 with a problem list; new problems become tickets (source self_check).
 */
@Injectable()
export class SelfCheckService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly calendars: CalendarService,
    private readonly tickets: TicketFacts,
    private readonly idempotency: IdempotencyStore,
  ) {}

  static title(unitName: string, period: Period): string {
    return `《${unitName}${Number(period.slice(5))}月脱贫攻坚自查报告》`;
  }

  /** Files a team's self-check; resent with the same `idempotencyKey`, it answers with the one filed. */
  async file(principal: Principal, input: SelfCheckInput, options: { idempotencyKey?: string } = {}): Promise<SelfCheckView> {
    if (!isPeriod(input.period)) throw ValidationFailed.field('period', 'must be a month YYYY-MM');
    const key = options.idempotencyKey;
    const scope = `self-check:${input.unitId}:${input.period}`;
    const hash = bodyHash(scope, input);
    const id = await this.db.transaction(async (m) => {
      if (key) {
        const earlier = await this.idempotency.claim<{ id: string }>(m, principal.userId, scope, key, hash);
        if (earlier) return earlier.id;
      }
      const team = await Units.byId(m, input.unitId, { lock: 'share' });
      if (!team || !principal.scope.canRead(team)) throw new NotFound('Org unit', input.unitId);
      if ((team.kind !== 'village' && team.kind !== 'office') || !team.parentId)
        throw ValidationFailed.field('unitId', 'a self-check is filed by a village team or an office');
      if (!principal.scope.hasRoleOver(team, 'member', 'leader', 'admin')) throw new Forbidden('Only the team files its self-check');
      const [existing] = await m.query<Array<{ id: string }>>(`SELECT id FROM self_check WHERE unit_id = $1 AND period = $2`, [
        team.id,
        input.period,
      ]);
      if (existing) throw new Conflict(`${team.name} filed its ${input.period} self-check already`, { selfCheckId: existing.id });
      const cal = await this.calendars.forTownship(team.parentId, m);
      const due = stepDue(cal.config, input.period, 'self_check', this.calendars.workingDays).dueAt;
      const now = this.clock.now();
      const filed = await this.tickets.fileSelfCheckProblems(m, principal, { id: team.id, name: team.name }, input.period, input.problems);
      const [row] = await m.query<Array<{ id: string }>>(
        `INSERT INTO self_check (unit_id, township_id, period, summary, checklist, problem_count, inspection_id, filed_by, filed_at, on_time)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [
          team.id,
          team.parentId,
          input.period,
          input.summary.trim(),
          JSON.stringify(input.checklist),
          filed.tickets.length,
          filed.inspectionId,
          principal.userId,
          now,
          now <= due,
        ],
      );
      if (key) await this.idempotency.complete(m, principal.userId, scope, key, { id: row.id });
      return row.id;
    });
    return this.get(principal, id);
  }

  async get(principal: Principal, id: string): Promise<SelfCheckView> {
    const [row] = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT s.*, u.name AS unit_name, u.path, f.display_name AS filer FROM self_check s
         ${UnitSql.join('u', 's.unit_id')} ${UserSql.join('f', 's.filed_by')} WHERE s.id = $1`,
      [id],
    );
    if (!row || !principal.scope.canRead({ id: row.unit_id as string, path: row.path as string })) throw new NotFound('Self-check', id);
    const inspectionId = row.inspection_id as string | null;
    return this.toView(row, inspectionId ? await InspectionTickets.of(this.db, inspectionId) : []);
  }

  private toView(row: Record<string, unknown>, problems: SelfCheckView['problems']): SelfCheckView {
    return {
      id: row.id as string,
      unitId: row.unit_id as string,
      unitName: row.unit_name as string,
      period: row.period as Period,
      title: SelfCheckService.title(row.unit_name as string, row.period as Period),
      summary: row.summary as string,
      checklist: row.checklist as ChecklistItem[],
      problems,
      filedAt: new Date(row.filed_at as string).toISOString(),
      filedBy: (row.filer as string) ?? null,
      onTime: row.on_time as boolean,
    };
  }

  /** The self-checks of a unit's subtree for a period. */
  async list(principal: Principal, q: { unitId: string; period: Period }): Promise<SelfCheckView[]> {
    if (!isPeriod(q.period)) throw ValidationFailed.field('period', 'must be a month YYYY-MM');
    const unit = await Units.byId(this.db, q.unitId);
    if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', q.unitId);
    const scope = principal.scope.sqlFilter('u.path', 3);
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT s.*, u.name AS unit_name, f.display_name AS filer FROM self_check s
         ${UnitSql.join('u', 's.unit_id')} ${UserSql.join('f', 's.filed_by')}
        WHERE u.path LIKE $1 || '%' AND s.period = $2 AND ${scope.sql} ORDER BY u.name`,
      [unit.path, q.period, ...scope.params],
    );
    const problems = await InspectionTickets.byInspection(
      this.db,
      rows.map((r) => r.inspection_id as string | null).filter((id): id is string => !!id),
    );
    return rows.map((r) => this.toView(r, problems.get(r.inspection_id as string) ?? []));
  }
}
