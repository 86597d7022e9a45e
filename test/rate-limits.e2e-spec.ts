import { rateClassOf } from '@app/platform';
import { bearer, PNG } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

describe('rate limits', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: { RATE_LIMIT_READS: '8', RATE_LIMIT_WRITES: '4', RATE_LIMIT_UPLOADS: '2', RATE_LIMIT_PER_ADDRESS: '60' },
    });
  });
  afterAll(() => t.close());

  it('sorts requests into reads, writes and uploads', () => {
    expect(rateClassOf('GET', '/api/v1/issues?q=x', undefined)).toBe('read');
    expect(rateClassOf('POST', '/api/v1/issues', 'application/json')).toBe('write');
    expect(rateClassOf('PATCH', '/api/v1/users/1', 'application/json')).toBe('write');
    expect(rateClassOf('POST', '/api/v1/issues/1/evidence', 'multipart/form-data; boundary=x')).toBe('upload');
    expect(rateClassOf('POST', '/api/v1/inspections/1/findings/import?dryRun=true', 'application/json')).toBe('upload');
  });

  it('counts each user’s reads, writes and uploads apart, answering 429 with Retry-After past the budget', async () => {
    const team = await t.login('zc_team1');
    const other = await t.login('zc_team2');
    const reads = [];
    for (let i = 0; i < 9; i++) reads.push((await t.http().get('/api/v1/auth/me').set(bearer(team))).status);
    expect(reads).toEqual([...Array(8).fill(200), 429]);
    const refused = await t.http().get('/api/v1/issues').set(bearer(team));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.body).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/at most 8 a minute per user/),
    });
    // Another user of the same address, and the same user's writes, have their own budgets.
    expect((await t.http().get('/api/v1/auth/me').set(bearer(other))).status).toBe(200);
    const writes = [];
    for (let i = 0; i < 5; i++) writes.push((await t.http().post('/api/v1/notifications/read-all').set(bearer(team))).status);
    expect(writes).toEqual([200, 200, 200, 200, 429]);

    const uploads = [];
    for (let i = 0; i < 3; i++) {
      uploads.push(
        (
          await t
            .http()
            .post(`/api/v1/issues/00000000-0000-4000-8000-000000000000/evidence`)
            .set(bearer(other))
            .attach('file', PNG, 'a.png')
        ).status,
      );
    }
    expect(uploads).toEqual([404, 404, 429]);
  });

  it('counts every request from one address, signed in or not', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await t.http().get('/api/v1/nowhere')).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const res = await t.http().post('/api/v1/auth/login').send({ username: 'zc_leader', password: 'Demo@2026' });
    expect(res.status).toBe(429);
    expect(res.body.message).toMatch(/from this address/);
    // The health probes stay answered.
    expect((await t.http().get('/api/v1/health')).status).toBe(200);
  });
});
