import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Forbidden, Metrics, NotFound, Principal } from '@app/platform';
import { Units } from '@app/org';
import { DataSource } from 'typeorm';

export type DeliveryState = 'pending' | 'sending' | 'sent' | 'failed';

/** One message to a unit's robot as the delivery log shows it. */
export interface DeliveryView {
  id: string;
  notificationId: string;
  /** The notification's title. */
  title: string | null;
  /** The robot's host (the URL's key or access token stays out of the log). */
  host: string;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  sentAt: string | null;
}

export interface DeliveryLog {
  items: DeliveryView[];
  total: number;
  /** Deliveries of the unit by state, over the whole log. */
  counts: Record<DeliveryState, number>;
  page: number;
  pageSize: number;
}

interface DeliveryRow {
  id: string;
  notification_id: string;
  title: string | null;
  url: string;
  state: DeliveryState;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  last_attempt_at: Date | null;
  sent_at: Date | null;
  total: string;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/** The delivery log of a unit's robot webhook: what was sent, what waits, what failed and why. */
@Injectable()
export class WebhookDeliveries implements OnModuleInit {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly metrics: Metrics,
  ) {}

  /** `webhook_deliveries{state}`: every robot message by state; `failed` counts the failures. */
  onModuleInit(): void {
    this.metrics.gauge('webhook_deliveries', 'Robot webhook deliveries by state (pending, sending, sent, failed)', ['state'], async () => {
      const rows = await this.db.query<Array<{ state: string; n: string }>>(
        `SELECT state, count(*) AS n FROM webhook_delivery GROUP BY state`,
      );
      return rows.map((r) => ({ labels: { state: r.state }, value: Number(r.n) }));
    });
  }

  async list(principal: Principal, unitId: string, q: { state?: DeliveryState; page: number; pageSize: number }): Promise<DeliveryLog> {
    const unit = await Units.byId(this.db, unitId);
    if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', unitId);
    if (!principal.scope.hasRoleOver(unit, 'leader', 'admin'))
      throw new Forbidden('Only a leader or administrator can read the unit’s webhook deliveries');
    const rows = await this.db.query<DeliveryRow[]>(
      `SELECT d.id, d.notification_id, n.title, d.url, d.state, d.attempts, d.last_error, d.created_at, d.last_attempt_at, d.sent_at,
              count(*) OVER () AS total
         FROM webhook_delivery d LEFT JOIN notification n ON n.id = d.notification_id
        WHERE d.unit_id = $1 AND ($2::text IS NULL OR d.state = $2)
        ORDER BY d.created_at DESC, d.id
        LIMIT $3 OFFSET $4`,
      [unitId, q.state ?? null, q.pageSize, (q.page - 1) * q.pageSize],
    );
    const byState = await this.db.query<Array<{ state: DeliveryState; n: string }>>(
      `SELECT state, count(*) AS n FROM webhook_delivery WHERE unit_id = $1 GROUP BY state`,
      [unitId],
    );
    const counts: Record<DeliveryState, number> = { pending: 0, sending: 0, sent: 0, failed: 0 };
    for (const r of byState) counts[r.state] = Number(r.n);
    return {
      items: rows.map((r) => ({
        id: r.id,
        notificationId: r.notification_id,
        title: r.title,
        host: hostOf(r.url),
        state: r.state,
        attempts: r.attempts,
        lastError: r.last_error,
        createdAt: iso(r.created_at)!,
        lastAttemptAt: iso(r.last_attempt_at),
        sentAt: iso(r.sent_at),
      })),
      total: rows.length ? Number(rows[0].total) : 0,
      counts,
      page: q.page,
      pageSize: q.pageSize,
    };
  }
}
