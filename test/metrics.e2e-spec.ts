import { WebhookOutbox } from '@app/notifications';
import { loadConfig, Metrics, serveMetrics } from '@app/platform';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { bearer, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

/** The value of one sample of the Prometheus text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const TOKEN = 'metrics-token-0123456789abcdef';

describe('Prometheus metrics at /metrics', () => {
  describe('without METRICS_TOKEN: this machine only', () => {
    let t: TestApp;
    let receiver: WebhookReceiver;
    const db = () => t.app.get(DataSource);

    beforeAll(async () => {
      receiver = await new WebhookReceiver().start();
      t = await startTestApp({ worker: true, env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
    });
    afterAll(async () => {
      await t.close();
      await receiver.stop();
    });

    it('times requests by route template and status, never by the id in the path', async () => {
      const admin = await t.login('admin');
      const township = await unitId(t, '中厂镇');
      expect((await t.http().get(`/api/v1/org-units/${township}`).set(bearer(admin))).status).toBe(200);
      expect((await t.http().get(`/api/v1/org-units/00000000-0000-4000-8000-000000000000`).set(bearer(admin))).status).toBe(404);
      const res = await t.http().get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const series = (status: number) =>
        `http_request_duration_seconds_count{method="GET",route="/api/v1/org-units/:id",status="${status}"}`;
      expect(sample(res.text, series(200))).toBe(1);
      expect(sample(res.text, series(404))).toBe(1);
      expect(res.text).not.toContain(township);
      expect(res.text).toContain(
        'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/org-units/:id",status="200"}',
      );
      expect(sample(res.text, 'http_request_duration_seconds_count{method="POST",route="/api/v1/auth/login",status="200"}')).toBe(1);
    });

    it('reports the process: CPU, memory, event loop', async () => {
      const text = (await t.http().get('/metrics')).text;
      for (const name of [
        'process_cpu_user_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_seconds',
        'nodejs_heap_size_used_bytes',
      ]) {
        expect(sample(text, name)).toBeGreaterThanOrEqual(0);
      }
    });

    it('counts queue depth, times jobs, and reads step runs and webhook deliveries by state', async () => {
      const admin = await t.login('admin');
      const township = await unitId(t, '中厂镇');
      expect((await t.http().post(`/api/v1/cycles/2026-07/steps/dispatch/run?unitId=${township}`).set(bearer(admin))).status).toBe(200);
      const [n] = await db().query(
        `INSERT INTO notification (unit_id, audience, kind, title, body, dedupe_key, created_at)
         VALUES ($1, 'members', 'test', '指标', '正文', 'metrics-delivery', now()) RETURNING id`,
        [township],
      );
      const [d] = await db().query(
        `INSERT INTO webhook_delivery (notification_id, unit_id, url, payload, state, created_at)
         VALUES ($1, $2, $3, '{"msgtype":"text","text":{"content":"指标"}}', 'pending', now()) RETURNING id`,
        [n.id, township, receiver.url],
      );
      await t.app.get(WebhookOutbox).enqueue([d.id]);
      let text = '';
      for (let i = 0; i < 100; i++) {
        text = (await t.http().get('/metrics')).text;
        if (sample(text, 'queue_job_duration_seconds_count{queue="notifications",name="webhook",outcome="completed"}') === 1) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(sample(text, 'queue_job_duration_seconds_count{queue="notifications",name="webhook",outcome="completed"}')).toBe(1);
      expect(sample(text, 'webhook_deliveries{state="sent"}')).toBe(1);
      const [runs] = await db().query(`SELECT count(*)::int AS n FROM cycle_run WHERE key = 'step:dispatch' AND state = 'done'`);
      expect(runs.n).toBeGreaterThan(0);
      expect(sample(text, 'cycle_step_runs{step="dispatch",state="done"}')).toBe(runs.n);
      for (const queue of ['cycles', 'notifications']) {
        for (const state of ['waiting', 'active', 'delayed', 'failed']) {
          expect(sample(text, `queue_jobs{queue="${queue}",state="${state}"}`)).toBeGreaterThanOrEqual(0);
        }
      }
    });

    it('serves a worker’s metrics on a port of its own, under the same rule', async () => {
      const metrics = t.app.get(Metrics);
      metrics.jobDuration.observe({ queue: 'cycles', name: 'scrape-check', outcome: 'completed' }, 0.2);
      for (const [config, authorization] of [
        [{}, undefined],
        [{ METRICS_TOKEN: TOKEN }, `Bearer ${TOKEN}`],
      ] as const) {
        const server = await serveMetrics(metrics, config, 0, '127.0.0.1');
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        try {
          const ok = await fetch(`${base}/metrics`, { headers: authorization ? { authorization } : {} });
          expect(ok.status).toBe(200);
          expect(sample(await ok.text(), 'queue_job_duration_seconds_count{queue="cycles",name="scrape-check",outcome="completed"}')).toBe(
            1,
          );
          expect((await fetch(`${base}/other`)).status).toBe(404);
          if (authorization) {
            const refused = await fetch(`${base}/metrics`);
            expect(refused.status).toBe(401);
            expect(await refused.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
          }
        } finally {
          await new Promise((r) => server.close(r));
        }
      }
    });

    it('refuses a scrape from another machine with 403 and the error shape', async () => {
      const res = await t.app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9' });
      expect(res.statusCode).toBe(403);
      expect(JSON.parse(res.body)).toMatchObject({
        statusCode: 403,
        error: 'Forbidden',
        message: expect.stringContaining('METRICS_TOKEN'),
      });
      expect(res.body).not.toContain('http_request_duration_seconds');
    });
  });

  describe('with METRICS_TOKEN: the bearer token, from anywhere', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { METRICS_TOKEN: TOKEN } });
    });
    afterAll(() => t.close());

    it('answers 401 without the token or with another, and the metrics with it', async () => {
      const fastify = t.app.getHttpAdapter().getInstance();
      const from = (authorization?: string) =>
        fastify.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9', headers: authorization ? { authorization } : {} });
      for (const auth of [undefined, 'Bearer wrong-token-0123456789abcdef', `Basic ${TOKEN}`]) {
        const res = await from(auth);
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
        expect(JSON.parse(res.body)).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      }
      // The token is required from this machine too.
      expect((await t.http().get('/metrics')).status).toBe(401);
      const ok = await from(`Bearer ${TOKEN}`);
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('# TYPE http_request_duration_seconds histogram');
    });

    it('refuses a token shorter than 16 characters at start', () => {
      expect(() => loadConfig({ CONFIG_DIR: '/nonexistent-config-dir', METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    });
  });
});
