import { sqlLocalDay, type Principal } from '@app/platform';
import { CLASS_LABELS, RectificationClass, Source } from '../domain/categories';
import { Action, allowedActions, daysLeft, daysOverdue, Light, lightOf, Milestone, standingStage, Status } from '../domain/ticket-state';
import { actorFor } from './ticket-access';

/** A ticket as the API shows it. */
export interface TicketView {
  id: string;
  code: string;
  title: string;
  description: string | null;
  category: string | null;
  source: Source;
  inspectionId: string | null;
  parentId: string | null;
  isCommon: boolean;
  unitId: string;
  unitName: string;
  responsible: string | null;
  supervisingLeader: string | null;
  measures: string | null;
  rectificationClass: RectificationClass;
  rectificationClassLabel: string;
  deadline: string | null;
  originalDeadline: string | null;
  milestones: Milestone[];
  /** The stage a standing ticket (长期坚持) is at, counted from 0; null for other tickets or when every stage is closed out. */
  currentStage: number | null;
  status: Status;
  light: Light;
  overdue: boolean;
  daysOverdue: number;
  /** Days until the deadline in the owner unit's time zone (0 on the day, negative past it); null when closed or undated. */
  daysLeft: number | null;
  closedAt: string | null;
  closedOnTime: boolean | null;
  returnedCount: number;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** What the caller may do now. */
  allowedActions: Action[];
}

/** The columns a view needs; `today` is the owner unit's local date. */
export const TICKET_COLUMNS = `
  t.id, t.code, t.title, t.description, t.category, t.source, t.inspection_id, t.parent_id, t.is_common, t.unit_id, u.name AS unit_name,
  t.unit_path, t.responsible, t.supervising_leader, t.measures, t.rectification_class,
  to_char(t.deadline, 'YYYY-MM-DD') AS deadline, to_char(t.original_deadline, 'YYYY-MM-DD') AS original_deadline,
  t.milestones, t.status, t.closed_at, t.closed_on_time, t.returned_count, t.version, t.created_at, t.updated_at,
  to_char(${sqlLocalDay('$NOW::timestamptz', 't.unit_tz')}, 'YYYY-MM-DD') AS today`;

export interface TicketRow {
  id: string;
  code: string;
  title: string;
  description: string | null;
  category: string | null;
  source: Source;
  inspection_id: string | null;
  parent_id: string | null;
  is_common: boolean;
  unit_id: string;
  unit_name: string;
  unit_path: string;
  responsible: string | null;
  supervising_leader: string | null;
  measures: string | null;
  rectification_class: RectificationClass;
  deadline: string | null;
  original_deadline: string | null;
  milestones: Milestone[];
  status: Status;
  closed_at: Date | null;
  closed_on_time: boolean | null;
  returned_count: number;
  version: number;
  created_at: Date;
  updated_at: Date;
  today: string;
}

export function toTicketView(r: TicketRow, principal: Principal, warningDays: number): TicketView {
  const overdueDays = daysOverdue(r.status, r.deadline, r.today);
  return {
    id: r.id,
    code: r.code,
    title: r.title,
    description: r.description,
    category: r.category,
    source: r.source,
    inspectionId: r.inspection_id,
    parentId: r.parent_id,
    isCommon: r.is_common,
    unitId: r.unit_id,
    unitName: r.unit_name,
    responsible: r.responsible,
    supervisingLeader: r.supervising_leader,
    measures: r.measures,
    rectificationClass: r.rectification_class,
    rectificationClassLabel: CLASS_LABELS[r.rectification_class],
    deadline: r.deadline,
    originalDeadline: r.original_deadline,
    milestones: r.milestones,
    currentStage: currentStage(r),
    status: r.status,
    light: lightOf(r.status, r.deadline, r.today, warningDays),
    overdue: overdueDays > 0,
    daysOverdue: overdueDays,
    daysLeft: daysLeft(r.status, r.deadline, r.today),
    closedAt: r.closed_at ? new Date(r.closed_at).toISOString() : null,
    closedOnTime: r.closed_on_time,
    returnedCount: r.returned_count,
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    allowedActions: allowedActions(r.status, actorFor(principal, { id: r.unit_id, path: r.unit_path }), r.is_common),
  };
}

/** The stage a standing ticket is at, or null (another class, or every stage closed out). */
function currentStage(r: TicketRow): number | null {
  return standingStage(r.rectification_class, r.milestones)?.index ?? null;
}
