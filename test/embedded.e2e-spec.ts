import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ServiceProcess } from './support/service-process';
import { removeQueueKeys } from './support/redis-keys';

/**
 * The embedded defaults, as `npm start` runs them: no DATABASE_URL (PGlite under DATA_DIR), the
 * API and worker in one process, demo data, a working login — and the data is still there
 * after a restart.
 */
describe('embedded database smoke test', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rt-embedded-'));
  const queuePrefix = `rt-embedded-${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await removeQueueKeys(queuePrefix);
  });

  async function start(port: number): Promise<ServiceProcess> {
    const svc = new ServiceProcess(['--with-worker'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      CONFIG_DIR: join(dataDir, 'config'),
      QUEUE_PREFIX: `${queuePrefix}-${port}`,
      LOG_LEVEL: 'info',
    });
    await svc.waitFor(/listening on http/);
    return svc;
  }

  it('starts with no configuration, keeps data across a restart and seeds once', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}/api/v1`;
    const json = { 'content-type': 'application/json' };

    let svc = await start(port);
    try {
      expect(svc.output).toMatch(/embedded PostgreSQL \(PGlite\) with data in/);
      const password = /generated password (\S+)/.exec(svc.output)?.[1];
      expect(password).toBeDefined();
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      const login = await fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ username: 'admin', password }),
      });
      expect(login.status).toBe(200);
      const token = ((await login.json()) as { accessToken: string }).accessToken;
      const created = await fetch(`${base}/org-units`, {
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${token}` },
        body: JSON.stringify({ name: '重启县', kind: 'county' }),
      });
      expect(created.status).toBe(201);
      const demo = await fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ username: 'zc_leader', password: 'Demo@2026' }),
      });
      expect(demo.status).toBe(200);
      expect(await svc.stop()).toEqual({ code: 0, signal: null });

      svc = await start(port);
      expect(svc.output).not.toMatch(/generated password/);
      const again = await fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ username: 'admin', password }),
      });
      const token2 = ((await again.json()) as { accessToken: string }).accessToken;
      const list = await fetch(`${base}/org-units?q=${encodeURIComponent('重启县')}`, { headers: { authorization: `Bearer ${token2}` } });
      const listed = (await list.json()) as { total: number };
      expect([list.status, listed]).toMatchObject([200, { total: 1 }]);
      const provinces = await fetch(`${base}/org-units?kind=province`, { headers: { authorization: `Bearer ${token2}` } });
      expect(((await provinces.json()) as { total: number }).total).toBe(1);
    } finally {
      await svc.stop();
    }
  }, 120_000);
});
