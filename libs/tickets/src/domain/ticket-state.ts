import { sqlLocalDay } from '@app/platform';
import { FourEyesFacts, fourEyes, FourEyesReason } from './four-eyes';

/** The states of a ticket (API.md). */
export const STATUSES = ['open', 'in_progress', 'pending_review', 'closed', 'cancelled'] as const;
export type Status = (typeof STATUSES)[number];

/**
 * Each state's Chinese name, the one the console, the documents and the spreadsheets all show.
 * A close-out waits for 核验 (verification by someone outside the owner unit).
 */
export const STATUS_NAMES: Record<Status, string> = {
  open: '待整改',
  in_progress: '整改中',
  pending_review: '待核验',
  closed: '已销号',
  cancelled: '已撤销',
};

/** The actions of the close-out workflow (销号). */
export const ACTIONS = [
  'start',
  'submit',
  'approve',
  'return',
  'reopen',
  'cancel',
  'extend',
  'request_extension',
  'approve_extension',
  'reject_extension',
] as const;
export type Action = (typeof ACTIONS)[number];

/** A ticket is active (still to be rectified) until it is closed out or cancelled. */
export const ACTIVE_STATUSES: readonly Status[] = ['open', 'in_progress', 'pending_review'];

export function isActive(status: Status): boolean {
  return ACTIVE_STATUSES.includes(status);
}

/**
 * Overdue: active and past its deadline in the owner unit's time zone (`today` is that unit's
 * local day, YYYY-MM-DD). `sqlOverdue` is the same rule in SQL.
 */
export function isOverdue(status: Status, deadline: string | null, today: string): boolean {
  return isActive(status) && deadline !== null && deadline < today;
}

/** SQL for "the status column holds an active state", from ACTIVE_STATUSES. */
export function sqlActive(status = 't.status'): string {
  return `${status} IN (${ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`;
}

/** SQL for `isOverdue`: `today` is a date expression (the unit's local day, see sqlLocalDay). */
export function sqlOverdue(today: string, t = 't'): string {
  return `(${sqlActive(`${t}.status`)} AND ${t}.deadline < ${today})`;
}

/**
 * `sqlOverdue` for tickets each judged in its own unit's zone at the instant `now` (a timestamptz
 * expression such as `$1`). The deadline is first held against two constants, each computed once
 * for the statement: the latest local day anywhere (UTC+14) and the earliest (UTC−12). So the
 * deadline index narrows the rows, and only the deadlines between the two (a day or two) are held
 * against their unit's own day.
 */
export function sqlOverdueAt(now: string, t = 't'): string {
  const day = (zone: string) => sqlLocalDay(now, zone);
  return (
    `(${sqlActive(`${t}.status`)} AND ${t}.deadline < ${day(`'Etc/GMT-14'`)}` +
    ` AND (${t}.deadline < ${day(`'Etc/GMT+12'`)} OR ${t}.deadline < ${day(`${t}.unit_tz`)}))`
  );
}

/**
 * SQL for the first day of the month that holds the earliest local day on Earth (UTC−12) at the
 * instant `now`. Every deadline before it is past in every zone, so an active ticket with such a
 * deadline is overdue wherever it is (`sqlOverdueAt` holds for it): a subtree's overdue count
 * adds the per-month counts of active tickets before this day to the overdue ones after it.
 */
export function sqlPastEverywhereBefore(now: string): string {
  return `date_trunc('month', ${sqlLocalDay(now, `'Etc/GMT+12'`)})::date`;
}

/**
 * A close-out is on time (按期销号) when it is accepted on or before the deadline, in the owner
 * unit's local days; a ticket without a deadline is always on time.
 */
export function closedOnTime(deadline: string | null, closedDay: string): boolean {
  return !deadline || closedDay <= deadline;
}

/** SQL for `closedOnTime`, over a deadline column and a date expression. */
export function sqlClosedOnTime(deadline: string, closedDay: string): string {
  return `(${deadline} IS NULL OR ${closedDay} <= ${deadline})`;
}

/**
 * How the actor stands to the ticket, from its memberships:
 * - `owner`: a member or leader of the owner unit itself (the team that rectifies);
 * - `leader`: a leader of the owner unit or of a unit above it;
 * - `ancestorLeader`: a leader of a unit above the owner unit (outside it);
 * - `inspector`: an inspector whose scope covers the owner unit;
 * - `admin`: an administrator over the owner unit.
 */
export interface Actor {
  owner: boolean;
  leader: boolean;
  ancestorLeader: boolean;
  inspector: boolean;
  admin: boolean;
  /** How the actor stands to four eyes on this ticket; absent, nothing stands in the way. */
  fourEyes?: FourEyesFacts;
}

interface Rule {
  from: readonly Status[];
  to: Status | 'same';
  may: (a: Actor) => boolean;
  /** What the action needs besides permission. */
  needs: Array<'comment' | 'evidence' | 'reason' | 'deadline'>;
  /** Whether the action needs an extension request pending (true) or none pending (false). */
  pending?: boolean;
}

