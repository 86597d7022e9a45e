import type { ScoreBreakdown } from '@app/assessment';
import type { Period } from '../calendar/period';
import type { ChecklistItem } from '../self-check/self-check.service';
import type { TaskView } from '../tasks/task-list.service';
import type { OpenTicket } from '@app/tickets';

/**
 * The data each step writes for each kind of output, and that the documents lib reads to issue
 * its document: one declared type per kind, so a renamed field fails to compile instead of
 * blanking a cell of an immutable document.
 */
export interface UnitRefData {
  id: string;
  name: string;
}

/** 任务清单 of one team. */
export interface TaskListData {
  taskListId: string;
  title: string;
  team: UnitRefData;
  tasks: TaskView[];
}

/** 自查报告 of one team (filed or not). */
export interface SelfCheckReportData {
  team: UnitRefData;
  filed: boolean;
  onTime: boolean;
  filedAt: string | null;
  summary: string | null;
  /** Every item with its note, null when none was written (templates read every field). */
  checklist: Array<Omit<ChecklistItem, 'note'> & { note: string | null }>;
  problems: Array<{ code: string; title: string }>;
}

/** 问题整改清单: every open ticket, with what it is missing (责任人, 整改时限, 整改措施). */
export interface RectificationListData {
  township: UnitRefData;
  period: Period;
  items: Array<OpenTicket & { missing: string[] }>;
}

/** One team's line of the progress list. */
export interface ProgressRow {
  team: UnitRefData & { kind: 'village' | 'office' };
  tasks: { total: number; done: number; completion: number };
  tickets: { opened: number; closed: number; closedOnTime: number; overdue: number; returned: number };
  selfCheck: 'on_time' | 'late' | 'missing';
  nextMonth: Array<{ title: string; indicator: string | null; target: number | null; measure_unit: string | null; deadline: string }>;
  rank: number;
  score: number;
}

/** 工作进度清单 and the month's ranking. */
export interface ProgressListData {
  township: UnitRefData;
  period: Period;
  rows: ProgressRow[];
  ranking: Array<{ unitId: string; unitName: string; score: number; rank: number; breakdown: ScoreBreakdown }>;
}

/** What the bulletin says of a team it praises or criticises; the documents lib words it. */
export interface BulletinTeamFacts {
  tasks: { total: number; completion: number };
  closedOut: number;
  closedOnTime: number;
  overdue: number;
  /** Overdue by more than the bulletin's limit (bulletin.yaml overdueDaysLimit). */
  overdueBeyondLimit: number;
  returned: number;
  selfCheck: 'on_time' | 'late' | 'missing';
}

/** A team the bulletin praises or criticises, and the facts behind it. */
export interface BulletinTeam {
  unitId: string;
  unitName: string;
  score: number;
  rank: number;
  facts: BulletinTeamFacts;
}

/** The facts of the bulletin's 存在问题, worded by the documents lib. */
export interface BulletinProblemFacts {
  /** Teams that filed no self-check. */
  missingSelfCheck: string[];
  overdue: { tickets: number; teams: number };
  /** Teams whose task completion is below `thresholds.lowTaskCompletion`. */
  lowTaskCompletion: string[];
  /** Close-outs of the month made after their deadline. */
  lateCloseOuts: number;
  /** Problems found this month that repeat one closed before (屡查屡犯), with the codes repeated. */
  repeats?: Array<{ team: string; code: string; title: string; repeatOf: string[] }>;
  /** Teams whose self-check did not list problems supervision or patrol found this month (自查不实). */
  selfCheckMissed?: Array<{ team: string; codes: string[] }>;
  /** Close-outs of the month over evidence warned duplicate, near duplicate or taken before the ticket (纸面销号). */
  paperCloseOuts?: Array<{ team: string; code: string; title: string; warnings: string[] }>;
}

/** The figures of the bulletin's 基本情况. */
export interface BulletinFigures {
  teams: number;
  ticketsFound: number;
  ticketsClosed: number;
  ticketsClosedOnTime: number;
  overdue: number;
  tasks: number;
  tasksDone: number;
  selfChecksFiled: number;
  yearFound: number;
  yearClosed: number;
  /** The close-out rate of the tickets found this year (closeOutRate). */
  yearClosureRate: number;
}

/** A team's close-out rate of the month: of the tickets it found, the share closed out. */
export interface CloseOutRateRow {
  unitId: string;
  unitName: string;
  found: number;
  closed: number;
  cancelled: number;
  rate: number;
}

/** 督查通报. */
export interface BulletinData {
  township: UnitRefData;
  period: Period;
  issuer: string;
  figures: BulletinFigures;
  praised: BulletinTeam[];
  criticised: BulletinTeam[];
  problems: BulletinProblemFacts;
  /** The limits the facts were judged by. */
  thresholds: { overdueDaysLimit: number; lowTaskCompletion: number };
  nextSteps: string[];
  closeOutRates: CloseOutRateRow[];
}

/** 考评清单. */
export interface EvaluationListData {
  township: UnitRefData;
  period: Period;
  rows: Array<{
    unitId: string;
    unitName: string;
    rank: number;
    score: number;
    grade: string;
    breakdown: ScoreBreakdown;
    praised: boolean;
    criticised: boolean;
    /** The month's repeat problems, problems the self-check missed and suspect close-outs. */
    integrity?: { repeats: number; selfCheckMissed: number; paperCloseOuts: number };
  }>;
}

export interface OutputData {
  task_list: TaskListData;
  self_check_report: SelfCheckReportData;
  rectification_list: RectificationListData;
  progress_list: ProgressListData;
  bulletin: BulletinData;
  evaluation_list: EvaluationListData;
}

export type OutputKind = keyof OutputData;

export const OUTPUT_KINDS: readonly OutputKind[] = [
  'task_list',
  'self_check_report',
  'rectification_list',
  'progress_list',
  'bulletin',
  'evaluation_list',
];
