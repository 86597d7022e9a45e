import { ChildProcess, fork, Serializable } from 'node:child_process';
import { Client } from 'pg';
import { childProcessesWith, peakRssMbOf } from '../../test/support/child-processes';
import { createTestDatabase, TestDatabase } from '../../test/support/database';
import { displayWidth, tableLine, tableRule } from '../../test/support/text-table';

/** Arguments of the form `--name value` (a bench script reads its own command line only). */
export function cliArgs(argv: string[] = process.argv.slice(2)): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) out.set(argv[i].slice(2), argv[i + 1]?.startsWith('--') === false ? argv[++i] : 'true');
  }
  return out;
}

/** A fresh database on the real PostgreSQL server; benchmarks never run on the embedded one. */
export async function benchDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  if (db.embedded) {
    await db.drop();
    throw new Error('The benchmarks need a PostgreSQL server: set DATABASE_URL or run one on 127.0.0.1:5432');
  }
  return db;
}

/** A database the caller already made: used, never dropped, by a child process. */
export function existingDatabase(url: string): TestDatabase {
  return { url, embedded: false, drop: async () => undefined };
}

export async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * Counts every statement sent through `pg` in this process (TypeORM's driver included), so a
 * benchmark can state how many queries a request costs.
 */
export function countQueries(): { count(): number } {
  let n = 0;
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    n += 1;
    return original.apply(this, args);
  };
  return { count: () => n };
}

export interface ChildMessage<T> {
  kind: 'ready' | 'result';
  data: T;
}

/**
 * A case run in a child process of its own, so that its peak memory is its own; resolves with
 * the child's `result` message. The child is killed if it takes longer than `timeoutMs`.
 */
export function runChild<T>(script: string, args: string[], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: T | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('message', (m: ChildMessage<T>) => {
      if (m.kind === 'result') result = m.data;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result !== undefined && code === 0) resolve(result);
      else reject(new Error(`${script} ${args.join(' ')} ended with ${signal ?? code} and no result`));
    });
  });
}

