import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig, Clock, OutboundAddressPolicy, SecretBox } from '@app/platform';
import { createHmac } from 'node:crypto';
import { DataSource } from 'typeorm';
import { postJson, PostTimeout } from './pinned-post';
import { robotMessage, RobotStyle } from './robot-message';

/** A failure after which sending again is safe: the message certainly did not arrive. */
export class RetryableWebhookError extends Error {}

interface DeliveryRow {
  id: string;
  url: string;
  payload: unknown;
  state: 'pending' | 'sending' | 'sent' | 'failed';
  secret_sealed: string | null;
  style: RobotStyle | null;
  title: string | null;
  body: string | null;
}

/** How a send is attempted: on the last attempt a failure is final (state `failed`). */
export interface SendAttempt {
  lastAttempt?: boolean;
}

/**
 * A DingTalk robot URL with its 加签 signature: `timestamp` (ms) and `sign`, the base64 of
 * HMAC-SHA256 over `timestamp + "\n" + secret` keyed with the secret, URL-encoded.
 */
export function dingTalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const sign = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${timestampMs}&sign=${encodeURIComponent(sign)}`;
}

/**
 * Sends one webhook message (a WeCom robot's markdown, a DingTalk robot's text). Retried when it
 * certainly did not arrive (refused connection, an error status, an error code in the reply);
 * never sent twice: a delivery interrupted mid-send, or one that timed out, is marked failed, not
 * resent. The host is resolved and checked once per attempt, and the request goes to the address
 * checked (no second lookup that a rebinding name could answer differently).
 */
@Injectable()
export class WebhookSender {
  private readonly logger = new Logger('Webhook');

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly addresses: OutboundAddressPolicy,
    private readonly secrets: SecretBox,
    private readonly config: AppConfig,
  ) {}

  /** How long a robot has to answer before the message counts as possibly delivered. */
  private get timeoutMs(): number {
    return this.config.durationMs('WEBHOOK_TIMEOUT');
  }

  async send(deliveryId: string, attempt: SendAttempt = {}): Promise<'sent' | 'failed' | 'skipped'> {
    const claimed = await this.db.transaction(async (m) => {
      // The robot still set on the unit for this URL gives the style and the 加签 secret.
      const [row] = await m.query<DeliveryRow[]>(
        `SELECT d.id, d.url, d.payload, d.state, w.style, CASE WHEN w.style = 'dingtalk' THEN w.secret_sealed END AS secret_sealed,
                n.title, n.body
           FROM webhook_delivery d
           LEFT JOIN unit_webhook w ON w.unit_id = d.unit_id AND w.url = d.url
           LEFT JOIN notification n ON n.id = d.notification_id
          WHERE d.id = $1 FOR UPDATE OF d`,
        [deliveryId],
      );
      if (!row || row.state === 'sent' || row.state === 'failed') return undefined;
      if (row.state === 'sending') {
        await m.query(`UPDATE webhook_delivery SET state = 'failed', last_error = $2 WHERE id = $1`, [
          deliveryId,
          'interrupted while sending; not resent, so that it never arrives twice',
        ]);
        return undefined;
      }
      await m.query(`UPDATE webhook_delivery SET state = 'sending', attempts = attempts + 1, last_attempt_at = $2 WHERE id = $1`, [
        deliveryId,
        this.clock.now(),
      ]);
      return row;
    });
    if (!claimed) return 'skipped';

    let outcome: { state: 'sent' | 'pending' | 'failed'; error?: string };
    try {
      // Checked again at every send: a name may resolve to an internal address since it was saved.
      const verdict = await this.addresses.check(claimed.url);
      if (!verdict.ok) outcome = { state: 'failed', error: `refused: the URL ${verdict.reason}` };
      else if ('unresolved' in verdict) outcome = { state: 'pending', error: 'the host name does not resolve' };
      else outcome = await this.post(claimed, verdict.allowListed ? undefined : verdict.addresses[0]);
    } catch (e) {
      outcome = { state: 'pending', error: (e as Error).message };
    }
    if (outcome.state === 'pending' && attempt.lastAttempt) {
      outcome = { state: 'failed', error: `${outcome.error}; no attempt left` };
    }
    await this.db.query(
      `UPDATE webhook_delivery SET state = $2, last_error = $3, sent_at = CASE WHEN $2 = 'sent' THEN $4::timestamptz END WHERE id = $1`,
      [deliveryId, outcome.state, outcome.error ?? null, this.clock.now()],
    );
    if (outcome.state === 'pending') {
      this.logger.warn(`delivery ${deliveryId} failed (${outcome.error}); it will be retried`);
      throw new RetryableWebhookError(outcome.error);
    }
    return outcome.state;
  }

  /** Posts the message once, to `address` when one was checked; redirects are not followed (a robot never redirects). */
  private async post(claimed: DeliveryRow, address?: string): Promise<{ state: 'sent' | 'pending' | 'failed'; error?: string }> {
    try {
      const url = claimed.secret_sealed
        ? dingTalkSignedUrl(claimed.url, await this.secrets.open(claimed.secret_sealed), this.clock.nowMs())
        : claimed.url;
      const notification = claimed.title !== null ? { title: claimed.title, body: claimed.body ?? '' } : undefined;
      const message = robotMessage(claimed.style, claimed.payload, notification);
      const res = await postJson(new URL(url), JSON.stringify(message), { address, timeoutMs: this.timeoutMs });
      if (res.status >= 300 && res.status < 400) {
        return { state: 'failed', error: `HTTP ${res.status}: the robot answered with a redirect, which is not followed` };
      }
      let errcode = 0;
      try {
        errcode = Number((JSON.parse(res.text) as { errcode?: unknown }).errcode ?? 0);
      } catch {
        errcode = 0;
      }
      const ok = res.status >= 200 && res.status < 300 && !errcode;
      return ok ? { state: 'sent' } : { state: 'pending', error: `HTTP ${res.status} ${res.text.slice(0, 200)}` };
    } catch (e) {
      const err = e as Error & { code?: string };
      // A timeout may have delivered the message: not resent. A refused connection did not.
      return e instanceof PostTimeout
        ? { state: 'failed', error: `no answer within ${this.timeoutMs / 1000} s; not resent` }
        : { state: 'pending', error: err.code ?? err.message };
    }
  }

  /** Deliveries that still wait to be sent (their job was lost or is backing off). */
  async pending(olderThan: Date): Promise<string[]> {
    const rows = await this.db.query<Array<{ id: string }>>(
      `SELECT id FROM webhook_delivery WHERE state = 'pending' AND created_at < $1 ORDER BY created_at LIMIT 500`,
      [olderThan],
    );
    return rows.map((r) => r.id);
  }
}
