import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeQueueKeys } from '../../test/support/redis-keys';

/** The built entry points, next to the compiled benchmarks in dist/. */
const DIST = join(__dirname, '..', '..');
const API_MAIN = join(DIST, 'apps', 'api', 'src', 'main.js');
const WORKER_MAIN = join(DIST, 'apps', 'worker', 'src', 'main.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

class Process {
  readonly child: ChildProcess;
  output = '';

  constructor(entry: string, env: Record<string, string>) {
    this.child = spawn(process.execPath, [entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000));
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
  }

  async waitFor(pattern: RegExp, timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (this.child.exitCode !== null) throw new Error(`a service process exited (${this.child.exitCode}):\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`a service process did not start:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.kill('SIGTERM');
    });
  }
}

export interface Deployment {
  /** The API processes' addresses, http://127.0.0.1:port. */
  bases: string[];
  stop(): Promise<void>;
}

/**
 * The service as the README's production mode runs it: `apis` API processes and `workers`
 * worker processes from dist/, on one database and one Redis, sharing a queue prefix, a
 * signing key and a data directory (the demo data on, written by the first API process).
 */
export async function startDeployment(databaseUrl: string, apis: number, workers: number): Promise<Deployment> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rt-bench-deploy-'));
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `rt-bench-${randomBytes(4).toString('hex')}`;
  const base: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'LANG']) if (process.env[k]) base[k] = process.env[k];
  const env = (extra: Record<string, string>) => ({
    ...base,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    DATA_DIR: dataDir,
    CONFIG_DIR: join(dataDir, 'config'),
    ADMIN_PASSWORD: 'admin-password',
    DEMO: '1',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    // A workload's clients are far faster than people.
    RATE_LIMIT_READS: '1000000',
    RATE_LIMIT_WRITES: '1000000',
    RATE_LIMIT_UPLOADS: '1000000',
    RATE_LIMIT_PER_ADDRESS: '10000000',
    ...extra,
  });
  // One signing key: a token from one API process is good at every other.
  const shared = { JWT_SECRET: randomBytes(24).toString('hex') };
  const processes: Process[] = [];
  const bases: string[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await removeQueueKeys(prefix, redisUrl);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const startApi = async () => {
      const port = await freePort();
      const p = new Process(API_MAIN, env({ ...shared, PORT: String(port) }));
      processes.push(p);
      await p.waitFor(/listening on http/);
      bases.push(`http://127.0.0.1:${port}`);
    };
    // The first one migrates and writes the demo data; the others join it.
    await startApi();
    await Promise.all(Array.from({ length: apis - 1 }, startApi));
    await Promise.all(
      Array.from({ length: workers }, async () => {
        const p = new Process(WORKER_MAIN, env(shared));
        processes.push(p);
        await p.waitFor(/worker started/);
      }),
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { bases, stop };
}
