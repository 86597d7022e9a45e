import { execFileSync } from 'node:child_process';
import { bearer } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

describe('npm run admin:reset-password', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    // dist/ holds the service (built by the global setup); add the command beside it.
    execFileSync('npx', ['swc', 'scripts/reset-admin-password.ts', '-d', 'dist', '-q']);
  });
  afterAll(() => t.close());

  const reset = (env: Record<string, string>) =>
    execFileSync('node', ['dist/scripts/reset-admin-password.js'], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: t.database.url,
        DATA_DIR: t.config.DATA_DIR,
        CONFIG_DIR: t.config.CONFIG_DIR,
        LOG_LEVEL: 'silent',
        ...env,
      },
      encoding: 'utf8',
    });

  it('sets the password from ADMIN_PASSWORD and ends the admin’s sessions', async () => {
    const old = await t.login('admin');
    const out = reset({ ADMIN_PASSWORD: 'a-brand-new-admin-password' });
    expect(out).toMatch(/ADMIN_PASSWORD/);
    expect((await t.http().get('/api/v1/auth/me').set(bearer(old))).status).toBe(401);
    expect((await t.http().post('/api/v1/auth/login').send({ username: 'admin', password: 'admin-password' })).status).toBe(401);
    const token = await t.login('admin', 'a-brand-new-admin-password');
    expect((await t.http().get('/api/v1/auth/me').set(bearer(token))).body.username).toBe('admin');
  });

  it('without ADMIN_PASSWORD prints a random one, once', async () => {
    const out = reset({});
    const password = /The admin password is now: (\S+)/.exec(out)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await t.http().post('/api/v1/auth/login').send({ username: 'admin', password })).status).toBe(200);
  });
});
