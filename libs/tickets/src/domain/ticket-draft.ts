import type { Principal, ScopedUnit } from '@app/platform';
import type { RectificationClass, Source } from './categories';
import { milestoneProblem, PlannedMilestone } from './ticket-state';

/** A ticket to open in a unit, as every way of raising one describes it. */
export interface NewTicket {
  title: string;
  description?: string | null;
  category?: string | null;
  unitId: string;
  inspectionId?: string | null;
  responsible?: string | null;
  supervisingLeader?: string | null;
  measures?: string | null;
  rectificationClass?: RectificationClass;
  deadline?: string | null;
  milestones?: PlannedMilestone[];
  /** What has been done so far (完成情况): the comment of the ticket's first history entry. */
  progressNote?: string | null;
  /** A common problem (共性问题): the parent ticket, and each unit's child of it. */
  isCommon?: boolean;
  parentId?: string | null;
  /** The teams a verification campaign sent to check the unit: they open its verification tickets too. */
  checkingTeams?: readonly string[];
}

/** The longest text each field of a ticket holds. */
export const TICKET_LIMITS = {
  title: 500,
  description: 10000,
  category: 50,
  responsible: 100,
  supervisingLeader: 100,
  measures: 5000,
  progressNote: 5000,
} as const;

/** The categories a ticket may name. */
export interface Categories {
  readonly list: readonly string[];
  has(category: string): boolean;
}

export interface DraftProblem {
  field: keyof NewTicket;
  message: string;
}

/**
 * What is wrong with a ticket before it is written, by field: an empty or over-long text, a
 * category that is not configured, an implausible deadline, milestones after the deadline or out
 * of order. Texts are judged as they will be stored (trimmed); the category as given.
 */
export function draftProblems(draft: NewTicket, categories: Categories): DraftProblem[] {
  const problems: DraftProblem[] = [];
  if (!draft.title.trim()) problems.push({ field: 'title', message: 'is empty' });
  for (const field of Object.keys(TICKET_LIMITS) as Array<keyof typeof TICKET_LIMITS>) {
    const value = draft[field]?.trim() ?? '';
    if (value.length > TICKET_LIMITS[field]) problems.push({ field, message: `is longer than ${TICKET_LIMITS[field]} characters` });
  }
  const category = draft.category;
  if (category && !categories.has(category))
    problems.push({ field: 'category', message: `"${category}" is not a category (${categories.list.join('、')})` });
  const deadline = draft.deadline ?? null;
  if (deadline !== null && deadline < '2000-01-01') problems.push({ field: 'deadline', message: 'is not a plausible date' });
  const milestones = draft.milestones ?? [];
  if (milestones.length) {
    const bad = deadline === null ? 'need a deadline to fall before' : milestoneProblem(milestones, deadline);
    if (bad) problems.push({ field: 'milestones', message: bad });
  }
  return problems;
}

/**
 * Who may open tickets of a source in a unit: inspectors, leaders and administrators over it;
 * for a self-check or a verification the unit's own team too; for a verification also the teams
 * the campaign sent to check the unit.
 */
export function mayCreateIn(principal: Principal, unit: ScopedUnit, source: Source, checkingTeams: readonly string[] = []): boolean {
  const s = principal.scope;
  if (s.hasRoleOver(unit, 'inspector', 'leader', 'admin')) return true;
  if (source !== 'self_check' && source !== 'verification') return false;
  if (s.hasRoleOver(unit, 'member')) return true;
  return (
    source === 'verification' &&
    s.grants.some((g) => (g.role === 'member' || g.role === 'leader') && g.unitId !== null && checkingTeams.includes(g.unitId))
  );
}
