import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, Clock, Forbidden, ImportRejected, NotFound, Principal, RowProblem } from '@app/platform';
import { UnitRef, Units } from '@app/org';
import { DataSource, EntityManager } from 'typeorm';
import type { Source } from '../domain/categories';
import { draftProblems, mayCreateIn, NewTicket } from '../domain/ticket-draft';
import { findRepeats, flagRepeats, RepeatMatch } from '../repeats/repeat-check';
import { RepeatListeners } from '../repeats/repeat-listeners';
import { CategoryList } from './category-list';
import { TICKETS_PER_STATEMENT, TicketWriter } from './ticket-writer';

/**
 * The one way tickets come to be: from a finding raised by hand, a findings list, a team's
 * self-check or a verification verdict. Every draft meets the same rules (configured category,
 * lengths, deadline and milestones, and the principal may open tickets of that source in the
 * unit) before any is written; then all are written together, in the caller's transaction when
 * it passes its EntityManager.
 */
@Injectable()
export class TicketCreation {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly writer: TicketWriter,
    private readonly categories: CategoryList,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly repeatListeners: RepeatListeners,
  ) {}

  /**
   * Opens the drafts as tickets of `source` by `principal`, in order. A draft that breaks a rule
   * refuses the whole batch (422, `details.rows` numbering the drafts from 1, nothing written); a
   * unit the principal cannot see is 404, one it may not open tickets in 403. `units` are units
   * the caller has read already in this request (by id), so that they are not read again.
   */
  async createMany(
    principal: Principal,
    drafts: readonly NewTicket[],
    source: Source,
    manager?: EntityManager,
    units?: ReadonlyMap<string, UnitRef>,
  ): Promise<Array<{ id: string; code: string }>> {
    if (!drafts.length) return [];
    this.check(drafts);
    const now = this.clock.now();
    const repeats = await findRepeats(manager ?? this.db, drafts, now, this.config.REPEAT_LOOKBACK_MONTHS);
    if (manager) return this.write(manager, principal, drafts, source, repeats, now, units);
    // Up to one writer statement's worth of drafts with nothing else to record is written by that
    // one statement, which commits by itself; more, or tickets to flag as repeats, take a
    // transaction of their own so that the flags commit with the tickets.
    if (drafts.length > TICKETS_PER_STATEMENT || repeats.some((r) => r.length))
      return this.db.transaction((m) => this.write(m, principal, drafts, source, repeats, now, units));
    return this.write(this.db.manager, principal, drafts, source, repeats, now, units);
  }

  /** Refuses the drafts as `createMany` would (422, every problem listed), before anything else is written. */
  check(drafts: readonly NewTicket[]): void {
    const rows: RowProblem[] = drafts.flatMap((d, i) =>
      draftProblems(d, this.categories).map((p) => ({ row: i + 1, column: p.field, message: `${p.field} ${p.message}` })),
    );
    if (rows.length) throw new ImportRejected(rows, `${rows.length} problem(s) in the tickets; none was opened`);
  }

  private async write(
    m: EntityManager,
    principal: Principal,
    drafts: readonly NewTicket[],
    source: Source,
    repeats: readonly RepeatMatch[][],
    now: Date,
    known: ReadonlyMap<string, UnitRef> = new Map(),
  ) {
    const units = new Map(known);
    const unread = [...new Set(drafts.map((d) => d.unitId))].filter((id) => !units.has(id));
    if (unread.length) for (const [id, unit] of await Units.mapByIds(m, unread)) units.set(id, unit);
    for (const d of drafts) {
      const unit = units.get(d.unitId);
      const checking = d.checkingTeams ?? [];
      if (!unit || !(principal.scope.canRead(unit) || mayCreateIn(principal, unit, source, checking)))
        throw new NotFound('Org unit', d.unitId);
      if (!mayCreateIn(principal, unit, source, checking)) throw new Forbidden(`You cannot open ${source} tickets for ${unit.name}`);
    }
    const rows = drafts.map((d) => {
      const unit = units.get(d.unitId)!;
      return {
        title: d.title.trim(),
        description: d.description?.trim() || null,
        category: d.category || null,
        source,
        inspectionId: d.inspectionId ?? null,
        parentId: d.parentId ?? null,
        isCommon: d.isCommon ?? false,
        unitId: unit.id,
        unitPath: unit.path,
        unitTz: unit.timezone,
        responsible: d.responsible?.trim() || null,
        supervisingLeader: d.supervisingLeader?.trim() || null,
        measures: d.measures?.trim() || null,
        rectificationClass: d.rectificationClass ?? 'deadline',
        deadline: d.deadline ?? null,
        milestones: d.milestones ?? [],
        progressNote: d.progressNote?.trim() || null,
      };
    });
    const created = await this.writer.create(m, rows, { id: principal.userId, name: principal.displayName });
    const flagged = await flagRepeats(m, created, repeats, now);
    await this.repeatListeners.flagged(
      m,
      flagged.map((f) => ({
        ticketId: f.ticketId,
        unitId: rows[f.index].unitId,
        responsible: rows[f.index].responsible,
        repeatOf: f.repeatOf,
      })),
    );
    return created;
  }
}
