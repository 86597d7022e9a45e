import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';

const run = promisify(execFile);

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A port that is free, whose cluster bus port (10000 above it) is free too. */
async function clusterPort(taken: number[]): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 35_000);
    if (taken.includes(port) || taken.includes(port + 10_000)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 10_000))) return port;
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Redis Cluster: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One query to one node, on a connection of its own. */
async function ask<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

export interface RedisCluster {
  /** The nodes' ports, all masters. */
  ports: number[];
  /** A node to start from. */
  url: string;
  /** Keys matching the pattern, per node (by port). */
  keysByNode(pattern: string): Promise<Map<number, string[]>>;
  stop(): Promise<void>;
}

/**
 * A Redis Cluster of `masters` masters and no replicas on loopback, keeping nothing on disk,
 * as `redis-server --cluster-enabled yes` and `redis-cli --cluster create` make it.
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'rt-redis-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
            c.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) ports.push(await clusterPort(ports));
    for (const port of ports) {
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir);
      const child = spawn(
        'redis-server',
        [
          '--cluster-enabled',
          'yes',
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-config-file',
          join(nodeDir, 'nodes.conf'),
          '--dir',
          nodeDir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'no',
          '--loglevel',
          'warning',
        ],
        { stdio: 'ignore' },
      );
      children.push(child);
      process.once('exit', () => child.kill('SIGKILL'));
    }
    for (const port of ports) await until(`node ${port}`, () => ask(port, async (r) => (await r.ping()) === 'PONG'));
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    for (const port of ports) {
      await until(`the cluster as node ${port} sees it`, () => ask(port, async (r) => /cluster_state:ok/.test(await r.cluster('INFO'))));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    ports,
    url: `redis://127.0.0.1:${ports[0]}`,
    async keysByNode(pattern) {
      const out = new Map<number, string[]>();
      for (const port of ports) {
        out.set(
          port,
          await ask(port, async (r) => {
            const keys: string[] = [];
            let cursor = '0';
            do {
              const [next, batch] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
              cursor = next;
              keys.push(...batch);
            } while (cursor !== '0');
            return keys;
          }),
        );
      }
      return out;
    },
    stop,
  };
}
