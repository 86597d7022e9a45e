import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Unauthenticated } from '../errors/domain-error';

export interface TokenClaims {
  sub: string;
  ver: number;
}

/**
 * Signs and verifies access tokens (HS256). The secret is JWT_SECRET or, when unset, one
 * generated at first start and kept in the database so that every process shares it.
 */
@Injectable()
export class TokenService {
  private secret?: string;
  private keyObject?: KeyObject;

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
    const token = await this.jwt.signAsync(claims, {
      secret: await this.key(),
      algorithm: 'HS256',
      expiresIn: Math.floor(ttlMs / 1000),
    });
    return { token, expiresAt: new Date(Date.now() + ttlMs) };
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

  async verify(token: string): Promise<TokenClaims> {
    try {
      const claims = await this.jwt.verifyAsync<TokenClaims & { exp: number }>(token, {
        secret: await this.verifyKey(),
        algorithms: ['HS256'],
      });
      if (typeof claims.sub !== 'string' || typeof claims.ver !== 'number') throw new Error('malformed claims');
      return { sub: claims.sub, ver: claims.ver };
    } catch (e) {
      const expired = (e as Error).name === 'TokenExpiredError';
      throw new Unauthenticated(expired ? 'The token has expired; sign in again' : 'The token is not valid; sign in again');
    }
  }
}
