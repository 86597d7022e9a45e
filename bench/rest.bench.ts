import { readFileSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { startTestApp } from '../test/support/test-app';
import { benchDatabase, cliArgs, existingDatabase, ms, percentile, printTable, report, startChild, stopChild } from './support/bench-kit';
import { startDeployment } from './support/deployment';
import { comparisonRows, compareToPeer, LatencyStats, parseWorkloadResult, WorkloadResult } from './support/peer-compare';

/*
 * The REST workload `../shared/peer-redmine/project-workload.mjs` runs against this service,
 * with the same legs, counts, seeded picks and JSON keys: creates sequential and at 8 clients,
 * filtered pages of 100 at 1 and 8 clients, tickets walked to closed (start, photo, submit,
 * approve by the township office) at 8 clients, and the township's overdue count. The service
 * (API and worker, demo data) runs in a process of its own on a fresh database; the load comes
 * from this one. Given Redmine's result file (`--redmine results/redmine1.json`, as
 * workload.mjs writes it in the same session), each leg is rated against it.
 *
 *   npm run bench -- rest [--creates 2000 --lists 200 --closeouts 500 --overdue 20 --concurrency 8 --seed 42]
 *                         [--redmine results/redmine1.json] [--out results/service.json] [--api 2 --workers 2]
 */

const TEAM_PASSWORD = 'Perf-team-2026!';
const DEMO_PASSWORD = 'Demo@2026';
const ZONE = 'Asia/Shanghai';
const OPEN_ANY = 'open,in_progress,pending_review';

interface ServerReady {
  port: number;
}

interface Answer {
  ok: boolean;
  status: number;
  ms: number;
  json: Record<string, unknown> | null;
}

interface Pooled {
  wallS: number;
  lat: number[];
  okCount: number;
  failed: number;
}

/** The service as `npm start` runs it here (API with its worker, demo data), listening on a port. */
async function serve(db: string): Promise<void> {
  const t = await startTestApp({ database: existingDatabase(db), worker: true });
  await t.app.listen(0, '127.0.0.1');
  process.once('SIGTERM', () => void t.close({ keepDatabase: true }).finally(() => process.exit(0)));
  await report<ServerReady>('ready', { port: (t.app.getHttpServer().address() as AddressInfo).port });
}

/** workload.mjs's PRNG (mulberry32), so the same seed picks the same owners and deadlines. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** workload.mjs's statistics, rounded as it rounds them. */
function stats(lat: number[]): LatencyStats {
  if (!lat.length) return { n: 0 };
  const a = [...lat].sort((x, y) => x - y);
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    n: a.length,
    p50_ms: r(percentile(a, 50)),
    p95_ms: r(percentile(a, 95)),
    p99_ms: r(percentile(a, 99)),
    max_ms: r(a[a.length - 1]),
    mean_ms: r(a.reduce((x, y) => x + y, 0) / a.length),
  };
}
const rate = (n: number, s: number) => Math.round((n / s) * 100) / 100;

class Client {
  readonly errors = { count: 0, samples: [] as unknown[] };

  private sent = 0;

  /** Requests go to the API processes in turn. */
  constructor(private readonly apis: string[]) {}

  async req(token: string | null, method: string, path: string, body?: unknown, form?: FormData): Promise<Answer> {
    const start = performance.now();
    let status = 0;
    let text: string;
    try {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (token) headers.Authorization = `Bearer ${token}`;
      let payload: string | FormData | undefined;
      if (form) payload = form;
      else if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        payload = JSON.stringify(body);
      }
      const res = await fetch(this.apis[this.sent++ % this.apis.length] + path, { method, headers, body: payload });
      status = res.status;
      text = await res.text();
    } catch (e) {
      text = String(e);
    }
    const elapsed = performance.now() - start;
    const ok = status >= 200 && status < 300;
    if (!ok) {
      this.errors.count++;
      if (this.errors.samples.length < 5) this.errors.samples.push({ method, path: path.slice(0, 120), status, body: text.slice(0, 300) });
    }
    let json: Record<string, unknown> | null = null;
    if (ok && text) json = JSON.parse(text) as Record<string, unknown>;
    return { ok, status, ms: elapsed, json };
  }

  async login(username: string, password: string): Promise<string> {
    const r = await this.req(null, 'POST', '/auth/login', { username, password });
    if (!r.ok) throw new Error(`login ${username}: HTTP ${r.status}`);
    return r.json!.accessToken as string;
  }
}

