import { Inject, Injectable } from '@nestjs/common';
import { Clock, Conflict, Principal, TokenService, Unauthenticated, ValidationFailed } from '@app/platform';
import { DataSource } from 'typeorm';
import { decoyHash, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './password';
import { LoginAttempts } from './login-attempts';
import { UserService, UserView } from '../users/user.service';

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresAt: string;
  user: UserView;
}

@Injectable()
export class AuthService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly tokens: TokenService,
    private readonly attempts: LoginAttempts,
    private readonly users: UserService,
    private readonly clock: Clock,
  ) {}

  async login(username: string, password: string, address: string): Promise<LoginResult> {
    await this.attempts.assertAllowed(username, address);
    const rows = await this.db.query<Array<{ id: string; password_hash: string; active: boolean; token_version: number }>>(
      `SELECT id, password_hash, active, token_version FROM app_user WHERE lower(username) = lower($1)`,
      [username.trim()],
    );
    const row = rows[0];
    const ok = await verifyPassword(row?.password_hash ?? (await decoyHash()), password);
    if (!row || !ok || !row.active) {
      await this.attempts.recordFailure(username, address);
      throw new Unauthenticated(row && ok ? 'This account is disabled' : 'Wrong username or password');
    }
    await this.attempts.recordSuccess(username);
    const { token, expiresAt } = await this.tokens.sign({ sub: row.id, ver: row.token_version });
    return { accessToken: token, tokenType: 'Bearer', expiresAt: expiresAt.toISOString(), user: await this.users.view(row.id) };
  }

  /** Changes the caller's own password and revokes every other session. */
  async changePassword(principal: Principal, current: string, next: string): Promise<LoginResult> {
    if (next.length < MIN_PASSWORD_LENGTH) {
      throw ValidationFailed.field('newPassword', `must be at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    if (next === current) throw ValidationFailed.field('newPassword', 'must differ from the current password');
    const [row] = await this.db.query<
      Array<{
        password_hash: string;
      }>
    >(`SELECT password_hash FROM app_user WHERE id = $1`, [principal.userId]);
    if (!row || !(await verifyPassword(row.password_hash, current))) {
      throw new Unauthenticated('The current password is wrong');
    }
    const hash = await hashPassword(next);
    const updated = await this.db.query<[Array<{ token_version: number }>, number]>(
      `UPDATE app_user SET password_hash = $2, token_version = token_version + 1, updated_at = $3
        WHERE id = $1 AND password_hash = $4 RETURNING token_version`,
      [principal.userId, hash, this.clock.now(), row.password_hash],
    );
    const version = updated[0]?.[0]?.token_version;
    if (version === undefined) throw new Conflict('The password was changed by another request; sign in again');
    const { token, expiresAt } = await this.tokens.sign({ sub: principal.userId, ver: version });
    return { accessToken: token, tokenType: 'Bearer', expiresAt: expiresAt.toISOString(), user: await this.users.view(principal.userId) };
  }
}
