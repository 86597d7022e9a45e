import { Inject, Injectable } from '@nestjs/common';
import { Clock, Conflict, Forbidden, IllegalTransition, Principal, ValidationFailed } from '@app/platform';
import { DataSource } from 'typeorm';
import { changesOf, EditableField, editableFields } from '../domain/ticket-edit';
import { CategoryList } from './category-list';
import { actorFor } from './ticket-access';
import { TicketDetail, TicketService } from './ticket.service';
import { TicketRow } from './ticket-view';

export type TicketEdit = Partial<Record<EditableField, string | null>> & {
  /** The ticket's version the edit was made on; another change since then makes it lose (409). */
  version: number;
};

const COLUMNS: Record<EditableField, keyof TicketRow> = {
  title: 'title',
  description: 'description',
  category: 'category',
  responsible: 'responsible',
  supervisingLeader: 'supervising_leader',
  measures: 'measures',
};

/**
 * Edits of a ticket's text (`PATCH /issues/:id`). The row is locked and its version compared
 * with the one the edit was made on, so of two concurrent edits the later loses with a 409;
 * each changed field is one history entry with its old and new value.
 */
@Injectable()
export class TicketEditService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly tickets: TicketService,
    private readonly categories: CategoryList,
  ) {}

  async edit(principal: Principal, id: string, edit: TicketEdit): Promise<TicketDetail> {
    await this.db.transaction(async (m) => {
      const t = await this.tickets.readable(m, principal, id, true);
      const allowed = editableFields(t.status, actorFor(principal, t));
      const current = Object.fromEntries(Object.entries(COLUMNS).map(([f, c]) => [f, t[c] as string | null])) as Record<
        EditableField,
        string | null
      >;
      const changes = changesOf(current, edit);
      if (!allowed.length && (t.status === 'closed' || t.status === 'cancelled'))
        throw new IllegalTransition(`A ${t.status} ticket is not edited`, [], { status: t.status });
      const refused = changes.filter((c) => !allowed.includes(c.field)).map((c) => c.field);
      if (refused.length) {
        throw new Forbidden(
          allowed.length
            ? `You may change only ${allowed.join(', ')} of this ticket, not ${refused.join(', ')}`
            : 'Only a leader above the owner unit, an inspector in scope or an administrator edits this ticket',
          { fields: refused },
        );
      }
      if (t.version !== edit.version) {
        throw new Conflict(`The ticket changed since version ${edit.version} (it is at version ${t.version}): reload it and edit again`, {
          version: t.version,
        });
      }
      if (!changes.length) return;
      for (const c of changes) {
        if (c.field === 'title' && !c.to) throw ValidationFailed.field('title', 'must not be empty');
        if (c.field === 'category' && c.to && !this.categories.has(c.to))
          throw ValidationFailed.field('category', `must be one of ${this.categories.list.join('、')}`);
      }
      const now = this.clock.now();
      const params: unknown[] = [t.id, now];
      const sets = changes.map((c) => {
        params.push(c.to);
        return `${COLUMNS[c.field]} = $${params.length}`;
      });
      await m.query(`UPDATE ticket SET ${sets.join(', ')}, version = version + 1, updated_at = $2 WHERE id = $1`, params);
      await m.query(
        `INSERT INTO ticket_event (ticket_id, kind, from_status, to_status, actor_id, actor_name, data, at)
         SELECT $1, 'updated', $2, $2, $3, $4, d, $5 FROM unnest($6::jsonb[]) AS d`,
        [t.id, t.status, principal.userId, principal.displayName, now, changes.map((c) => JSON.stringify(c))],
      );
    });
    return this.tickets.get(principal, id);
  }
}
