import { sqlLocalDay, type Principal } from '@app/platform';
import { CLASS_LABELS, RectificationClass, Source } from '../domain/categories';
import { Action, allowedActions, daysLeft, daysOverdue, Light, lightOf, Milestone, standingStage, Status } from '../domain/ticket-state';
import { EvidenceWarningOnTicket, SQL_EVIDENCE_WARNINGS } from '../evidence/ticket-warnings';
import { flagsView, SQL_TICKET_FLAGS, TicketFlagRow, TicketFlagsView } from '../repeats/ticket-flags';
import { actorFor } from './ticket-access';

/** A ticket as the API shows it. */
export interface TicketView extends TicketFlagsView {
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
  /** Judged against the deadline in force at close-out: the approved extension's when there is one. */
  closedOnTime: boolean | null;
  /** The extension request waiting for a decision, if any. */
  extensionRequest: ExtensionRequestView | null;
  returnedCount: number;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** What the caller may do now. */
  allowedActions: Action[];
  /** Every warning raised on the ticket's evidence, oldest upload first: what a verifier weighs before deciding. */
  evidenceWarnings: EvidenceWarningOnTicket[];
}

/** The columns a view needs; `today` is the owner unit's local date. */
export const TICKET_COLUMNS = `
  t.id, t.code, t.title, t.description, t.category, t.source, t.inspection_id, t.parent_id, t.is_common, t.unit_id, u.name AS unit_name,
  t.unit_path, t.unit_tz, t.responsible, t.supervising_leader, t.measures, t.rectification_class,
  to_char(t.deadline, 'YYYY-MM-DD') AS deadline, to_char(t.original_deadline, 'YYYY-MM-DD') AS original_deadline,
  t.milestones, t.status, t.closed_at, t.closed_on_time, t.returned_count, t.version, t.created_at, t.updated_at,
  t.started_by, t.submitted_by, to_char(t.extension_deadline, 'YYYY-MM-DD') AS extension_deadline, t.extension_reason,
  t.extension_requested_by, t.extension_requested_at,
  ${SQL_EVIDENCE_WARNINGS('t.id')} AS evidence_warnings,
  ${SQL_TICKET_FLAGS('t.id')} AS flag_rows,
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
  /** The owner unit's time zone, in which its days (deadlines, "today") are counted. */
  unit_tz: string;
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
  started_by: string | null;
  submitted_by: string | null;
  extension_deadline: string | null;
  extension_reason: string | null;
  extension_requested_by: string | null;
  extension_requested_at: Date | null;
  evidence_warnings: EvidenceWarningOnTicket[];
  flag_rows: TicketFlagRow[];
  today: string;
}

/** An extension request (延期申请) waiting for a leader's or an inspector's decision. */
export interface ExtensionRequestView {
  deadline: string;
  reason: string;
  requestedBy: string | null;
  requestedAt: string;
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
    extensionRequest:
      r.extension_deadline && r.extension_requested_at
        ? {
            deadline: r.extension_deadline,
            reason: r.extension_reason ?? '',
            requestedBy: r.extension_requested_by,
            requestedAt: new Date(r.extension_requested_at).toISOString(),
          }
        : null,
    returnedCount: r.returned_count,
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    allowedActions: allowedActions(r.status, actorFor(principal, r), r.is_common, r.extension_deadline !== null),
    evidenceWarnings: r.evidence_warnings ?? [],
    ...flagsView(r.flag_rows ?? []),
  };
}

/** The stage a standing ticket is at, or null (another class, or every stage closed out). */
function currentStage(r: TicketRow): number | null {
  return standingStage(r.rectification_class, r.milestones)?.index ?? null;
}