async function pool(count: number, concurrency: number, task: (i: number) => Promise<Answer | Answer[]>): Promise<Pooled> {
  let next = 0;
  let okCount = 0;
  const lat: number[] = [];
  const start = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      for (const x of ([] as Answer[]).concat(await task(i))) {
        lat.push(x.ms);
        if (x.ok) okCount++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return { wallS: (performance.now() - start) / 1000, lat, okCount, failed: lat.length - okCount };
}

const PLACES = ['一号车间', '二号仓库', '办公楼三层', '食堂后厨', '配电房', '锅炉房', '消防泵房', '东门岗亭'];
const PROBLEMS = [
  '消防通道堆放杂物',
  '灭火器压力不足',
  '应急照明损坏',
  '安全出口标识缺失',
  '电线私拉乱接',
  '危化品台账不全',
  '特种作业人员无证上岗',
  '防护栏松动',
];
const CATEGORIES = ['政策落实', '基础工作', '项目实施'];

interface Options {
  creates: number;
  lists: number;
  closeouts: number;
  overdue: number;
  concurrency: number;
  warmup: number;
  seed: number;
}

/** The workload against the service at `base`, in workload.mjs's phases and JSON shape. */
async function workload(bases: string[], o: Options, evidence: Buffer): Promise<WorkloadResult> {
  const t0 = performance.now();
  const http = new Client(bases.map((b) => `${b}/api/v1`));
  const rnd = prng(o.seed);
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const todayMs = Date.parse(`${today}T00:00:00Z`);
  const addDays = (n: number) => new Date(todayMs + n * 86400000).toISOString().slice(0, 10);

  const tok = {
    inspector: await http.login('zc_inspector', DEMO_PASSWORD),
    leader: await http.login('zc_leader', DEMO_PASSWORD),
    office: await http.login('zc_office', DEMO_PASSWORD),
    team1: await http.login('zc_team1', DEMO_PASSWORD),
    team2: await http.login('zc_team2', DEMO_PASSWORD),
  };
  const unitOf = async (token: string) =>
    ((await http.req(token, 'GET', '/auth/me')).json!.memberships as Array<{ unitId: string }>)[0].unitId;
  const team1Unit = await unitOf(tok.team1);
  const township = (await http.req(tok.leader, 'GET', `/org-units/${team1Unit}`)).json!.parentId as string;
  const vs = (await http.req(tok.leader, 'GET', `/org-units?parentId=${township}&kind=village&pageSize=100`)).json!.items as Array<{
    id: string;
    name: string;
  }>;
  vs.sort((a, b) => a.name.localeCompare(b.name, 'zh'));
  const teamOf = new Map<string, string>([
    [team1Unit, tok.team1],
    [await unitOf(tok.team2), tok.team2],
  ]);
  const admin = await http.login('admin', 'admin-password');
  for (const [k, v] of vs.entries()) {
    if (teamOf.has(v.id)) continue;
    const username = `perf_team${k + 1}`;
    const r = await http.req(admin, 'POST', '/users', {
      username,
      password: TEAM_PASSWORD,
      displayName: `${v.name}工作队(perf)`,
      memberships: [{ unitId: v.id, role: 'member' }],
    });
    if (!r.ok && r.status !== 409) throw new Error(`create ${username}: ${r.status} ${JSON.stringify(http.errors.samples)}`);
    teamOf.set(v.id, await http.login(username, TEAM_PASSWORD));
  }
  http.errors.count = 0;
  http.errors.samples.length = 0;
  const units = vs.map((v) => ({ id: v.id, name: v.name }));
  const runId = `r${Date.now().toString(36)}`;
  const overdueAll = `/issues?unitId=${township}&subtree=true&overdue=true&pageSize=1`;
  const closedAll = `/issues?unitId=${township}&subtree=true&status=closed&pageSize=1`;
  const total = async (path: string) => (await http.req(tok.leader, 'GET', path)).json!.total as number;
  const overdueBefore = await total(overdueAll);
  const closedBefore = await total(closedAll);

  const listPath = (u: string, status: string, page: number) => `/issues?unitId=${u}&status=${status}&pageSize=100&page=${page + 1}`;
  await pool(o.warmup, o.concurrency, (i) => http.req(tok.leader, 'GET', listPath(units[i % units.length].id, OPEN_ANY, 0)));

  // (a) creates
  const created: Array<{ id: string; due: string; unit: string; closed?: boolean }> = [];
  const create = (phase: string) => async (i: number) => {
    const unit = units[Math.floor(rnd() * units.length)];
    const due = addDays(Math.floor(rnd() * 91) - 30);
    const place = PLACES[i % PLACES.length];
    const problem = PROBLEMS[Math.floor(rnd() * PROBLEMS.length)];
    rnd(); // Redmine's start_date draw, kept so that both streams pick alike
    const r = await http.req(tok.inspector, 'POST', '/issues', {
      title: `[${runId}-${phase}] ${place}：${problem}（第${i + 1}项）`,
      description:
        `检查发现${place}存在“${problem}”问题。整改要求：责任人须在截止日期前完成整改，` +
        `并上传整改前后照片及说明；逾期未完成的，按照安全生产责任制予以通报。检查依据：《安全生产法》及公司安全管理制度。`,
      unitId: unit.id,
      deadline: due,
      category: CATEGORIES[i % CATEGORIES.length],
      responsible: `${unit.name}负责人`,
      measures: '立即清理整改，拍照留存，按期销号。',
    });
    if (r.ok && r.json?.id) created.push({ id: r.json.id as string, due, unit: unit.id });
    return r;
  };
  const aSeq = await pool(o.creates, 1, create('seq'));
  const aConc = await pool(o.creates, o.concurrency, create(`c${o.concurrency}`));

  // (b) pages of 100 by owner unit and status, pages 1 to 4 in turn
  let returned = 0;
  const list = async (i: number) => {
    const r = await http.req(
      tok.leader,
      'GET',
      listPath(units[i % units.length].id, i % 2 ? OPEN_ANY : 'open', Math.floor(i / units.length) % 4),
    );
    if (r.ok) returned += (r.json!.items as unknown[]).length;
    return r;
  };
  const b1 = await pool(o.lists, 1, list);
  const returned1 = returned;
  returned = 0;
  const bC = await pool(o.lists, o.concurrency, list);

  // (c) close-out: start, photo, submit with it, approval by the township office
  const targets = created.slice(0, Math.min(o.closeouts, created.length));
  let chainsOk = 0;
  const c = await pool(targets.length, o.concurrency, async (i) => {
    const target = targets[i];
    const team = teamOf.get(target.unit)!;
    const steps: Answer[] = [];
    const step = async (p: Promise<Answer>) => {
      const r = await p;
      steps.push(r);
      return r;
    };
    let r = await step(http.req(team, 'POST', `/issues/${target.id}/transitions`, { action: 'start', comment: '已开始整改，正在处理。' }));
    if (!r.ok) return steps;
    const fd = new FormData();
    fd.append('file', new Blob([new Uint8Array(evidence)], { type: 'image/jpeg' }), '整改后照片.jpg');
    r = await step(http.req(team, 'POST', `/issues/${target.id}/evidence`, undefined, fd));
    if (!r.ok) return steps;
    const evidenceId = r.json!.id as string;
    r = await step(
      http.req(team, 'POST', `/issues/${target.id}/transitions`, {
        action: 'submit',
        comment: '整改已完成，已上传整改照片，请复核。',
        evidenceIds: [evidenceId],
      }),
    );
    if (!r.ok) return steps;
    r = await step(
      http.req(tok.office, 'POST', `/issues/${target.id}/transitions`, { action: 'approve', comment: '复核通过，整改闭环。' }),
    );
    if (r.ok && r.json?.status === 'closed') {
      chainsOk++;
      target.closed = true;
    }
    return steps;
  });
  const closedNow = (await total(closedAll)) - closedBefore;

  // (d) the township's overdue count
  const d = await pool(o.overdue, 1, () => http.req(tok.leader, 'GET', overdueAll));
  const overdueNow = await total(overdueAll);
  const expected = overdueBefore + created.filter((x) => !x.closed && x.due < today).length;

  const result: WorkloadResult & Record<string, unknown> = {
    tool: 'bench/rest.bench.ts',
    node: process.version,
    base_url: bases.join(' '),
    params: { ...o, evidence_bytes: evidence.length },
    run_id: runId,
    create: {
      sequential: {
        issues: aSeq.okCount,
        wall_s: +aSeq.wallS.toFixed(2),
        issues_per_s: rate(aSeq.okCount, aSeq.wallS),
        failed: aSeq.failed,
        ...stats(aSeq.lat),
      },
      concurrent: {
        concurrency: o.concurrency,
        issues: aConc.okCount,
        wall_s: +aConc.wallS.toFixed(2),
        issues_per_s: rate(aConc.okCount, aConc.wallS),
        failed: aConc.failed,
        ...stats(aConc.lat),
      },
    },
    list: {
      page_size: 100,
      concurrency_1: {
        requests: b1.okCount,
        wall_s: +b1.wallS.toFixed(2),
        req_per_s: rate(b1.okCount, b1.wallS),
        failed: b1.failed,
        avg_issues_per_page: +(returned1 / Math.max(1, b1.okCount)).toFixed(1),
        ...stats(b1.lat),
      },
      concurrent: {
        concurrency: o.concurrency,
        requests: bC.okCount,
        wall_s: +bC.wallS.toFixed(2),
        req_per_s: rate(bC.okCount, bC.wallS),
        failed: bC.failed,
        avg_issues_per_page: +(returned / Math.max(1, bC.okCount)).toFixed(1),
        ...stats(bC.lat),
      },
    },
    update: {
      concurrency: o.concurrency,
      issues: targets.length,
      requests_per_issue: 4,
      chains_ok: chainsOk,
      puts_ok: c.okCount,
      failed: c.failed,
      wall_s: +c.wallS.toFixed(2),
      ops_per_s: rate(c.okCount, c.wallS),
      issues_per_s: rate(chainsOk, c.wallS),
      verified_closed_via_api: closedNow,
      ...stats(c.lat),
    },
    overdue: {
      today,
      count_project: overdueNow,
      count_this_run: overdueNow - overdueBefore,
      expected_this_run: expected - overdueBefore,
      match: overdueNow === expected,
      query: { repeats: o.overdue, wall_s: +d.wallS.toFixed(2), ...stats(d.lat) },
    },
    errors: http.errors,
    total_wall_s: +((performance.now() - t0) / 1000).toFixed(1),
  };
  return result;
}

/** A count option: a whole number, at least `min`. */
function count(args: Map<string, string>, name: string, fallback: number, min = 1): number {
  const text = args.get(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}, not ${text}`);
  return n;
}

async function main(): Promise<void> {
  const args = cliArgs();
  if (args.get('serve') === 'app') return serve(args.get('db')!);
  const options: Options = {
    creates: count(args, 'creates', 2000),
    lists: count(args, 'lists', 200),
    closeouts: count(args, 'closeouts', 500, 0),
    overdue: count(args, 'overdue', 20),
    concurrency: count(args, 'concurrency', 8),
    warmup: count(args, 'warmup', 20, 0),
    seed: count(args, 'seed', 42, 0),
  };
  // The peer's figures are read first, so that a wrong path fails before the run.
  const peerFile = args.get('redmine');
  const peer = peerFile ? parseWorkloadResult(readFileSync(peerFile, 'utf8'), peerFile) : undefined;
  // An 8 KB-class phone photo: noise compresses poorly, as a photo does.
  const noise = Buffer.alloc(160 * 120 * 3);
  for (let i = 0, s = 7; i < noise.length; i++) noise[i] = (s = (s * 1103515245 + 12345) & 0x7fffffff) >> 23;
  const evidence = await sharp(noise, { raw: { width: 160, height: 120, channels: 3 } })
    .jpeg({ quality: 60 })
    .toBuffer();

  // --api N / --workers M: N API processes and M worker processes from dist/ instead of one
  // process with both.
  const apis = count(args, 'api', 1);
  const workers = count(args, 'workers', 0, 0);
  const split = args.has('api') || args.has('workers');
  const shape = split ? `${apis} API process(es) and ${workers} worker(s)` : 'one process, API and worker';
  const db = await benchDatabase();
  let result: WorkloadResult;
  try {
    let bases: string[];
    let stop: () => Promise<void>;
    if (split) {
      const deployment = await startDeployment(db.url, apis, workers);
      bases = deployment.bases;
      stop = () => deployment.stop();
    } else {
      const profile = args.has('cpu-prof') ? ['--cpu-prof', '--cpu-prof-dir', args.get('cpu-prof')!] : [];
      const app = await startChild<ServerReady>(__filename, ['--serve', 'app', '--db', db.url], 180_000, profile);
      bases = [`http://127.0.0.1:${app.data.port}`];
      stop = () => stopChild(app.child);
    }
    try {
      console.log(
        `REST workload on ${shape}: ${options.creates} creates twice, ${options.lists} pages twice, ` +
          `${options.closeouts} close-outs, ${options.overdue} overdue counts, ${options.concurrency} clients`,
      );
      result = await workload(bases, options, evidence);
    } finally {
      await stop();
    }
  } finally {
    await db.drop();
  }
  const r = result;
  const row = (leg: string, perS: string, s: LatencyStats, failed: number) => [
    leg,
    perS,
    ms(s.p50_ms ?? NaN),
    ms(s.p95_ms ?? NaN),
    String(failed),
  ];
  printTable(
    `REST workload (as ../shared/peer-redmine/project-workload.mjs) on ${shape}, ${options.concurrency} clients where concurrent`,
    ['leg', 'throughput', 'p50', 'p95', 'failed'],
    [
      row('create, sequential', `${r.create.sequential.issues_per_s} tickets/s`, r.create.sequential, r.create.sequential.failed),
      row(
        `create, ${options.concurrency} clients`,
        `${r.create.concurrent.issues_per_s} tickets/s`,
        r.create.concurrent,
        r.create.concurrent.failed,
      ),
      row('list 100/page, 1 client', `${r.list.concurrency_1.req_per_s} req/s`, r.list.concurrency_1, r.list.concurrency_1.failed),
      row(
        `list 100/page, ${options.concurrency} clients`,
        `${r.list.concurrent.req_per_s} req/s`,
        r.list.concurrent,
        r.list.concurrent.failed,
      ),
      row(
        `close-out, ${options.concurrency} clients (per request)`,
        `${r.update.issues_per_s} tickets closed/s (${r.update.ops_per_s} req/s)`,
        r.update,
        r.update.failed,
      ),
      row('overdue count, 1 client', `${rate(r.overdue.query.n, r.overdue.query.wall_s ?? NaN)} req/s`, r.overdue.query, 0),
    ],
  );
  console.log(
    `closed ${r.update.chains_ok} of ${r.update.issues}; overdue count ${r.overdue.count_project} ` +
      `(${r.overdue.match ? 'as expected' : 'NOT as expected'}); ${r.errors.count} HTTP errors; ${r.total_wall_s} s in all`,
  );
  if (r.errors.count) console.log(JSON.stringify(r.errors.samples, null, 2));
  if (args.has('out')) writeFileSync(args.get('out')!, `${JSON.stringify(r)}\n`);
  if (peer) {
    printTable(
      `Against Redmine (${peerFile}): targets ≥ 20× its throughput, ≤ 1/10 of its p95`,
      ['leg', 'Redmine', 'this service', 'factor', 'target', ''],
      comparisonRows(compareToPeer(r, peer)),
    );
  }
  if (r.errors.count || !r.overdue.match || r.update.chains_ok !== r.update.issues) process.exitCode = 1;
}

main().then(
  // The server child stays up until the parent stops it; the parent ends when it is done.
  () => (cliArgs().has('serve') ? undefined : process.exit(process.exitCode ?? 0)),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