/** A long-running child (a server) that sends `ready` with its data once it listens. */
export function startChild<T>(
  script: string,
  args: string[],
  timeoutMs: number,
  execArgv: string[] = [],
): Promise<{ child: ChildProcess; data: T }> {
  return new Promise((resolve, reject) => {
    const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('message', (m: ChildMessage<T>) => {
      clearTimeout(timer);
      resolve({ child, data: m.data });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready`));
    });
  });
}

/** Asks a server child for a message and waits for its answer. */
export function ask<T>(child: ChildProcess, request: Serializable): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m: ChildMessage<T>) => resolve(m.data));
    child.send(request);
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Sends a message to the parent process (a child case reporting back). */
export function report<T>(kind: ChildMessage<T>['kind'], data: T): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('not started as a child process'));
    process.send({ kind, data } satisfies ChildMessage<T>, (e: Error | null) => (e ? reject(e) : resolve()));
  });
}

/** Peak resident memory of this process so far, in MiB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Watches this process's child processes whose command line contains `marker`, and gives the
 * largest peak resident memory any of them reached, in MiB (0 if none ran).
 */
export function sampleChildPeakRss(marker: string, everyMs = 5): () => number {
  let peak = 0;
  const take = () => {
    for (const pid of childProcessesWith(marker)) peak = Math.max(peak, peakRssMbOf(pid));
  };
  const timer = setInterval(take, everyMs);
  return () => {
    clearInterval(timer);
    take();
    return peak;
  };
}

/** Samples this process's memory every few milliseconds until stopped; the peaks, in MiB. */
export function sampleMemory(everyMs = 10): () => { rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number } {
  const peak = { rssMb: 0, heapUsedMb: 0, heapTotalMb: 0, externalMb: 0 };
  const take = () => {
    const m = process.memoryUsage();
    peak.rssMb = Math.max(peak.rssMb, m.rss / 1048576);
    peak.heapUsedMb = Math.max(peak.heapUsedMb, m.heapUsed / 1048576);
    peak.heapTotalMb = Math.max(peak.heapTotalMb, m.heapTotal / 1048576);
    peak.externalMb = Math.max(peak.externalMb, (m.external + m.arrayBuffers) / 1048576);
  };
  take();
  const timer = setInterval(take, everyMs);
  return () => {
    clearInterval(timer);
    take();
    return peak;
  };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const ms = (v: number) => `${v.toFixed(v < 100 ? 1 : 0)} ms`;
export const mb = (v: number) => `${v.toFixed(0)} MB`;
export const ratio = (v: number) => `${v.toFixed(2)}×`;

/** Prints a plain-text table with aligned columns (CJK characters count as two columns). */
export function printTable(title: string, header: string[], rows: string[][]): void {
  const cols = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (r: string[]) => tableLine(r, cols, (i) => i === 0);
  console.log(`\n${title}\n${line(header)}\n${tableRule(cols)}\n${rows.map(line).join('\n')}\n`);
}

/** A target line: what was asked, what was measured, met or not. */
export function verdict(target: string, measured: string, met: boolean): string[] {
  return [target, measured, met ? 'met' : 'MISSED'];
}

/**
 * A county `<prefix>县` with townships `<prefix>01乡`… and, under each, villages `…第01村`… (and,
 * with `offices`, the township's office and inspection group), every unit's path filled in. The
 * numbers have two digits, or as many as the count needs (`<prefix>0001乡`… for 1,500).
 */
export async function seedCounty(
  db: { query: (sql: string, params?: unknown[]) => Promise<unknown> },
  prefix: string,
  townships: number,
  villages: number,
  opts: { offices?: boolean } = {},
): Promise<void> {
  const at = '2026-01-01T00:00:00Z';
  const county = `${prefix}县`;
  const fillPaths = `UPDATE org_unit u SET path = p.path || u.id || '/' FROM org_unit p WHERE u.parent_id = p.id AND u.path LIKE 'tmp-%'`;
  await db.query(
    `INSERT INTO org_unit (name, kind, path, depth, timezone, created_at) VALUES ($1, 'county', 'tmp-county', 1, 'Asia/Shanghai', $2)`,
    [county, at],
  );
  await db.query(`UPDATE org_unit SET path = '/' || id || '/' WHERE path = 'tmp-county'`);
  await db.query(
    `INSERT INTO org_unit (name, kind, parent_id, path, depth, timezone, created_at)
     SELECT $3 || lpad(i::text, greatest(2, length($1::text)), '0') || '乡', 'township', c.id, 'tmp-t-' || i, 2, 'Asia/Shanghai', $2::timestamptz
       FROM org_unit c, generate_series(1, $1::int) i WHERE c.kind = 'county' AND c.name = $4`,
    [townships, at, prefix, county],
  );
  await db.query(fillPaths);
  // The county's townships (t), optionally crossed with more rows (a series).
  const towns = (times = '') =>
    `org_unit c JOIN org_unit t ON t.parent_id = c.id AND t.kind = 'township' ${times} WHERE c.kind = 'county' AND c.name = $3`;
  const others = opts.offices
    ? `UNION ALL
       SELECT t.name || '扶贫办', 'office', t.id, 'tmp-o-' || t.id, 3, 'Asia/Shanghai', $2::timestamptz FROM ${towns()}
       UNION ALL
       SELECT t.name || '督查组', 'inspection_group', t.id, 'tmp-g-' || t.id, 3, 'Asia/Shanghai', $2::timestamptz FROM ${towns()}`
    : '';
  await db.query(
    `INSERT INTO org_unit (name, kind, parent_id, path, depth, timezone, created_at)
     SELECT t.name || '第' || lpad(j::text, greatest(2, length($1::text)), '0') || '村', 'village', t.id, 'tmp-v-' || t.id || '-' || j, 3, 'Asia/Shanghai', $2::timestamptz
       FROM ${towns('CROSS JOIN generate_series(1, $1::int) j')}
     ${others}`,
    [villages, at, county],
  );
  await db.query(fillPaths);
}

/** Runs a benchmark's main: exit 0 when it ends, print the error and exit 1 when it fails. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
