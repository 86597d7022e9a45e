import { Inject, Injectable } from '@nestjs/common';
import {
  Clock,
  Forbidden,
  IdempotencyStore,
  IllegalTransition,
  Principal,
  requestHash,
  sqlLocalDay,
  ValidationFailed,
} from '@app/platform';
import { NewNotification, NotificationService, WebhookOutbox } from '@app/notifications';
import { DataSource, EntityManager } from 'typeorm';
import { Action, closedOnTime, decide, sqlClosedOnTime, standingStage, Status } from '../domain/ticket-state';
import { actorFor } from './ticket-access';
import { CategoryList } from './category-list';
import { approvalOverWarnings, checkBeforeAfter } from './close-out-rules';
import { TicketDetail, TicketService } from './ticket.service';
import { TicketRow } from './ticket-view';

export interface TransitionRequest {
  action: Action;
  comment?: string;
  reason?: string;
  evidenceIds?: string[];
  deadline?: string;
}

/**
 * Applies an action of the close-out workflow to a ticket. The ticket row is locked for the
 * change, so of two concurrent changes exactly one applies and the other finds the new state
 * (a 409 naming what is allowed now). Every change is recorded in the history, and the parent
 * of a common problem follows its children.
 */
@Injectable()
export class TransitionService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly tickets: TicketService,
    private readonly idempotency: IdempotencyStore,
    private readonly notifications: NotificationService,
    private readonly outbox: WebhookOutbox,
    private readonly categories: CategoryList,
  ) {}

  /**
   * With `idempotencyKey` (a phone resending what it queued offline), a request that already
   * applied answers with the ticket as it is now and changes nothing. The key covers the action
   * and its words; the evidence a submission attaches is whatever the ticket holds.
   */
  async apply(principal: Principal, id: string, req: TransitionRequest, options: { idempotencyKey?: string } = {}): Promise<TicketDetail> {
    const key = options.idempotencyKey;
    const scope = `transition:${id}`;
    const hash = requestHash(req.action, req.comment ?? '', req.reason ?? '', req.deadline ?? '');
    const deliveries: string[] = [];
    await this.db.transaction(async (m) => {
      if (key && (await this.idempotency.claim(m, principal.userId, scope, key, hash))) return;
      const t = await this.tickets.readable(m, principal, id, true);
      const actor = actorFor(principal, t);
      const evidenceCount = req.evidenceIds?.length
        ? (
            await m.query<Array<{ n: number }>>(
              `SELECT count(*)::int AS n FROM ticket_evidence WHERE ticket_id = $1 AND id = ANY($2::uuid[])`,
              [id, req.evidenceIds],
            )
          )[0].n
        : 0;
      if (req.evidenceIds?.length && evidenceCount !== new Set(req.evidenceIds).size) {
        throw ValidationFailed.field('evidenceIds', 'name evidence uploaded to this ticket');
      }
      const stage = standingStage(t.rectification_class, t.milestones);
      const d = decide(
        t.status,
        req.action,
        actor,
        {
          comment: req.comment,
          reason: req.reason,
          evidenceCount,
          deadline: req.deadline,
          currentDeadline: t.deadline,
          today: t.today,
          stagesLeft: stage?.left ?? 0,
          extensionPending: t.extension_deadline !== null,
        },
        t.is_common,
      );
      if (!d.ok) {
        if (d.kind === 'illegal') throw new IllegalTransition(d.message, d.allowed, { status: t.status });
        if (d.kind === 'forbidden') throw new Forbidden(d.message, d.reason ? { reason: d.reason } : undefined);
        throw ValidationFailed.field(d.field, d.message);
      }
      await checkBeforeAfter(m, t, req, this.categories);
      await this.write(m, t, req, d.to, principal, stage?.index, approvalOverWarnings(t, req));
      if (t.parent_id) await this.followParent(m, t.parent_id, principal);
      const told = closeOutNotice(t, req, principal.displayName);
      if (told) deliveries.push(...(await this.notifications.notify(m, told)).deliveries);
      if (key) await this.idempotency.complete(m, principal.userId, scope, key, { applied: req.action });
    });
    await this.outbox.enqueue(deliveries);
    return this.tickets.get(principal, id);
  }

  /** `stage`: the open stage of a standing ticket, which an approval closes out. */
  private async write(
    m: EntityManager,
    t: TicketRow,
    req: TransitionRequest,
    to: Status,
    principal: Principal,
    stage?: number,
    approval?: Record<string, unknown>,
  ): Promise<void> {
    const now = this.clock.now();
    const sets = ['status = $2', 'version = version + 1', 'updated_at = $3'];
    const params: unknown[] = [t.id, to, now];
    const set = (sql: string, value?: unknown) => {
      if (value !== undefined) params.push(value);
      sets.push(value !== undefined ? sql.replace('?', `$${params.length}`) : sql);
    };
    let stageData: Record<string, unknown> = {};
    switch (req.action) {
      case 'approve':
        if (stage !== undefined) {
          const s = t.milestones[stage];
          const onTime = closedOnTime(s.date, t.today);
          const milestones = t.milestones.map((x, i) => (i === stage ? { ...x, closedAt: now.toISOString(), closedOnTime: onTime } : x));
          set('milestones = ?::jsonb', JSON.stringify(milestones));
          stageData = { stage: { index: stage, title: s.title, date: s.date, onTime, of: t.milestones.length } };
        }
        if (to === 'closed') {
          // On time is judged against the deadline in force: an approved extension's, not the original.
          set('closed_at = ?', now);
          set('closed_on_time = ?', closedOnTime(t.deadline, t.today));
          set('verified_by = ?', principal.userId);
        }
        break;
      case 'return':
        set('returned_count = returned_count + 1');
        break;
      case 'start':
        set('started_by = coalesce(started_by, ?::uuid)', principal.userId);
        break;
      case 'submit':
        set('submitted_by = ?::uuid', principal.userId);
        break;
      case 'request_extension':
        set('extension_deadline = ?::date', req.deadline);
        set('extension_reason = ?', req.reason?.trim());
        set('extension_requested_by = ?::uuid', principal.userId);
        set('extension_requested_at = ?', now);
        break;
      case 'approve_extension':
        set('deadline = extension_deadline');
        set('original_deadline = coalesce(original_deadline, deadline)');
        set('extension_deadline = NULL, extension_reason = NULL, extension_requested_by = NULL, extension_requested_at = NULL');
        break;
      case 'reject_extension':
        set('extension_deadline = NULL, extension_reason = NULL, extension_requested_by = NULL, extension_requested_at = NULL');
        break;
      case 'reopen':
        set('closed_at = NULL');
        set('closed_on_time = NULL');
        set('verified_by = NULL');
        break;
      case 'extend':
        set('deadline = ?', req.deadline);
        // The original deadline stays beside every extension.
        set('original_deadline = coalesce(original_deadline, deadline)');
        break;
      case 'cancel':
        set('extension_deadline = NULL, extension_reason = NULL, extension_requested_by = NULL, extension_requested_at = NULL');
        break;
      default: {
        const unreachable: never = req.action;
        throw new Error(`unknown action ${String(unreachable)}`);
      }
    }
    const comment = req.comment?.trim() || req.reason?.trim() || null;
    const data: Record<string, unknown> = {};
    if (req.evidenceIds?.length) data.evidenceIds = req.evidenceIds;
    if (req.reason) data.reason = req.reason.trim();
    if (req.action === 'approve' && to === 'closed') data.onTime = closedOnTime(t.deadline, t.today);
    Object.assign(data, stageData, approval);
    if (req.action === 'extend') Object.assign(data, { from: t.deadline, to: req.deadline });
    if (req.action === 'request_extension') Object.assign(data, { deadline: req.deadline, currentDeadline: t.deadline });
    if (req.action === 'approve_extension' || req.action === 'reject_extension') {
      Object.assign(data, { requested: t.extension_deadline, requestReason: t.extension_reason, requestedBy: t.extension_requested_by });
    }
    if (req.action === 'approve_extension') {
      // The original deadline stays beside every approved one.
      Object.assign(data, { from: t.deadline, to: t.extension_deadline, originalDeadline: t.original_deadline ?? t.deadline });
    }
    const kind = req.action === 'extend' || req.action === 'approve_extension' ? 'deadline_changed' : 'transition';
    await this.changeAndRecord(m, sets, params, { kind, action: req.action, from: t.status, to, principal, comment, data });
  }

  /**
   * The ticket's change (`sets`, over `params` whose $1 is the ticket's id) and its history entry,
   * written by one statement: one round trip, and no entry without its change.
   */
  private async changeAndRecord(
    m: EntityManager,
    sets: readonly string[],
    params: readonly unknown[],
    e: {
      kind: string;
      action: string | null;
      from: Status;
      to: Status;
      principal: Principal | null;
      comment: string | null;
      data: Record<string, unknown>;
    },
  ): Promise<void> {
    const all = [...params];
    const value = (v: unknown, type: string) => {
      all.push(v);
      return `$${all.length}::${type}`;
    };
    const entry = [
      value(e.kind, 'text'),
      value(e.action, 'text'),
      value(e.from, 'text'),
      value(e.to, 'text'),
      value(e.principal?.userId ?? null, 'uuid'),
      value(e.principal?.displayName ?? '系统', 'text'),
      value(e.comment, 'text'),
      value(Object.keys(e.data).length ? JSON.stringify(e.data) : null, 'jsonb'),
      value(this.clock.now(), 'timestamptz'),
    ];
    await m.query(
      `WITH changed AS (UPDATE ticket SET ${sets.join(', ')} WHERE id = $1 RETURNING id)
       INSERT INTO ticket_event (ticket_id, kind, action, from_status, to_status, actor_id, actor_name, comment, data, at)
       SELECT id, ${entry.join(', ')} FROM changed`,
      all,
    );
  }

  /**
   * The parent of a common problem closes when every child is closed or cancelled (cancelled
   * when all were cancelled), and goes back in progress when a child reopens.
   */
  private async followParent(m: EntityManager, parentId: string, principal: Principal): Promise<void> {
    const [parent] = await m.query<Array<{ status: Status }>>(`SELECT status FROM ticket WHERE id = $1 FOR UPDATE`, [parentId]);
    const [c] = await m.query<Array<{ total: number; closed: number; cancelled: number }>>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'closed')::int AS closed, count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled
         FROM ticket WHERE parent_id = $1`,
      [parentId],
    );
    const now = this.clock.now();
    const allDone = c.total > 0 && c.closed + c.cancelled === c.total;
    let to: Status | undefined;
    if (allDone && parent.status !== 'closed' && parent.status !== 'cancelled') to = c.closed ? 'closed' : 'cancelled';
    else if (!allDone && parent.status === 'closed') to = 'in_progress';
    if (!to) return;
    await this.changeAndRecord(
      m,
      [
        'status = $2',
        `closed_at = CASE WHEN $2 = 'closed' THEN $3::timestamptz END`,
        `closed_on_time = CASE WHEN $2 = 'closed' THEN ${sqlClosedOnTime('deadline', sqlLocalDay('$3', 'unit_tz'))} END`,
        'version = version + 1',
        'updated_at = $3',
      ],
      [parentId, to, now],
      {
        kind: 'auto_transition',
        action: null,
        from: parent.status,
        to,
        principal: null,
        comment: to === 'in_progress' ? '一项子问题重新整改' : '所有单位均已销号或撤销',
        data: { triggeredBy: principal.userId },
      },
    );
  }
}

/**
 * What the owner team is told when a verifier decides its close-out: returned (with the reason)
 * or approved. Keyed by the ticket's version before the decision, so each decision is told once.
 */
export function closeOutNotice(
  t: Pick<TicketRow, 'id' | 'code' | 'title' | 'unit_id' | 'version'>,
  req: Pick<TransitionRequest, 'action' | 'reason' | 'comment'>,
  verifier: string,
): NewNotification | undefined {
  const base = { unitId: t.unit_id, audience: 'members' as const, link: `/tickets/${t.id}`, data: { ticketId: t.id } };
  if (req.action === 'return') {
    return {
      ...base,
      dedupeKey: `close-out:${t.id}:${t.version}:returned`,
      kind: 'close_out_returned',
      title: `销号申请被退回：${t.code}`,
      body: `${t.title}。${verifier}退回，理由：${req.reason ?? ''}`,
    };
  }
  if (req.action === 'approve') {
    return {
      ...base,
      dedupeKey: `close-out:${t.id}:${t.version}:approved`,
      kind: 'close_out_approved',
      title: `已核验销号：${t.code}`,
      body: `${t.title}。${verifier}核验通过${req.comment ? `：${req.comment}` : '。'}`,
    };
  }
  return undefined;
}