/** A verifier is someone outside the owner unit: an inspector in scope, a leader above it, or an admin. */
const verifier = (a: Actor) => !a.owner && (a.inspector || a.ancestorLeader || a.admin);
const team = (a: Actor) => a.owner || a.leader || a.admin;
const leaderOrAdmin = (a: Actor) => a.leader || a.admin;
const leaderOrInspector = (a: Actor) => a.leader || a.inspector || a.admin;

export const RULES: Record<Action, Rule> = {
  start: { from: ['open'], to: 'in_progress', may: team, needs: [] },
  submit: { from: ['in_progress'], to: 'pending_review', may: team, needs: ['evidence', 'comment'] },
  approve: { from: ['pending_review'], to: 'closed', may: verifier, needs: [] },
  return: { from: ['pending_review'], to: 'in_progress', may: verifier, needs: ['reason'] },
  reopen: { from: ['closed'], to: 'in_progress', may: (a) => !a.owner && (a.inspector || a.ancestorLeader || a.admin), needs: ['reason'] },
  cancel: { from: ['open', 'in_progress', 'pending_review'], to: 'cancelled', may: leaderOrAdmin, needs: ['reason'] },
  extend: { from: ACTIVE_STATUSES, to: 'same', may: leaderOrAdmin, needs: ['reason', 'deadline'] },
  request_extension: { from: ACTIVE_STATUSES, to: 'same', may: team, needs: ['reason', 'deadline'], pending: false },
  approve_extension: { from: ACTIVE_STATUSES, to: 'same', may: leaderOrInspector, needs: [], pending: true },
  reject_extension: { from: ACTIVE_STATUSES, to: 'same', may: leaderOrInspector, needs: ['reason'], pending: true },
};

/** Actions that certify something, so four eyes apply. */
const CERTIFYING = { approve: true, approve_extension: true } as const;
const certifying = (a: Action): a is keyof typeof CERTIFYING => a in CERTIFYING;

/** The parent of a common problem closes by itself; people may only cancel or extend it. */
const PARENT_ACTIONS: readonly Action[] = ['cancel', 'extend'];

/**
 * A milestone (时间节点) of a ticket. A standing ticket's (长期坚持) milestones are its stages:
 * each is closed out in turn, and the ticket closes with the last.
 */
export interface Milestone {
  date: string;
  title: string;
  /** When a verifier accepted this stage, and whether by its date. */
  closedAt?: string;
  closedOnTime?: boolean;
}

/** A stage as it is planned, before any close-out. */
export type PlannedMilestone = Pick<Milestone, 'date' | 'title'>;

/** The index of the first stage not yet closed out, or -1 when none is left. */
export function openStage(milestones: readonly Milestone[]): number {
  return milestones.findIndex((m) => !m.closedAt);
}

/**
 * The stage a standing ticket (长期坚持) is at and how many stages are left with it, or null for
 * another class or when every stage is closed out. Stages close in order, so those left are the
 * open one and the ones after it.
 */
export function standingStage(rectificationClass: string, milestones: readonly Milestone[]): { index: number; left: number } | null {
  if (rectificationClass !== 'standing') return null;
  const index = openStage(milestones);
  return index < 0 ? null : { index, left: milestones.length - index };
}

/** Why a ticket's milestones do not fit its deadline, or null when they do. */
export function milestoneProblem(milestones: readonly Milestone[], deadline: string): string | null {
  for (let i = 0; i < milestones.length; i++) {
    if (milestones[i].date > deadline) return `milestone ${i + 1} (${milestones[i].date}) falls after the deadline ${deadline}`;
    if (i > 0 && milestones[i].date < milestones[i - 1].date)
      return `milestone ${i + 1} comes before milestone ${i}: list them in date order`;
  }
  return null;
}

export interface TransitionInput {
  comment?: string;
  reason?: string;
  evidenceCount: number;
  /** The new deadline of `extend`, and the ticket's current one and today, as YYYY-MM-DD. */
  deadline?: string;
  currentDeadline?: string | null;
  today: string;
  /** Stages of a standing ticket not yet closed out, the one under review included. */
  stagesLeft?: number;
  /** Whether an extension request (延期申请) waits for a decision. */
  extensionPending?: boolean;
}

export type Decision =
  | { ok: true; to: Status }
  | { ok: false; kind: 'illegal'; message: string; allowed: Action[] }
  | { ok: false; kind: 'forbidden'; message: string; reason?: FourEyesReason }
  | { ok: false; kind: 'invalid'; field: string; message: string };

const pendingFits = (rule: Rule, pending: boolean) => rule.pending === undefined || rule.pending === pending;
const fourEyesRefusal = (action: Action, actor: Actor) => (certifying(action) && actor.fourEyes ? fourEyes(actor.fourEyes, action) : null);

/** Actions the actor may take on a ticket in this state now. */
export function allowedActions(status: Status, actor: Actor, isCommonParent = false, extensionPending = false): Action[] {
  return ACTIONS.filter(
    (a) =>
      RULES[a].from.includes(status) &&
      pendingFits(RULES[a], extensionPending) &&
      RULES[a].may(actor) &&
      !fourEyesRefusal(a, actor) &&
      (!isCommonParent || PARENT_ACTIONS.includes(a)),
  );
}

