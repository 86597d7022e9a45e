import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, TestDatabase } from './support/database';
import { freePort, ServiceProcess } from './support/service-process';
import { removeQueueKeys } from './support/redis-keys';

describe('the service process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rt-process-'));
  const queuePrefix = `rt-process-${randomBytes(4).toString('hex')}`;
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
    await removeQueueKeys(queuePrefix);
  });

  const env = (port: number): Record<string, string> => ({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    CONFIG_DIR: join(dataDir, 'config'),
    QUEUE_PREFIX: `${queuePrefix}-${port}`,
    ADMIN_PASSWORD: 'admin-password',
    LOG_LEVEL: 'info',
  });

  it('refuses to start on bad configuration, one line per bad setting', async () => {
    const svc = new ServiceProcess([], { ...env(1), PORT: 'eighty', TZ_DEFAULT: 'Asia/Nowhere' });
    const { code } = await svc.exited;
    expect(code).toBe(2);
    const lines = svc.output.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^config: PORT: .*\(got "eighty"\)$/),
      expect.stringMatching(/^config: TZ_DEFAULT: must be an IANA time zone/),
    ]);
  });

  it('finishes an in-flight request on SIGTERM, then exits 0', async () => {
    const port = await freePort();
    const svc = new ServiceProcess(['--with-worker'], env(port));
    await svc.waitFor(/listening on http/);
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'admin-password' }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };

    // A multipart upload whose body arrives in two parts, with SIGTERM in between.
    const boundary = 'rtboundary';
    const head = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="t.csv"\r\ncontent-type: text/csv\r\n\r\n名称,类型,上级\n`;
    const tail = `关停村,村,中厂镇\r\n--${boundary}--\r\n`;
    const body = Buffer.concat([Buffer.from(head), Buffer.from(tail)]);
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/org-units/import?dryRun=true',
          headers: {
            authorization: `Bearer ${accessToken}`,
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': body.length,
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(Buffer.from(head));
      setTimeout(() => {
        svc.child.kill('SIGTERM');
        setTimeout(() => req.end(Buffer.from(tail)), 500);
      }, 300);
    });
    const res = await response;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ dryRun: true, created: 1 });
    expect(await svc.exited).toEqual({ code: 0, signal: null });
    expect(svc.output).toMatch(/SIGTERM: shutting down/);
    expect(svc.output).toMatch(/"msg":"stopped"/);
  }, 60_000);

  it('runs the worker as a process of its own', async () => {
    const svc = new ServiceProcess([], env(1), 'dist/apps/worker/src/main.js');
    await svc.waitFor(/worker started/);
    expect(await svc.stop()).toEqual({ code: 0, signal: null });
  }, 60_000);
});
