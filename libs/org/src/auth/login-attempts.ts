import { Injectable } from '@nestjs/common';
import { AppConfig, QueueConnection, RateLimited } from '@app/platform';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Counts failed logins per username and per client address in Redis (shared by every api
 * process; an in-memory count stands in while Redis is away). Past its limit a username is
 * locked (429 until the window has passed, even with the right password). An address past its
 * limit is only slowed down, each further sign-in from it held back longer (up to
 * LOGIN_SLOWDOWN_MAX), so that one office behind one NAT address is not locked out by its own
 * typos while guessing from it stays slow.
 */
@Injectable()
export class LoginAttempts {
  private readonly perUser: RateLimiterAbstract;
  private readonly perAddress: RateLimiterAbstract;

  private readonly slowdownMaxMs: number;

  constructor(config: AppConfig, queue: QueueConnection) {
    this.slowdownMaxMs = config.durationMs('LOGIN_SLOWDOWN_MAX');
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

  /** How long a sign-in from an address with `failures` recent failures is held back: doubling from 250 ms. */
  slowdownMs(failures: number): number {
    const over = failures - this.perAddress.points;
    if (over < 0) return 0;
    return Math.min(this.slowdownMaxMs, 250 * 2 ** Math.min(over, 20));
  }

  /** Throws 429 when this username has failed too often; waits when this address has. */
  async assertAllowed(username: string, address: string): Promise<void> {
    const [user, ip] = await Promise.all([this.perUser.get(LoginAttempts.userKey(username)), this.perAddress.get(address)]);
    if (user && user.consumedPoints >= this.perUser.points) {
      const seconds = Math.max(1, Math.ceil(user.msBeforeNext / 1000));
      throw new RateLimited(`Too many failed sign-ins for this account; try again in ${Math.ceil(seconds / 60)} minute(s)`, seconds);
    }
    const delay = this.slowdownMs(ip?.consumedPoints ?? 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
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