const blank = (s?: string) => !s || !s.trim();

/**
 * The close-out state machine: whether `actor` may take `action` on a ticket in `status`, and
 * the state it leads to. An action the state does not allow is illegal (409, with the actions
 * allowed now); one the actor may not take is forbidden (403); a missing comment, reason,
 * evidence or deadline is invalid (400).
 */
export function decide(status: Status, action: Action, actor: Actor, input: TransitionInput, isCommonParent = false): Decision {
  const rule = RULES[action];
  const pending = input.extensionPending ?? false;
  if (!rule.from.includes(status) || (isCommonParent && !PARENT_ACTIONS.includes(action)) || !pendingFits(rule, pending)) {
    const why = !rule.from.includes(status)
      ? `a ${status} ticket cannot ${action}`
      : isCommonParent && !PARENT_ACTIONS.includes(action)
        ? 'a common problem closes when all its units have closed theirs'
        : pending
          ? 'an extension request already waits for a decision'
          : 'no extension request waits for a decision';
    return {
      ok: false,
      kind: 'illegal',
      message: `Cannot ${action}: ${why}`,
      allowed: allowedActions(status, actor, isCommonParent, pending),
    };
  }
  if (!rule.may(actor)) {
    const who: Record<Action, string> = {
      start: 'the owner team or its leaders',
      submit: 'the owner team or its leaders',
      approve: 'a verifier outside the owner unit (an inspector, or a leader above it)',
      return: 'a verifier outside the owner unit (an inspector, or a leader above it)',
      reopen: 'an inspector or a leader above the owner unit',
      cancel: 'a leader or an administrator',
      extend: 'a leader or an administrator',
      request_extension: 'the owner team or its leaders',
      approve_extension: 'a leader or an inspector over the owner unit',
      reject_extension: 'a leader or an inspector over the owner unit',
    };
    return { ok: false, kind: 'forbidden', message: `Only ${who[action]} can ${action} this ticket` };
  }
  const refusal = fourEyesRefusal(action, actor);
  if (refusal) return { ok: false, kind: 'forbidden', message: refusal.message, reason: refusal.reason };
  for (const need of rule.needs) {
    if (need === 'comment' && blank(input.comment))
      return { ok: false, kind: 'invalid', field: 'comment', message: 'explain what was done' };
    if (need === 'reason' && blank(input.reason))
      return { ok: false, kind: 'invalid', field: 'reason', message: `a reason is required to ${action}` };
    if (need === 'evidence' && input.evidenceCount < 1) {
      return {
        ok: false,
        kind: 'invalid',
        field: 'evidenceIds',
        message: 'attach at least one piece of evidence (佐证材料) of this ticket',
      };
    }
    if (need === 'deadline') {
      if (!input.deadline) return { ok: false, kind: 'invalid', field: 'deadline', message: 'the new deadline is required' };
      if (input.deadline < input.today)
        return { ok: false, kind: 'invalid', field: 'deadline', message: 'the new deadline is in the past' };
      if (action === 'request_extension' && input.currentDeadline && input.today > input.currentDeadline) {
        return {
          ok: false,
          kind: 'invalid',
          field: 'deadline',
          message: `an extension is asked for before the deadline ${input.currentDeadline}, not after it`,
        };
      }
      if (input.currentDeadline && input.deadline <= input.currentDeadline) {
        return {
          ok: false,
          kind: 'invalid',
          field: 'deadline',
          message: `must be later than the current deadline ${input.currentDeadline}`,
        };
      }
    }
  }
  // Approving a stage of a standing ticket closes out that stage; the ticket goes on to the next.
  if (action === 'approve' && (input.stagesLeft ?? 0) > 1) return { ok: true, to: 'in_progress' };
  return { ok: true, to: rule.to === 'same' ? status : rule.to };
}

/** The traffic light of a ticket: red when overdue, yellow when the deadline is near. */
export type Light = 'green' | 'yellow' | 'red' | 'none';

export function lightOf(status: Status, deadline: string | null, today: string, warningDays: number): Light {
  const left = daysLeft(status, deadline, today);
  if (left === null) return 'none';
  if (left < 0) return 'red';
  return left <= warningDays ? 'yellow' : 'green';
}

/** Whole days from `today` to `deadline` (both YYYY-MM-DD), negative when it has passed. */
function daysFromTo(today: string, deadline: string): number {
  return Math.round((Date.parse(`${deadline}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}

/** Days until an active ticket's deadline (0 on the day, negative past it); null without one. */
export function daysLeft(status: Status, deadline: string | null, today: string): number | null {
  return isActive(status) && deadline ? daysFromTo(today, deadline) : null;
}

/** Days past the deadline (0 when not overdue). */
export function daysOverdue(status: Status, deadline: string | null, today: string): number {
  return Math.max(0, -(daysLeft(status, deadline, today) ?? 0));
}
