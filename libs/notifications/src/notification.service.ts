import { Inject, Injectable } from '@nestjs/common';
import { Clock, Forbidden, NotFound, OutboundAddressPolicy, Principal, SecretBox, ValidationFailed } from '@app/platform';
import { UnitRef, Units, UnitSql } from '@app/org';
import { DataSource, EntityManager } from 'typeorm';

export type Audience = 'user' | 'members' | 'leaders';

export interface NewNotification {
  /** Makes the notification idempotent: the same key is written once, ever. */
  dedupeKey: string;
  kind: string;
  title: string;
  body: string;
  link?: string;
  data?: Record<string, unknown>;
  unitId?: string;
  audience: Audience;
  userId?: string;
}

export interface NotificationView {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  data: Record<string, unknown> | null;
  unitId: string | null;
  unitName: string | null;
  audience: Audience;
  createdAt: string;
  read: boolean;
}

export interface WebhookView {
  unitId: string;
  url: string;
  style: 'wecom' | 'dingtalk';
  enabled: boolean;
  /** Whether a DingTalk 加签 secret is kept (the secret itself is never returned). */
  signed: boolean;
}

/** A webhook as set: `secret` undefined keeps the one kept, empty removes it. */
export interface WebhookInput {
  url: string;
  style: 'wecom' | 'dingtalk';
  enabled: boolean;
  secret?: string;
}

/**
 * The in-app inbox (站内通知). A notification goes to a user, or to a unit's members or leaders;
 * where the unit has a webhook, a delivery is queued in the same transaction (the outbox).
 */
