import autocannon from 'autocannon';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { PreparedQueries, PrincipalResolver } from '@app/platform';
import { OrgUnit } from '@app/org';
import { TicketQueryService } from '@app/tickets';
import { startTestApp } from '../test/support/test-app';
import {
  ask,
  benchDatabase,
  cliArgs,
  countQueries,
  existingDatabase,
  ms,
  percentile,
  printTable,
  ratio,
  report,
  startChild,
  stopChild,
  verdict,
  withClient,
} from './support/bench-kit';
import { generateTickets, TICKETS } from './support/generate-tickets';

/*
 * GET /api/v1/issues for a township's subtree, filtered by status and by a two-character
 * search (危房), on 100,000 tickets, at 8 concurrent clients: the whole app (auth, validation,
 * scope, views, JSON) against a bare node:http + pg endpoint that runs the same list SQL. Each
 * server runs in a process of its own; the load comes from this one.
 */

const CONNECTIONS = 8;
const QUERY = { status: 'open,in_progress', q: '危房' };

interface ServerReady {
  port: number;
  path: string;
  token?: string;
}

interface BareConfig {
  /** The prepared statement's name: the bare endpoint runs the list as the app does. */
  name: string;
  sql: string;
  params: unknown[];
}

interface LoadResult {
  server: 'app' | 'bare';
  requests: number;
  seconds: number;
  errors: number;
  latencies: number[];
}

/** The whole app, listening on a port, its statements counted. */
async function serveApp(db: string): Promise<void> {
  const counter = countQueries();
  const t = await startTestApp({ database: existingDatabase(db) });
  await t.app.listen(0, '127.0.0.1');
  const token = await t.login('zc_leader');
  const source = t.app.get(DataSource);
  const unit = await source.manager.findOneOrFail(OrgUnit, { where: { name: '中厂镇' } });
  const [user] = await source.query<Array<{ id: string; token_version: number }>>(
    `SELECT id, token_version FROM app_user WHERE username = 'zc_leader'`,
  );
  const principal = await t.app.get(PrincipalResolver).resolve(user.id, user.token_version);
  const query = { unitId: unit.id, subtree: true, status: QUERY.status.split(',') as ['open'], q: QUERY.q, page: 1, pageSize: 20 };
  const list = t.app.get(TicketQueryService).buildListSql(principal!, query);
  const bare: BareConfig = { ...list, name: t.app.get(PreparedQueries).nameOf(list.sql) };
  const path = `/api/v1/issues?unitId=${unit.id}&subtree=true&status=${QUERY.status}&q=${encodeURIComponent(QUERY.q)}&page=1&pageSize=20`;
  process.on('message', (m: string) => void report('result', m === 'count' ? counter.count() : bare));
  process.once('SIGTERM', () => void t.close().finally(() => process.exit(0)));
  await report<ServerReady>('ready', { port: (t.app.getHttpServer().address() as AddressInfo).port, path, token });
}

/** The reference: node:http and a pg pool of the app's size, the same prepared statement, rows as JSON. */
async function serveBare(db: string): Promise<void> {
  const counter = countQueries();
  let config: BareConfig | undefined;
  const pool = new Pool({ connectionString: db, max: 10 });
  const server = createServer((_req, res) => {
    const params = [new Date(), ...config!.params.slice(1)];
    pool.query({ name: config!.name, text: config!.sql, values: params }).then(
      (r) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ items: r.rows, total: r.rows.length ? Number(r.rows[0].total) : 0 }));
      },
      (e: Error) => {
        res.writeHead(500);
        res.end(e.message);
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.on('message', (m: BareConfig | string) => {
    if (m === 'count') return void report('result', counter.count());
    config = m as BareConfig;
    void report('result', 'ok');
  });
  process.once('SIGTERM', () => server.close(() => void pool.end().finally(() => process.exit(0))));
  await report<ServerReady>('ready', { port: (server.address() as AddressInfo).port, path: '/issues' });
}

async function load(server: LoadResult['server'], ready: ServerReady, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const instance = autocannon({
    url: `http://127.0.0.1:${ready.port}${ready.path}`,
    connections: CONNECTIONS,
    duration: seconds,
    headers: ready.token ? { authorization: `Bearer ${ready.token}` } : {},
  });
  instance.on('response', (_client, status, _bytes, time) => {
    if (status === 200) latencies.push(time);
  });
  const result = await instance;
  return {
    server,
    requests: result['2xx'],
    seconds: result.duration,
    errors: result.errors + result.timeouts + result.non2xx,
    latencies,
  };
}

