/** Which backing service an error says is out of reach, if any. */
export type Outage = 'database' | 'redis';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// PostgreSQL SQLSTATE class 08 (connection exception) and 57P0x (the server is going away or starting).
const PG_UNAVAILABLE = /^(08\d\d\d|57P0[1-4]|53300)$/;
const PG_TEXT =
  /(Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed|Connection is not established|Driver not Connected|terminating connection)/i;
const REDIS_TEXT =
  /(Connection is closed|enableOfflineQueue|MaxRetriesPerRequest|Reached the max retries per request|Redis connection|READONLY|LOADING)/i;

function chain(error: unknown): unknown[] {
  const seen: unknown[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && seen.length < 5 && !seen.includes(current)) {
    seen.push(current);
    const c = current as { driverError?: unknown; cause?: unknown };
    current = c.driverError ?? c.cause;
  }
  return seen;
}

export function classifyOutage(error: unknown): Outage | undefined {
  for (const e of chain(error)) {
    const {
      code,
      message = '',
      name = '',
      constructor,
    } = e as { code?: unknown; message?: string; name?: string; constructor?: { name?: string } };
    const ctor = constructor?.name ?? '';
    if (/Redis|ioredis|MaxRetriesPerRequestError/i.test(name + ctor) || REDIS_TEXT.test(message)) return 'redis';
    if (typeof code === 'string' && PG_UNAVAILABLE.test(code)) return 'database';
    if (PG_TEXT.test(message)) return 'database';
    if (typeof code === 'string' && NETWORK_CODES.has(code)) {
      return /6379|redis/i.test(message) ? 'redis' : 'database';
    }
  }
  return undefined;
}

/** The PostgreSQL SQLSTATE behind a (possibly wrapped) query error. */
export function sqlState(error: unknown): string | undefined {
  for (const e of chain(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
export const PG_CHECK_VIOLATION = '23514';
export const PG_SERIALIZATION_FAILURE = '40001';
export const PG_DEADLOCK = '40P01';
export const PG_LOCK_NOT_AVAILABLE = '55P03';
