import { startTestApp, TestApp } from './support/test-app';

describe('operations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves liveness and readiness without a token', async () => {
    expect((await t.http().get('/api/v1/health')).body).toEqual({ status: 'ok' });
    const ready = await t.http().get('/api/v1/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', checks: { database: 'up', queue: 'up' } });
  });

  it('serves the OpenAPI page and its JSON, generated from the controllers', async () => {
    const json = await t.http().get('/api/docs-json');
    expect(json.status).toBe(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(json.body.paths['/api/v1/org-units'].post.requestBody).toBeDefined();
    expect(json.body.components.securitySchemes.bearer).toBeDefined();
    const page = await t.http().get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/swagger/i);
  });

  it('tags every response with a request id, keeping one the client sent', async () => {
    const own = await t.http().get('/api/v1/health').set('x-request-id', 'client-chosen-id');
    expect(own.headers['x-request-id']).toBe('client-chosen-id');
    const generated = await t.http().get('/api/v1/health');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
