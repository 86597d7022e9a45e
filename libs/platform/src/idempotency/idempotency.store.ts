import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';
import { EntityManager } from 'typeorm';
import { Clock } from '../clock/clock';
import { Conflict } from '../errors/domain-error';

export function requestHash(...parts: Array<string | Buffer>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex');
}

/** The hash of a request body as data: the same fields and values hash the same in any key order. */
export function bodyHash(scope: string, body: unknown): string {
  return requestHash(scope, stringify(body) ?? '');
}

/**
 * `Idempotency-Key` support: the first request with a key does the work and stores its answer
 * in the same transaction; a retry with the key gets that answer instead of doing it twice. A
 * concurrent retry waits on the key's row until the first commits (or rolls back and lets the
 * retry do the work).
 */
@Injectable()
export class IdempotencyStore {
  constructor(private readonly clock: Clock) {}

  /** The stored answer of an earlier request with this key, if any (outside a transaction). */
  async find<T>(m: EntityManager, userId: string, scope: string, key: string, hash: string): Promise<T | undefined> {
    const [row] = await m.query<Array<{ request_hash: string; response: T | null }>>(
      `SELECT request_hash, response FROM idempotency_key WHERE user_id = $1 AND scope = $2 AND key = $3`,
      [userId, scope, key],
    );
    if (!row) return undefined;
    if (row.request_hash !== hash) {
      throw new Conflict('This Idempotency-Key was used for a different request; use a new key', { reason: 'idempotency_key_reused' });
    }
    return row.response ?? undefined;
  }

  /**
   * Claims the key inside the caller's transaction. Returns the earlier answer when another
   * request with the key has committed; undefined when this request is the one to do the work.
   */
  async claim<T>(m: EntityManager, userId: string, scope: string, key: string, hash: string): Promise<T | undefined> {
    const inserted = await m.query<unknown[]>(
      `INSERT INTO idempotency_key (user_id, scope, key, request_hash, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [userId, scope, key, hash, this.clock.now()],
    );
    if (inserted.length) return undefined;
    const earlier = await this.find<T>(m, userId, scope, key, hash);
    if (earlier === undefined) {
      throw new Conflict('A request with this Idempotency-Key is still in progress; retry shortly', {
        reason: 'idempotency_key_in_progress',
      });
    }
    return earlier;
  }

  async complete(m: EntityManager, userId: string, scope: string, key: string, response: unknown): Promise<void> {
    await m.query(`UPDATE idempotency_key SET response = $4 WHERE user_id = $1 AND scope = $2 AND key = $3`, [
      userId,
      scope,
      key,
      JSON.stringify(response),
    ]);
  }
}
