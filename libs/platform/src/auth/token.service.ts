import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SystemClock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { Unauthenticated } from '../errors/domain-error';

export interface TokenClaims {
  sub: string;
  ver: number;
}

/**
 * Seconds a token's `iat` and `nbf` may lie ahead of this process's clock (another replica's
 * clock may run a little fast). `exp` is strict: a session ends when it says.
 */
export const TOKEN_CLOCK_SKEW_SECONDS = 30;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class MalformedClaims extends Error {}

class NotYetValid extends Error {
  override name = 'NotBeforeError';
}

/**
 * Signs and verifies access tokens (HS256). The secret is JWT_SECRET or, when unset, one
 * generated at first start and kept in the database so that every process shares it. While a
 * key is rotated, tokens signed with JWT_SECRET_PREVIOUS still verify until
 * JWT_SECRET_PREVIOUS_UNTIL; new tokens are always signed with the current key.
 *
 * Token times are wall-clock times (a session lasts real hours even when the domain clock is a
 * fake one driving a simulated year).
 */
@Injectable()
export class TokenService {
  private secret?: string;
  private keyObject?: KeyObject;
  private previousKeyObject?: KeyObject;
  private readonly wallClock = new SystemClock();

  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  private async key(): Promise<string> {
    if (this.secret) return this.secret;
    if (this.config.JWT_SECRET) return (this.secret = this.config.JWT_SECRET);
    await this.db.query(`INSERT INTO platform_setting (key, value) VALUES ('jwt_secret', $1) ON CONFLICT (key) DO NOTHING`, [
      randomBytes(48).toString('base64url'),
    ]);
    const [row] = await this.db.query(`SELECT value FROM platform_setting WHERE key = 'jwt_secret'`);
    return (this.secret = row.value as string);
  }

  async sign(claims: TokenClaims): Promise<{ token: string; expiresAt: Date }> {
    const ttlMs = this.config.durationMs('JWT_TTL');
    const nowMs = this.wallClock.nowMs();
    const iat = Math.floor(nowMs / 1000);
    const token = await this.jwt.signAsync(
      { ...claims, iat },
      { secret: await this.key(), algorithm: 'HS256', expiresIn: Math.floor(ttlMs / 1000) },
    );
    return { token, expiresAt: new Date(nowMs + ttlMs) };
  }

  /**
   * The secret as a key object: given a string, jsonwebtoken first tries it as a public key and
   * throws, on every request.
   */
  private async verifyKey(): Promise<string> {
    this.keyObject ??= createSecretKey(Buffer.from(await this.key()));
    // @nestjs/jwt types the secret as string | Buffer; jsonwebtoken takes a KeyObject too.
    return this.keyObject as unknown as string;
  }

  /** The previous key while it is still honoured, else undefined. */
  private previousKey(nowMs: number): string | undefined {
    const { JWT_SECRET_PREVIOUS: previous, previousSecretUntil: until } = this.config;
    if (!previous || !until || nowMs >= until.getTime()) return undefined;
    this.previousKeyObject ??= createSecretKey(Buffer.from(previous));
    return this.previousKeyObject as unknown as string;
  }

  private async verifyWith(token: string, secret: string, nowMs: number): Promise<TokenClaims> {
    const claims = await this.jwt.verifyAsync<Record<string, unknown>>(token, {
      secret,
      algorithms: ['HS256'],
      clockTimestamp: Math.floor(nowMs / 1000),
      ignoreNotBefore: true,
    });
    const { sub, ver, exp, iat, nbf } = claims;
    const latest = nowMs / 1000 + TOKEN_CLOCK_SKEW_SECONDS;
    if (typeof exp !== 'number') throw new MalformedClaims('the token has no expiry');
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > latest)) throw new NotYetValid('the token is not valid yet');
    if (iat !== undefined && (typeof iat !== 'number' || iat > latest)) throw new MalformedClaims('the token was issued in the future');
    if (typeof sub !== 'string' || !UUID.test(sub) || typeof ver !== 'number' || !Number.isInteger(ver)) {
      throw new MalformedClaims('malformed claims');
    }
    return { sub: sub.toLowerCase(), ver };
  }

  async verify(token: string): Promise<TokenClaims> {
    const nowMs = this.wallClock.nowMs();
    try {
      try {
        return await this.verifyWith(token, await this.verifyKey(), nowMs);
      } catch (e) {
        const previous = this.previousKey(nowMs);
        if (!previous || (e as Error).message !== 'invalid signature') throw e;
        return await this.verifyWith(token, previous, nowMs);
      }
    } catch (e) {
      const name = (e as Error).name;
      const message =
        name === 'TokenExpiredError'
          ? 'The token has expired; sign in again'
          : name === 'NotBeforeError'
            ? 'The token is not valid yet; sign in again'
            : 'The token is not valid; sign in again';
      throw new Unauthenticated(message);
    }
  }
}
