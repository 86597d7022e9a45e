import type { Actor, Status } from './ticket-state';

/** The fields of a ticket that an edit may change; the deadline changes only through `extend`. */
export const EDITABLE_FIELDS = ['title', 'description', 'category', 'responsible', 'supervisingLeader', 'measures'] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

/** What the review step (月研判) asks the team itself to fill in: the responsible person and the measures. */
export const TEAM_FIELDS: readonly EditableField[] = ['responsible', 'measures'];

/**
 * Which fields the actor may change: a leader of a unit above the owner unit, an inspector in
 * scope or an administrator every field; the owner team (member or leader of the owner unit)
 * those the review step asks of it. Nobody edits a closed or cancelled ticket.
 */
export function editableFields(status: Status, actor: Actor): readonly EditableField[] {
  if (status === 'closed' || status === 'cancelled') return [];
  if (actor.ancestorLeader || actor.inspector || actor.admin) return EDITABLE_FIELDS;
  if (actor.owner) return TEAM_FIELDS;
  return [];
}

export interface FieldChange {
  field: EditableField;
  from: string | null;
  to: string | null;
}

/** The fields whose value the edit changes (text trimmed, blank meaning none), in field order. */
export function changesOf(
  current: Record<EditableField, string | null>,
  edit: Partial<Record<EditableField, string | null>>,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of EDITABLE_FIELDS) {
    if (!(field in edit) || edit[field] === undefined) continue;
    const to = edit[field]?.trim() || null;
    if (to !== current[field]) changes.push({ field, from: current[field], to });
  }
  return changes;
}
