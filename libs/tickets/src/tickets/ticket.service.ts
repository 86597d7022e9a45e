import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, bodyHash, Clock, Forbidden, IdempotencyStore, NotFound, Principal, ValidationFailed } from '@app/platform';
import { UnitRef, Units, UnitSql } from '@app/org';
import { DataSource, EntityManager } from 'typeorm';
import { CategoryList } from './category-list';
import { RectificationClass, Source } from '../domain/categories';
import { draftProblems, NewTicket } from '../domain/ticket-draft';
import { PlannedMilestone, Status } from '../domain/ticket-state';
import { EditableField, editableFields } from '../domain/ticket-edit';
import { actorFor, mayRaise } from './ticket-access';
import { TICKET_COLUMNS, TicketRow, TicketView, toTicketView } from './ticket-view';
import { TicketCreation } from './ticket-creation.service';

export interface CreateTicketInput {
  inspectionId?: string;
  source?: Source;
  title: string;
  description?: string;
  category?: string;
  unitId: string;
  unitIds?: string[];
  responsible?: string;
  supervisingLeader?: string;
  measures?: string;
  rectificationClass?: RectificationClass;
  deadline: string;
  milestones?: PlannedMilestone[];
}

export interface HistoryEntry {
  id: number;
  kind: string;
  action: string | null;
  from: Status | null;
  to: Status | null;
  actor: { id: string | null; name: string | null };
  comment: string | null;
  data: Record<string, unknown> | null;
  at: string;
}

export interface TicketDetail extends TicketView {
  children: Array<{ id: string; code: string; unitName: string; status: Status }>;
  /** The fields the caller may change with `PATCH /issues/:id` now. */
  editableFields: EditableField[];
}