async function main(): Promise<void> {
  const args = cliArgs();
  if (args.get('serve') === 'app') return serveApp(args.get('db')!);
  if (args.get('serve') === 'bare') return serveBare(args.get('db')!);
  const seconds = Number(args.get('seconds') ?? 8);
  const rounds = Number(args.get('rounds') ?? 2);
  const db = await benchDatabase();
  const children: Array<Parameters<typeof ask>[0]> = [];
  try {
    const setup = await startTestApp({ database: db });
    try {
      const started = Date.now();
      await generateTickets(setup.app.get(DataSource));
      console.log(`${TICKETS} tickets generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      await setup.close({ keepDatabase: true });
    }
    // --cpu-prof DIR writes a CPU profile of the app process there.
    const profile = args.has('cpu-prof') ? ['--cpu-prof', '--cpu-prof-dir', args.get('cpu-prof')!] : [];
    const app = await startChild<ServerReady>(__filename, ['--serve', 'app', '--db', db.url], 120_000, profile);
    children.push(app.child);
    const bare = await startChild<ServerReady>(__filename, ['--serve', 'bare', '--db', db.url], 60_000);
    children.push(bare.child);
    const config = await ask<BareConfig>(app.child, 'sql');
    await ask(bare.child, config);
    if (args.has('explain')) {
      const plan = await withClient(db.url, (c) =>
        c.query(`EXPLAIN (ANALYZE, BUFFERS) ${config.sql}`, [new Date(), ...config.params.slice(1)]),
      );
      console.log(plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'));
    }

    // Both answer the same page before anything is timed.
    const get = async (r: ServerReady) =>
      (
        await fetch(`http://127.0.0.1:${r.port}${r.path}`, { headers: r.token ? { authorization: `Bearer ${r.token}` } : {} })
      ).json() as Promise<{
        items: Array<{ id: string }>;
        total: number;
      }>;
    const [fromApp, fromBare] = await Promise.all([get(app.data), get(bare.data)]);
    if (fromApp.total !== fromBare.total || fromApp.items.map((i) => i.id).join() !== fromBare.items.map((i) => i.id).join()) {
      throw new Error(`the app and the bare endpoint disagree: ${fromApp.total} vs ${fromBare.total}`);
    }
    console.log(
      `the page: ${fromApp.items.length} of ${fromApp.total} matching tickets; ${CONNECTIONS} connections, ${rounds} × ${seconds} s each`,
    );

    // Statements per request, counted over sequential requests (under load, requests still in
    // flight when a run stops have sent statements but are not counted as answered).
    const probe = async (child: Parameters<typeof ask>[0], r: ServerReady) => {
      const before = await ask<number>(child, 'count');
      for (let i = 0; i < 20; i++) await get(r);
      return ((await ask<number>(child, 'count')) - before) / 20;
    };
    const perRequest = { app: await probe(app.child, app.data), bare: await probe(bare.child, bare.data) };
    await load('bare', bare.data, 2);
    await load('app', app.data, 2);
    const results: LoadResult[] = [];
    for (let r = 0; r < rounds; r++) {
      results.push(await load('bare', bare.data, seconds));
      results.push(await load('app', app.data, seconds));
    }
    const sum = (server: LoadResult['server']) => {
      const runs = results.filter((x) => x.server === server);
      const requests = runs.reduce((n, x) => n + x.requests, 0);
      const secs = runs.reduce((n, x) => n + x.seconds, 0);
      const lat = runs.flatMap((x) => x.latencies).sort((a, b) => a - b);
      return {
        rps: requests / secs,
        p50: percentile(lat, 50),
        p95: percentile(lat, 95),
        p99: percentile(lat, 99),
        errors: runs.reduce((n, x) => n + x.errors, 0),
        perRequest: perRequest[server],
      };
    };
    const a = sum('app');
    const b = sum('bare');
    printTable(
      `GET /issues?unitId=中厂镇&subtree=true&status=${QUERY.status}&q=${QUERY.q} on ${TICKETS} tickets, ${CONNECTIONS} connections`,
      ['server', 'req/s', 'p50', 'p95', 'p99', 'errors', 'queries/req'],
      [
        ['app (Nest + Fastify + TypeORM)', a.rps.toFixed(0), ms(a.p50), ms(a.p95), ms(a.p99), String(a.errors), a.perRequest.toFixed(2)],
        ['bare node:http + pg', b.rps.toFixed(0), ms(b.p50), ms(b.p95), ms(b.p99), String(b.errors), b.perRequest.toFixed(2)],
        ['app / bare', ratio(a.rps / b.rps), ratio(a.p50 / b.p50), ratio(a.p95 / b.p95), ratio(a.p99 / b.p99), '', ''],
      ],
    );
    printTable(
      'Targets',
      ['target', 'measured', ''],
      [
        verdict('throughput ≥ 0.6× bare', ratio(a.rps / b.rps), a.rps >= 0.6 * b.rps),
        verdict('p95 < 50 ms', ms(a.p95), a.p95 < 50),
        verdict('≤ 2 queries per request', a.perRequest.toFixed(2), a.perRequest <= 2.001),
        verdict('no errors', String(a.errors + b.errors), a.errors + b.errors === 0),
      ],
    );
  } finally {
    for (const c of children) await stopChild(c);
    // --keep leaves the database for EXPLAIN and friends.
    if (args.has('keep')) console.log(`kept ${db.url}`);
    else await db.drop();
  }
}

main().then(
  // A server child stays up until the parent stops it; the parent ends when it is done.
  () => (cliArgs().has('serve') ? undefined : process.exit(0)),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
