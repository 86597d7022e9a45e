import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { from, Observable, switchMap } from 'rxjs';
import { AppConfig } from '../config/app-config';
import { RateLimited } from '../errors/domain-error';
import { QueueConnection } from '../queue/queue-connection';
import type { Principal } from '../auth/principal';

/** What a request costs a user: reads are the cheapest, uploads and imports the dearest. */
export type RateClass = 'read' | 'write' | 'upload';

/** Which budget a request draws on, from its method, path and body type. */
export function rateClassOf(method: string, url: string, contentType: string | undefined): RateClass {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return 'read';
  const path = url.split('?')[0];
  if ((contentType ?? '').toLowerCase().startsWith('multipart/') || /\/(import|evidence)$/.test(path)) return 'upload';
  return 'write';
}

const WINDOW_SECONDS = 60;

/**
 * Request budgets per user (by kind of request) and per client address, over a one-minute
 * window. On Redis the counts are shared by every API process, so the limits hold across
 * replicas (an in-process count stands in while Redis is away); without Redis they are kept in
 * this process.
 */
@Injectable()
export class RateLimits {
  private readonly limiters: Record<RateClass | 'address', RateLimiterAbstract>;

  constructor(config: AppConfig, queue: QueueConnection) {
    const make = (name: string, points: number): RateLimiterAbstract => {
      const keyPrefix = `${config.QUEUE_PREFIX}:rate:${name}`;
      const memory = new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_SECONDS });
      if (!queue.redis) return memory;
      return new RateLimiterRedis({ storeClient: queue.redis, keyPrefix, points, duration: WINDOW_SECONDS, insuranceLimiter: memory });
    };
    this.limiters = {
      read: make('read', config.RATE_LIMIT_READS),
      write: make('write', config.RATE_LIMIT_WRITES),
      upload: make('upload', config.RATE_LIMIT_UPLOADS),
      address: make('address', config.RATE_LIMIT_PER_ADDRESS),
    };
  }

  /** Counts one request; past the budget, a 429 saying when to come back. */
  async consume(kind: RateClass | 'address', key: string): Promise<void> {
    const limiter = this.limiters[kind];
    try {
      await limiter.consume(key);
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      const seconds = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
      const what =
        kind === 'address'
          ? 'from this address'
          : kind === 'read'
            ? 'to read'
            : kind === 'upload'
              ? 'to upload or import'
              : 'to change data';
      throw new RateLimited(
        `Too many requests ${what}: at most ${limiter.points} a minute${kind === 'address' ? '' : ' per user'}; try again in ${seconds} s`,
        seconds,
      );
    }
  }
}

interface LimitedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/**
 * Each signed-in user's budget, counted after the guards have said who the caller is (a
 * bearer token for the API, the session cookie for the console).
 */
@Injectable()
export class UserRateLimitInterceptor implements NestInterceptor {
  constructor(private readonly limits: RateLimits) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<LimitedRequest>();
    const userId = request.principal?.userId;
    if (!userId) return next.handle();
    const contentType = request.headers['content-type'];
    const kind = rateClassOf(request.method, request.url, Array.isArray(contentType) ? contentType[0] : contentType);
    return from(this.limits.consume(kind, userId)).pipe(switchMap(() => next.handle()));
  }
}