/** Creating and reading tickets (问题清单): single ones and common problems (共性问题). */
@Injectable()
export class TicketService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly creation: TicketCreation,
    private readonly categories: CategoryList,
    private readonly idempotency: IdempotencyStore,
  ) {}

  async row(m: EntityManager, id: string, lock = false): Promise<TicketRow | undefined> {
    const [row] = await m.query<TicketRow[]>(
      `SELECT ${TICKET_COLUMNS.replace('$NOW', '$2')} FROM ticket t ${UnitSql.join('u', 't.unit_id')} WHERE t.id = $1 ${lock ? 'FOR UPDATE OF t' : ''}`,
      [id, this.clock.now()],
    );
    return row;
  }

  /** A ticket the principal may read, or 404. */
  async readable(m: EntityManager, principal: Principal, id: string, lock = false): Promise<TicketRow> {
    const row = await this.row(m, id, lock);
    if (!row || !principal.scope.canRead({ id: row.unit_id, path: row.unit_path })) throw new NotFound('Ticket', id);
    return row;
  }

  async get(principal: Principal, id: string): Promise<TicketDetail> {
    const row = await this.readable(this.db.manager, principal, id);
    const children = row.is_common
      ? await this.db.query<Array<{ id: string; code: string; unitName: string; status: Status }>>(
          `SELECT t.id, t.code, u.name AS "unitName", t.status FROM ticket t ${UnitSql.join('u', 't.unit_id')} WHERE t.parent_id = $1 ORDER BY t.code`,
          [id],
        )
      : [];
    return {
      ...toTicketView(row, principal, this.config.TICKET_WARNING_DAYS),
      children,
      editableFields: [...editableFields(row.status, actorFor(principal, row))],
    };
  }

  async history(principal: Principal, id: string): Promise<HistoryEntry[]> {
    await this.readable(this.db.manager, principal, id);
    const rows = await this.db.query<Array<Record<string, unknown>>>(`SELECT * FROM ticket_event WHERE ticket_id = $1 ORDER BY id`, [id]);
    return rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind as string,
      action: (r.action as string) ?? null,
      from: (r.from_status as Status) ?? null,
      to: (r.to_status as Status) ?? null,
      actor: { id: (r.actor_id as string) ?? null, name: (r.actor_name as string) ?? null },
      comment: (r.comment as string) ?? null,
      data: (r.data as Record<string, unknown>) ?? null,
      at: new Date(r.at as string).toISOString(),
    }));
  }

  /**
   * Creates a ticket, or with `unitIds` a common problem: one parent in `unitId` and a child per
   * unit, each the owner unit's own ticket. With `idempotencyKey`, the same request sent again
   * (or at the same time) answers with the ticket the first one created and creates nothing.
   */
  async create(principal: Principal, input: CreateTicketInput, options: { idempotencyKey?: string } = {}): Promise<TicketDetail> {
    const key = options.idempotencyKey;
    const hash = bodyHash('issue', input);
    const base: Omit<NewTicket, 'unitId'> = {
      title: input.title,
      description: input.description,
      category: input.category ?? null,
      inspectionId: input.inspectionId ?? null,
      responsible: input.responsible,
      supervisingLeader: input.supervisingLeader,
      measures: input.measures,
      rectificationClass: input.rectificationClass ?? 'deadline',
      deadline: input.deadline,
      milestones: input.milestones ?? [],
    };
    const [problem] = draftProblems({ ...base, unitId: input.unitId }, this.categories);
    if (problem) throw ValidationFailed.field(problem.field, problem.message);
    const common = (input.unitIds ?? []).length > 0;
    // A ticket alone, with no key to record, is written by one statement that commits by itself;
    // a common ticket with its members, or a request under an Idempotency-Key, in a transaction.
    const id =
      key || common
        ? await this.db.transaction(async (m) => {
            if (key) {
              const earlier = await this.idempotency.claim<{ id: string }>(m, principal.userId, 'issue', key, hash);
              if (earlier) return earlier.id;
            }
            const created = await this.createIn(m, principal, input, base, m);
            if (key) await this.idempotency.complete(m, principal.userId, 'issue', key, { id: created });
            return created;
          })
        : await this.createIn(this.db.manager, principal, input, base, undefined);
    return this.get(principal, id);
  }

  private async createIn(
    m: EntityManager,
    principal: Principal,
    input: CreateTicketInput,
    base: Omit<NewTicket, 'unitId'>,
    transaction: EntityManager | undefined,
  ): Promise<string> {
    const unit = await this.unitInScope(m, principal, input.unitId);
    if (!mayRaise(principal, unit)) throw new Forbidden('Only an inspector, a leader or an administrator over the unit raises tickets');
    let source: Source = input.source ?? 'supervision';
    if (input.inspectionId) {
      const [insp] = await m.query<Array<{ source: Source; path: string }>>(
        `SELECT i.source, u.path FROM inspection i ${UnitSql.join('u', 'i.unit_id')} WHERE i.id = $1`,
        [input.inspectionId],
      );
      if (!insp || !principal.scope.canRead({ id: input.inspectionId, path: insp.path }))
        throw new NotFound('Inspection', input.inspectionId);
      if (!unit.path.startsWith(insp.path)) throw ValidationFailed.field('unitId', 'must lie within the inspected unit');
      source = insp.source;
    }
    const unitIds = [...new Set(input.unitIds ?? [])];
    if (!unitIds.length) {
      const [created] = await this.creation.createMany(
        principal,
        [{ ...base, unitId: unit.id }],
        source,
        transaction,
        new Map([[unit.id, unit]]),
      );
      return created.id;
    }
    const members: UnitRef[] = [];
    for (const uid of unitIds) {
      const u = await this.unitInScope(m, principal, uid);
      if (!u.path.startsWith(unit.path) || u.id === unit.id)
        throw ValidationFailed.field('unitIds', `${u.name} is not a unit under ${unit.name}`);
      if (!mayRaise(principal, u)) throw new Forbidden(`You cannot raise tickets for ${u.name}`);
      members.push(u);
    }
    const [parent] = await this.creation.createMany(principal, [{ ...base, isCommon: true, unitId: unit.id }], source, m);
    await this.creation.createMany(
      principal,
      members.map((u) => ({ ...base, parentId: parent.id, unitId: u.id })),
      source,
      m,
    );
    return parent.id;
  }

  private async unitInScope(m: EntityManager, principal: Principal, unitId: string): Promise<UnitRef> {
    const unit = await Units.byId(m, unitId);
    if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', unitId);
    return unit;
  }
}
