import Redis from 'ioredis';

/**
 * Deletes every Redis key whose name starts with a test's queue prefix, so that test runs leave
 * nothing in the shared Redis. Quiet when no Redis answers (the queue then ran on PostgreSQL).
 */
export async function removeQueueKeys(prefix: string, url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 1000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  let removed = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
  } catch {
    // No Redis here: nothing was written to one.
  } finally {
    redis.disconnect();
  }
  return removed;
}
