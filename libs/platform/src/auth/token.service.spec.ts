import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../config/app-config';
import { Unauthenticated } from '../errors/domain-error';
import { TokenService } from './token.service';

const CURRENT = 'the-current-signing-key-of-32-characters-or-more';
const PREVIOUS = 'the-previous-signing-key-of-32-characters-or-more';
const USER = '6f1c2a6e-3b0d-4a55-9f8e-2c1d7b9a4e10';

function service(env: Record<string, string> = {}): TokenService {
  const config = loadConfig({ JWT_SECRET: CURRENT, CONFIG_DIR: '/nonexistent', ...env });
  return new TokenService(new JwtService({}), config, {} as DataSource);
}

const jwt = new JwtService({});
const nowSeconds = () => Math.floor(Date.now() / 1000);
const signed = (payload: Record<string, unknown>, secret = CURRENT, expiresIn: number | null = 600) =>
  jwt.sign(payload, { secret, algorithm: 'HS256', ...(expiresIn === null ? {} : { expiresIn }) });

describe('TokenService', () => {
  it('verifies what it signs', async () => {
    const tokens = service();
    const { token, expiresAt } = await tokens.sign({ sub: USER, ver: 3 });
    await expect(tokens.verify(token)).resolves.toEqual({ sub: USER, ver: 3 });
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(11 * 3600 * 1000);
  });

  it.each([
    ['without exp', signed({ sub: USER, ver: 0 }, CURRENT, null), /not valid/],
    ['expired', signed({ sub: USER, ver: 0, exp: nowSeconds() - 120 }, CURRENT, null), /expired/],
    ['not valid for another five minutes', signed({ sub: USER, ver: 0, nbf: nowSeconds() + 300 }), /not valid yet/],
    ['issued five minutes from now', signed({ sub: USER, ver: 0, iat: nowSeconds() + 300 }), /not valid/],
    ['with a subject that is not a user id', signed({ sub: 'admin', ver: 0 }), /not valid/],
    ['without a version', signed({ sub: USER }), /not valid/],
    ['signed with an unknown key', signed({ sub: USER, ver: 0 }, 'someone-else-s-key-of-32-characters-at-least'), /not valid/],
    [
      'signed with none',
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: USER, ver: 0, exp: nowSeconds() + 60 })).toString('base64url')}.`,
      /not valid/,
    ],
  ])('refuses a token %s', async (_what, token, message) => {
    const error = await service()
      .verify(token)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unauthenticated);
    expect((error as Error).message).toMatch(message);
  });

  it('allows a few seconds of clock skew on the issue and not-before times', async () => {
    const tokens = service();
    await expect(tokens.verify(signed({ sub: USER, ver: 1, nbf: nowSeconds() + 10, iat: nowSeconds() + 10 }))).resolves.toEqual({
      sub: USER,
      ver: 1,
    });
    // The expiry itself is strict.
    await expect(tokens.verify(signed({ sub: USER, ver: 1, exp: nowSeconds() - 2 }, CURRENT, null))).rejects.toThrow(/expired/);
  });

  it('honours the previous key until its date, and signs only with the current one', async () => {
    const old = signed({ sub: USER, ver: 2 }, PREVIOUS);
    const until = new Date(Date.now() + 86_400_000).toISOString();
    const rotating = service({ JWT_SECRET_PREVIOUS: PREVIOUS, JWT_SECRET_PREVIOUS_UNTIL: until });
    await expect(rotating.verify(old)).resolves.toEqual({ sub: USER, ver: 2 });
    const fresh = (await rotating.sign({ sub: USER, ver: 2 })).token;
    await expect(service().verify(fresh)).resolves.toEqual({ sub: USER, ver: 2 });

    const past = service({ JWT_SECRET_PREVIOUS: PREVIOUS, JWT_SECRET_PREVIOUS_UNTIL: '2020-01-01' });
    await expect(past.verify(old)).rejects.toBeInstanceOf(Unauthenticated);
    await expect(service().verify(old)).rejects.toBeInstanceOf(Unauthenticated);
  });

  it.each([
    [{ JWT_SECRET_PREVIOUS: PREVIOUS }, /^JWT_SECRET_PREVIOUS_UNTIL: must be set with JWT_SECRET_PREVIOUS/],
    [{ JWT_SECRET_PREVIOUS_UNTIL: '2027-01-01' }, /^JWT_SECRET_PREVIOUS: must be set/],
    [{ JWT_SECRET_PREVIOUS: PREVIOUS, JWT_SECRET_PREVIOUS_UNTIL: 'next week' }, /^JWT_SECRET_PREVIOUS_UNTIL: must be a date or time/],
    [{ JWT_SECRET_PREVIOUS: 'short', JWT_SECRET_PREVIOUS_UNTIL: '2027-01-01' }, /^JWT_SECRET_PREVIOUS: must be at least 32 characters/],
    [{ JWT_SECRET_PREVIOUS: CURRENT, JWT_SECRET_PREVIOUS_UNTIL: '2027-01-01' }, /^JWT_SECRET_PREVIOUS: must differ from JWT_SECRET/],
  ])('a rotation setting that cannot work stops the start: %j', (env, message) => {
    let error: unknown;
    try {
      loadConfig({ JWT_SECRET: CURRENT, CONFIG_DIR: '/nonexistent', ...env });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(message)]);
  });

  it('the previous key needs the new one set explicitly', () => {
    expect(() =>
      loadConfig({ CONFIG_DIR: '/nonexistent', JWT_SECRET_PREVIOUS: PREVIOUS, JWT_SECRET_PREVIOUS_UNTIL: '2027-01-01' }),
    ).toThrow(/JWT_SECRET: must be set when JWT_SECRET_PREVIOUS is/);
  });
});
