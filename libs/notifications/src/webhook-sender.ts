import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@app/platform';
import { DataSource } from 'typeorm';

/** A failure after which sending again is safe: the message certainly did not arrive. */
export class RetryableWebhookError extends Error {}

interface DeliveryRow {
  id: string;
  url: string;
  payload: unknown;
  state: 'pending' | 'sending' | 'sent' | 'failed';
}

const TIMEOUT_MS = 10_000;

/**
 * Sends one webhook message (WeCom / DingTalk robot text payload). Retried when it certainly did
 * not arrive (refused connection, an error status, an error code in the reply); never sent
 * twice: a delivery interrupted mid-send, or one that timed out, is marked failed, not resent.
 */
@Injectable()
export class WebhookSender {
  private readonly logger = new Logger('Webhook');

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  async send(deliveryId: string): Promise<'sent' | 'failed' | 'skipped'> {
    const claimed = await this.db.transaction(async (m) => {
      const [row] = await m.query<DeliveryRow[]>(`SELECT id, url, payload, state FROM webhook_delivery WHERE id = $1 FOR UPDATE`, [
        deliveryId,
      ]);
      if (!row || row.state === 'sent' || row.state === 'failed') return undefined;
      if (row.state === 'sending') {
        await m.query(`UPDATE webhook_delivery SET state = 'failed', last_error = $2 WHERE id = $1`, [
          deliveryId,
          'interrupted while sending; not resent, so that it never arrives twice',
        ]);
        return undefined;
      }
      await m.query(`UPDATE webhook_delivery SET state = 'sending', attempts = attempts + 1 WHERE id = $1`, [deliveryId]);
      return row;
    });
    if (!claimed) return 'skipped';

    let outcome: { state: 'sent' | 'pending' | 'failed'; error?: string };
    try {
      const res = await fetch(claimed.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(claimed.payload),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const text = await res.text();
      let errcode = 0;
      try {
        errcode = Number((JSON.parse(text) as { errcode?: unknown }).errcode ?? 0);
      } catch {
        errcode = 0;
      }
      outcome = res.ok && !errcode ? { state: 'sent' } : { state: 'pending', error: `HTTP ${res.status} ${text.slice(0, 200)}` };
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
      // A timeout may have delivered the message: not resent. A refused connection did not.
      outcome = timedOut
        ? { state: 'failed', error: `no answer within ${TIMEOUT_MS / 1000} s; not resent` }
        : { state: 'pending', error: err.cause?.code ?? err.message };
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

  /** Deliveries that still wait to be sent (their job was lost or is backing off). */
  async pending(olderThan: Date): Promise<string[]> {
    const rows = await this.db.query<Array<{ id: string }>>(
      `SELECT id FROM webhook_delivery WHERE state = 'pending' AND created_at < $1 ORDER BY created_at LIMIT 500`,
      [olderThan],
    );
    return rows.map((r) => r.id);
  }
}