@Injectable()
export class NotificationService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly addresses: OutboundAddressPolicy,
    private readonly secrets: SecretBox,
  ) {}

  /**
   * Writes a notification unless its dedupe key exists. Returns the webhook deliveries created,
   * for the caller to enqueue after commit.
   */
  async notify(m: EntityManager, n: NewNotification): Promise<{ id?: string; deliveries: string[] }> {
    const now = this.clock.now();
    const [row] = await m.query<Array<{ id: string }>>(
      `INSERT INTO notification (user_id, unit_id, audience, kind, title, body, link, data, dedupe_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [
        n.userId ?? null,
        n.unitId ?? null,
        n.audience,
        n.kind,
        n.title,
        n.body,
        n.link ?? null,
        n.data ? JSON.stringify(n.data) : null,
        n.dedupeKey,
        now,
      ],
    );
    if (!row || !n.unitId) return { id: row?.id, deliveries: [] };
    const content = `【${n.title}】\n${n.body}`;
    const deliveries = await m.query<Array<{ id: string }>>(
      `INSERT INTO webhook_delivery (notification_id, unit_id, url, payload, state, created_at)
       SELECT $1, w.unit_id, w.url, jsonb_build_object('msgtype', 'text', 'text', jsonb_build_object('content', $3::text)), 'pending', $4
         FROM unit_webhook w WHERE w.unit_id = $2 AND w.enabled
       ON CONFLICT ON CONSTRAINT webhook_delivery_once DO NOTHING RETURNING id`,
      [row.id, n.unitId, content, now],
    );
    return { id: row.id, deliveries: deliveries.map((d) => d.id) };
  }

  /** Notifications the principal receives: its own, and those of the units it belongs to. */
  private visibleSql(principal: Principal, first: number): { sql: string; params: unknown[] } {
    const units = principal.scope.grants.filter((g) => g.unitId).map((g) => g.unitId!);
    const leading = principal.scope.grants.filter((g) => g.unitId && (g.role === 'leader' || g.role === 'admin')).map((g) => g.unitId!);
    return {
      sql: `(n.user_id = $${first} OR (n.audience = 'members' AND n.unit_id = ANY($${first + 1}::uuid[]))
             OR (n.audience = 'leaders' AND n.unit_id = ANY($${first + 2}::uuid[])))`,
      params: [principal.userId, [...new Set(units)], [...new Set(leading)]],
    };
  }

  async list(principal: Principal, q: { unread?: boolean; page: number; pageSize: number }) {
    const v = this.visibleSql(principal, 1);
    const params = [...v.params, principal.userId, q.pageSize, (q.page - 1) * q.pageSize];
    const unread = q.unread ? 'AND r.read_at IS NULL' : '';
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT n.*, u.name AS unit_name, r.read_at, count(*) OVER () AS total,
              count(*) FILTER (WHERE r.read_at IS NULL) OVER () AS unread_total
         FROM notification n
         ${UnitSql.join('u', 'n.unit_id', 'LEFT JOIN')}
         LEFT JOIN notification_read r ON r.notification_id = n.id AND r.user_id = $4
        WHERE ${v.sql} ${unread}
        ORDER BY n.created_at DESC, n.id
        LIMIT $5 OFFSET $6`,
      params,
    );
    const items: NotificationView[] = rows.map((r) => ({
      id: r.id as string,
      kind: r.kind as string,
      title: r.title as string,
      body: r.body as string,
      link: (r.link as string) ?? null,
      data: (r.data as Record<string, unknown>) ?? null,
      unitId: (r.unit_id as string) ?? null,
      unitName: (r.unit_name as string) ?? null,
      audience: r.audience as Audience,
      createdAt: new Date(r.created_at as string).toISOString(),
      read: r.read_at !== null,
    }));
    const total = rows.length ? Number(rows[0].total) : 0;
    return { items, total, unread: rows.length ? Number(rows[0].unread_total) : 0, page: q.page, pageSize: q.pageSize };
  }

  async markRead(principal: Principal, id: string): Promise<void> {
    const v = this.visibleSql(principal, 2);
    const [row] = await this.db.query<Array<{ id: string }>>(`SELECT n.id FROM notification n WHERE n.id = $1 AND ${v.sql}`, [
      id,
      ...v.params,
    ]);
    if (!row) throw new NotFound('Notification', id);
    await this.db.query(`INSERT INTO notification_read (notification_id, user_id, read_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
      id,
      principal.userId,
      this.clock.now(),
    ]);
  }

  async markAllRead(principal: Principal): Promise<number> {
    const v = this.visibleSql(principal, 1);
    const rows = await this.db.query<Array<{ notification_id: string }>>(
      `INSERT INTO notification_read (notification_id, user_id, read_at)
       SELECT n.id, $4, $5 FROM notification n WHERE ${v.sql}
       ON CONFLICT DO NOTHING RETURNING notification_id`,
      [...v.params, principal.userId, this.clock.now()],
    );
    return rows.length;
  }

  private async manageableUnit(principal: Principal, unitId: string): Promise<UnitRef> {
    const unit = await Units.byId(this.db, unitId);
    if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', unitId);
    if (!principal.scope.hasRoleOver(unit, 'leader', 'admin'))
      throw new Forbidden('Only a leader or administrator can set the unit’s webhook');
    return unit;
  }

  async getWebhook(principal: Principal, unitId: string): Promise<WebhookView | null> {
    await this.manageableUnit(principal, unitId);
    const [row] = await this.db.query<
      Array<{ unit_id: string; url: string; style: 'wecom' | 'dingtalk'; enabled: boolean; signed: boolean }>
    >(`SELECT unit_id, url, style, enabled, secret_sealed IS NOT NULL AS signed FROM unit_webhook WHERE unit_id = $1`, [unitId]);
    return row ? { unitId: row.unit_id, url: row.url, style: row.style, enabled: row.enabled, signed: row.signed } : null;
  }

  async setWebhook(principal: Principal, unitId: string, w: WebhookInput): Promise<WebhookView> {
    await this.manageableUnit(principal, unitId);
    let url: URL;
    try {
      url = new URL(w.url);
    } catch {
      throw ValidationFailed.field('url', 'must be an http(s) URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw ValidationFailed.field('url', 'must be an http(s) URL');
    // A name that does not resolve yet is accepted; the sender checks it again before each message.
    const verdict = await this.addresses.check(url.toString());
    if (!verdict.ok) throw ValidationFailed.field('url', verdict.reason);
    if (w.secret && w.style !== 'dingtalk') throw ValidationFailed.field('secret', 'only DingTalk robots sign their requests (加签)');
    const sealed = w.secret ? await this.secrets.seal(w.secret) : null;
    const [row] = await this.db.query<Array<{ signed: boolean }>>(
      `INSERT INTO unit_webhook (unit_id, url, style, enabled, updated_at, secret_sealed) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (unit_id) DO UPDATE SET url = $2, style = $3, enabled = $4, updated_at = $5,
         secret_sealed = CASE WHEN $7 THEN unit_webhook.secret_sealed ELSE $6 END
       RETURNING secret_sealed IS NOT NULL AS signed`,
      [unitId, url.toString(), w.style, w.enabled, this.clock.now(), sealed, w.secret === undefined && w.style === 'dingtalk'],
    );
    return { unitId, url: url.toString(), style: w.style, enabled: w.enabled, signed: row.signed };
  }

  async removeWebhook(principal: Principal, unitId: string): Promise<void> {
    await this.manageableUnit(principal, unitId);
    await this.db.query(`DELETE FROM unit_webhook WHERE unit_id = $1`, [unitId]);
  }
}
