import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from './support/test-app';

describe('auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('creates admin on first start with ADMIN_PASSWORD and signs in', async () => {
    const res = await t.http().post('/api/v1/auth/login').send({ username: 'admin', password: 'admin-password' });
    expect(res.status).toBe(200);
    expect(res.body.tokenType).toBe('Bearer');
    expect(res.body.user).toMatchObject({ username: 'admin', memberships: [{ unitId: null, role: 'admin' }] });
    const me = await t.http().get('/api/v1/auth/me').set('authorization', `Bearer ${res.body.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('admin');
    expect(me.body).not.toHaveProperty('passwordHash');
    expect(me.body.workAreas).toEqual({
      team: false,
      inspection: true,
      oversight: true,
      administration: true,
      primary: 'administration',
      order: ['inspection', 'oversight', 'administration'],
    });
  });

  it('tells a village team member which work is theirs, as the console menu shows it', async () => {
    const token = await t.login('zc_team1');
    const me = await t.http().get('/api/v1/auth/me').set('authorization', `Bearer ${token}`);
    expect(me.body.workAreas).toMatchObject({ team: true, inspection: false, oversight: false, administration: false, primary: 'team' });
    const page = await t.http().get('/tickets').set('cookie', `rt_session=${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/my-tasks"');
    expect(page.text).not.toContain('href="/dashboard"');
    expect(page.text).not.toContain('href="/admin/org"');
  });

  it('stores passwords as argon2id hashes', async () => {
    const [row] = await t.app.get(DataSource).query(`SELECT password_hash FROM app_user WHERE username = 'admin'`);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('answers 401 in the error shape for a missing, malformed or forged token', async () => {
    for (const header of [undefined, 'Bearer nonsense', 'Basic abc']) {
      const req = t.http().get('/api/v1/auth/me');
      if (header) req.set('authorization', header);
      const res = await req;
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
    }
  });

  it('rejects an expired token', async () => {
    // Token times are whole seconds: a 3 s token is valid for at least 2 s after sign-in and has
    // certainly expired 3.1 s after it.
    const short = await startTestApp({ env: { JWT_TTL: '3s' }, database: t.database });
    try {
      const token = await short.login('zc_team1');
      const signedIn = Date.now();
      expect((await short.http().get('/api/v1/auth/me').set('authorization', `Bearer ${token}`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, signedIn + 3100 - Date.now()));
      const res = await short.http().get('/api/v1/auth/me').set('authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/expired/);
    } finally {
      await short.close();
    }
  });

  it('answers 429 after repeated failures for one user, even with the right password', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await t
        .http()
        .post('/api/v1/auth/login')
        .send({ username: 'zc_team2', password: `wrong-${i}` });
      expect(res.status).toBe(401);
    }
    const blocked = await t.http().post('/api/v1/auth/login').send({ username: 'zc_team2', password: 'Demo@2026' });
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toMatch(/^\d+$/);
    expect(blocked.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    // Another user from the same address is not blocked by this user's failures.
    expect((await t.http().post('/api/v1/auth/login').send({ username: 'zc_team1', password: 'Demo@2026' })).status).toBe(200);
  });

  it('slows an address down after repeated failures across usernames, without refusing the right password of another user', async () => {
    const limited = await startTestApp({ env: { LOGIN_SLOWDOWN_MAX: '1s' }, database: t.database });
    try {
      const timed = async (username: string, password: string) => {
        const started = performance.now();
        const res = await limited.http().post('/api/v1/auth/login').send({ username, password });
        return { status: res.status, ms: performance.now() - started };
      };
      const failures = [];
      for (let i = 0; i < 34; i++) failures.push(await timed(`nobody${i}`, 'wrong-password'));
      expect(failures.map((f) => f.status)).toEqual(Array(34).fill(401));
      // Under the limit nothing waits; past it each attempt waits longer (250 ms, 500 ms, 1 s…).
      const early = Math.max(...failures.slice(0, 10).map((f) => f.ms));
      expect(failures[29].ms).toBeLessThan(early + 250);
      expect(failures[33].ms).toBeGreaterThan(Math.max(950, early + 700));
      const office = await timed('zc_leader', 'Demo@2026');
      expect(office.status).toBe(200);
      expect(office.ms).toBeGreaterThan(950);
    } finally {
      await limited.close();
    }
  });

  it('changing the password revokes older tokens', async () => {
    const old = await t.login('cmy_team');
    const res = await t
      .http()
      .post('/api/v1/auth/password')
      .set('authorization', `Bearer ${old}`)
      .send({ currentPassword: 'Demo@2026', newPassword: 'a-new-password' });
    expect(res.status).toBe(200);
    expect((await t.http().get('/api/v1/auth/me').set('authorization', `Bearer ${old}`)).status).toBe(401);
    expect((await t.http().get('/api/v1/auth/me').set('authorization', `Bearer ${res.body.accessToken}`)).status).toBe(200);
    expect((await t.http().post('/api/v1/auth/login').send({ username: 'cmy_team', password: 'a-new-password' })).status).toBe(200);
  });

  it('validates the login body at the edge', async () => {
    const res = await t.http().post('/api/v1/auth/login').send({ username: 'admin', password: 'x', extra: 1 });
    expect(res.status).toBe(400);
    expect(res.body.details.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'extra' })]));
    const bad = await t.http().post('/api/v1/auth/login').set('content-type', 'application/json').send('{"username":');
    expect(bad.status).toBe(400);
    expect(bad.body.statusCode).toBe(400);
  });
});
