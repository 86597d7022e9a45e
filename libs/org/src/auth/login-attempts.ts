import { Injectable } from '@nestjs/common';
import { AppConfig, QueueConnection, RateLimited } from '@app/platform';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Counts failed logins per username and per client address in Redis (shared by every api
 * process; an in-memory count stands in while Redis is away). Past the limit, a login is a
 * 429 until the window has passed, even with the right password.
 */
@Injectable()
export class LoginAttempts {
  private readonly perUser: RateLimiterAbstract;
  private readonly perAddress: RateLimiterAbstract;

  constructor(config: AppConfig, queue: QueueConnection) {
    const duration = Math.ceil(config.durationMs('LOGIN_LOCK_WINDOW') / 1000);
    const make = (name: string, points: number): RateLimiterAbstract => {
      const memory = new RateLimiterMemory({ keyPrefix: `${config.QUEUE_PREFIX}:${name}`, points, duration });
      if (!queue.redis) return memory;
      return new RateLimiterRedis({
        storeClient: queue.redis,
        keyPrefix: `${config.QUEUE_PREFIX}:${name}`,
        points,
        duration,
        insuranceLimiter: memory,
      });
    };
    this.perUser = make('login-fail-user', config.LOGIN_MAX_FAILURES);
    this.perAddress = make('login-fail-ip', config.LOGIN_MAX_FAILURES_PER_IP);
  }

  private static userKey(username: string): string {
    return username.trim().toLowerCase();
  }

  /** Throws 429 when this username or address has failed too often. */
  async assertAllowed(username: string, address: string): Promise<void> {
    const [user, ip] = await Promise.all([this.perUser.get(LoginAttempts.userKey(username)), this.perAddress.get(address)]);
    const blocked = [
      [user, this.perUser.points, 'this account'],
      [ip, this.perAddress.points, 'this address'],
    ] as const;
    for (const [res, points, what] of blocked) {
      if (res && res.consumedPoints >= points) {
        const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        throw new RateLimited(`Too many failed sign-ins for ${what}; try again in ${Math.ceil(seconds / 60)} minute(s)`, seconds);
      }
    }
  }

  async recordFailure(username: string, address: string): Promise<void> {
    const swallow = (e: unknown) => {
      if (!(e instanceof RateLimiterRes)) throw e;
    };
    await Promise.all([
      this.perUser.consume(LoginAttempts.userKey(username)).catch(swallow),
      this.perAddress.consume(address).catch(swallow),
    ]);
  }

  async recordSuccess(username: string): Promise<void> {
    await this.perUser.delete(LoginAttempts.userKey(username));
  }
}
