import ExcelJS from 'exceljs';
import Handlebars from 'handlebars';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  BUILT_IN_TEMPLATES,
  CycleDocumentKind,
  DocumentIssuer,
  DocumentSnapshot,
  LedgerService,
  SAMPLE_DATA,
  TemplateRegistry,
  templateName,
} from '@app/documents';
import { Scope } from '@app/platform';
import { documentTitle, issuedDateLabel, issuerName, numberLabel, periodLabel } from '../libs/documents/src/issue/document-content';
import { HELPERS } from '../libs/documents/src/render/helpers';
import { freePort, ServiceProcess } from '../test/support/service-process';
import { startTestApp, TestApp } from '../test/support/test-app';
import {
  benchDatabase,
  cliArgs,
  existingDatabase,
  mb,
  ms,
  printTable,
  ratio,
  report,
  runChild,
  sampleMemory,
  seedCounty,
  verdict,
  withClient,
  runMain,
} from './support/bench-kit';
import { MEASURES, personName, problemText } from './support/findings-content';
import { copyFrom, copyLine } from './support/pg-copy';

/*
 * Documents at county scale, each case in a child process of its own so that its memory is its own:
 * (a) the problem ledger of 100,000 tickets to XLSX (and CSV), through the whole app over HTTP and
 *     through LedgerService alone, against a bare exceljs WorkbookWriter fed the same rows by the
 *     same keyset queries over plain `pg`;
 * (b) the month's documents of 20 townships (per township: 15 task lists, 15 self-check reports,
 *     the rectification, progress and evaluation lists and the bulletin) issued by DocumentIssuer
 *     (numbering, Handlebars render with the chart, sha256, insert; one transaction per township),
 *     against the same snapshots rendered by the lib's TemplateRegistry alone and by a bare
 *     Handlebars environment compiled from the same template files.
 *
 *   npm run bench:documents [-- --rows 100000 --townships 20 --rounds 2 --cases service-xlsx,service-csv]
 *
 * `--cases` runs only the named cases (bare, service, http-xlsx, http-csv, service-xlsx, service-csv,
 * render-bare, render-lib, issue); `--keep-db` keeps the seeded database and prints its URL, and
 * `--db URL` runs the cases on such a database without seeding it again.
 */

const PERIOD = '2026-07';
const SOURCES = ['patrol', 'supervision', 'self_check', 'audit', 'higher_feedback', 'verification'];
const CATEGORIES = ['精准识别', '精准退出', '政策落实', '精准帮扶', '项目实施', '资金管理', '基础工作', '两不愁三保障'];

interface Measure {
  case: string;
  rows: number;
  bytes: number;
  ms: number;
  startRssMb: number;
  peakRssMb: number;
  /** The service process's high-water mark once started, before the request. */
  startPeakRssMb?: number;
}

/** A sink that counts what it is given, as a fast client would. */
function counter(): { out: Writable; bytes(): number } {
  let n = 0;
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      cb();
    },
  });
  return { out, bytes: () => n };
}

async function measure(name: string, rows: () => number, fn: () => Promise<number>): Promise<Measure> {
  if (global.gc) global.gc();
  const startRssMb = process.memoryUsage().rss / 1048576;
  const memory = sampleMemory(5);
  const start = performance.now();
  const bytes = await fn();
  const elapsed = performance.now() - start;
  return { case: name, rows: rows(), bytes, ms: elapsed, startRssMb, peakRssMb: memory().rssMb };
}

// ---------------------------------------------------------------------------------------------
// (a) the ledger

async function seedTickets(t: TestApp, rows: number): Promise<number> {
  const db = t.app.get(DataSource);
  const units = await db.query<Array<{ id: string; path: string; timezone: string; township: string }>>(
    `SELECT u.id, u.path, u.timezone, p.id AS township FROM org_unit u JOIN org_unit p ON p.id = u.parent_id
      WHERE u.kind IN ('village', 'office') AND p.kind = 'township' ORDER BY u.path`,
  );
  const [verifier] = await db.query<Array<{ id: string }>>(`SELECT id FROM app_user WHERE username = 'zc_inspector'`);
  const inspections: string[] = [];
  for (const [i, source] of SOURCES.entries()) {
    const [row] = await db.query<Array<{ id: string }>>(
      `INSERT INTO inspection (source, title, issued_by, date, unit_id, created_at) VALUES ($1, $2, $3, $4, $5, now()) RETURNING id`,
      [source, `2026年第${i + 1}批反馈问题`, '县委巡察组', `2026-0${1 + i}-15`, units[0].township],
    );
    inspections.push(row.id);
  }
  const lines: string[] = [];
  for (let i = 1; i <= rows; i++) {
    const u = units[i % units.length];
    const created = new Date(Date.UTC(2026, 0, 1) + (i % 200) * 86_400_000);
    const deadline = new Date(created.getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
    const r = (i * 7919) % 100;
    const status = r < 60 ? 'closed' : r < 65 ? 'cancelled' : r < 80 ? 'in_progress' : r < 90 ? 'pending_review' : 'open';
    const closed = status === 'closed' ? new Date(created.getTime() + (10 + (r % 35)) * 86_400_000).toISOString() : null;
    lines.push(
      copyLine([
        `BM-${String(i).padStart(7, '0')}`,
        SOURCES[i % SOURCES.length],
        i % 3 ? inspections[i % SOURCES.length] : null,
        problemText(i),
        CATEGORIES[i % CATEGORIES.length],
        u.id,
        u.path,
        u.timezone,
        personName(i),
        MEASURES[i % MEASURES.length],
        'deadline',
        deadline,
        r % 7 === 0 ? deadline : null,
        status,
        closed,
        closed ? String(10 + (r % 35) <= 30) : null,
        closed ? verifier.id : null,
        created.toISOString(),
        created.toISOString(),
      ]),
    );
  }
  return withClient(t.database.url, (c) =>
    copyFrom(
      c,
      `COPY ticket (code, source, inspection_id, title, category, unit_id, unit_path, unit_tz, responsible, measures, rectification_class,
                    deadline, original_deadline, status, closed_at, closed_on_time, verified_by, created_at, updated_at) FROM STDIN`,
      lines,
    ),
  );
}

const admin = { userId: '00000000-0000-0000-0000-000000000000', username: 'admin', displayName: 'admin', scope: new Scope([], true) };

async function ledgerViaService(db: string): Promise<Measure> {
  const t = await startTestApp({ database: existingDatabase(db) });
  try {
    const ledger = t.app.get(LedgerService);
    let rows = 0;
    return await measure(
      'LedgerService.writeXlsx',
      () => rows,
      async () => {
        const sink = counter();
        const s = await ledger.select(admin, {});
        rows = (await ledger.writeXlsx(s, sink.out)).found;
        return sink.bytes();
      },
    );
  } finally {
    await t.close({ keepDatabase: true });
  }
}

async function ledgerViaHttp(db: string, format: 'xlsx' | 'csv'): Promise<Measure> {
  const t = await startTestApp({ database: existingDatabase(db) });
  try {
    const token = await t.login('admin');
    await t.app.listen(0, '127.0.0.1');
    const url = `${await t.app.getUrl()}/api/v1/ledger?format=${format}`;
    const [{ n }] = await t.app.get(DataSource).query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ticket WHERE NOT is_common`);
    return await measure(
      `GET /ledger?format=${format} (whole app)`,
      () => n,
      () =>
        new Promise<number>((resolve, reject) => {
          httpGet(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
            let bytes = 0;
            if (res.statusCode !== 200) reject(new Error(`ledger answered ${res.statusCode}`));
            res.on('data', (c: Buffer) => (bytes += c.length));
            res.on('end', () => resolve(bytes));
            res.on('error', reject);
          }).on('error', reject);
        }),
    );
  } finally {
    await t.close({ keepDatabase: true });
  }
}

/** The kernel's view of a process's memory: resident now and its peak (high-water mark), in MiB. */
function procMemory(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/**
 * The service as production runs it (`node dist/apps/api/src/main.js`, API only), a client in
 * this process downloading the whole ledger; the figure is the service's own peak RSS.
 */
async function ledgerFromService(db: string, format: 'xlsx' | 'csv'): Promise<Measure> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'rt-bench-documents-'));
  const svc = new ServiceProcess(
    [],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db,
      DATA_DIR: dataDir,
      CONFIG_DIR: join(dataDir, 'config'),
      QUEUE_PREFIX: `rt-bench-documents-${port}`,
      LOG_LEVEL: 'warn',
      DEMO: '0',
    },
    // Benchmarks run from dist/, where ServiceProcess's root is dist/ itself.
    'apps/api/src/main.js',
  );
  try {
    const base = `http://127.0.0.1:${port}/api/v1`;
    for (let i = 0; ; i++) {
      const up = await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (i > 600 || svc.child.exitCode !== null) throw new Error(`the service did not start:\n${svc.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const login = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'admin-password' }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const pid = svc.child.pid!;
    const before = procMemory(pid);
    const start = performance.now();
    const bytes = await new Promise<number>((resolve, reject) => {
      httpGet(`${base}/ledger?format=${format}`, { headers: { authorization: `Bearer ${accessToken}` } }, (res) => {
        let n = 0;
        if (res.statusCode !== 200) reject(new Error(`ledger answered ${res.statusCode}`));
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => resolve(n));
        res.on('error', reject);
      }).on('error', reject);
    });
    const elapsed = performance.now() - start;
    const after = procMemory(pid);
    const [{ n }] = await withClient(db, (c) => c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ticket WHERE NOT is_common`)).then(
      (r) => r.rows,
    );
    return {
      case: `service process, GET /ledger?format=${format}`,
      rows: n,
      bytes,
      ms: elapsed,
      startRssMb: before.rssMb,
      peakRssMb: Math.max(before.hwmMb, after.hwmMb),
      startPeakRssMb: before.hwmMb,
    };
  } finally {
    await svc.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The reference: the same rows by the same keyset queries over plain pg, into a bare WorkbookWriter. */
async function bareExcel(db: string): Promise<Measure> {
  const c = new Client({ connectionString: db });
  await c.connect();
  try {
    let rows = 0;
    return await measure(
      'bare exceljs stream, same rows',
      () => rows,
      async () => {
        const sink = counter();
        const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink.out });
        const ws = wb.addWorksheet('ledger');
        let after = '';
        for (;;) {
          const { rows: chunk } = await c.query<Record<string, unknown>>({
            text: `SELECT t.code, t.source, i.title AS inspection, t.title, t.category, u.name AS unit, t.responsible,
                          coalesce(i.date, (t.created_at AT TIME ZONE t.unit_tz)::date)::text AS found_on,
                          coalesce(t.original_deadline, t.deadline)::text AS original_deadline, t.deadline::text AS deadline, t.measures,
                          t.status, (t.closed_at AT TIME ZONE t.unit_tz)::date::text AS closed_on, t.closed_on_time, v.display_name AS verifier
                     FROM ticket t JOIN org_unit u ON u.id = t.unit_id
                     LEFT JOIN inspection i ON i.id = t.inspection_id LEFT JOIN app_user v ON v.id = t.verified_by
                    WHERE NOT t.is_common AND t.code > $1 ORDER BY t.code LIMIT 1000`,
            values: [after],
          });
          if (!chunk.length) break;
          for (const r of chunk) ws.addRow(Object.values(r)).commit();
          rows += chunk.length;
          after = chunk[chunk.length - 1].code as string;
        }
        ws.commit();
        await wb.commit();
        return sink.bytes();
      },
    );
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------------------------------------
// (b) the month's documents of 20 townships

interface Unit {
  id: string;
  name: string;
  timezone: string;
}

interface Township extends Unit {
  teams: Unit[];
}

async function loadTownships(db: DataSource): Promise<Township[]> {
  const towns = await db.query<Unit[]>(`SELECT id, name, timezone FROM org_unit WHERE name LIKE '文书__乡' ORDER BY name`);
  const teams = await db.query<Array<Unit & { parent_id: string }>>(
    `SELECT id, name, timezone, parent_id FROM org_unit WHERE parent_id = ANY($1::uuid[]) ORDER BY name`,
    [towns.map((t) => t.id)],
  );
  return towns.map((t) => ({ ...t, teams: teams.filter((v) => v.parent_id === t.id) }));
}

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length];

/** A township's month as the cycle steps store it, at the scale of a real township. */
function monthData(town: Township): Array<{ kind: CycleDocumentKind; unit: Unit; data: unknown }> {
  const s = SAMPLE_DATA as unknown as Record<CycleDocumentKind, Record<string, unknown>>;
  const ref = { id: town.id, name: town.name };
  const out: Array<{ kind: CycleDocumentKind; unit: Unit; data: unknown }> = [];
  const tasks = s.task_list.tasks as Array<Record<string, unknown>>;
  const rect = s.rectification_list.items as Array<Record<string, unknown>>;
  const progress = s.progress_list.rows as Array<Record<string, unknown>>;
  const evaluation = s.evaluation_list.rows as Array<Record<string, unknown>>;
  town.teams.forEach((team, k) => {
    const teamRef = { id: team.id, name: team.name };
    out.push({
      kind: 'task_list',
      unit: team,
      data: {
        ...s.task_list,
        team: teamRef,
        tasks: Array.from({ length: 8 }, (_, i) => ({
          ...pick(tasks, i),
          itemNo: i + 1,
          title: `${pick(MEASURES, i + k)}`,
          unitName: team.name,
        })),
      },
    });
    out.push({
      kind: 'self_check_report',
      unit: team,
      data: { ...s.self_check_report, team: teamRef, title: `《${team.name}7月脱贫攻坚自查报告》` },
    });
  });
  out.push({
    kind: 'rectification_list',
    unit: town,
    data: {
      ...s.rectification_list,
      township: ref,
      items: Array.from({ length: 150 }, (_, i) => ({
        ...pick(rect, i),
        code: `${town.name}-2026-${i + 1}`,
        title: problemText(i),
        unitName: pick(town.teams, i).name,
      })),
    },
  });
  const rows = town.teams.map((team, i) => ({
    ...pick(progress, i),
    team: { id: team.id, name: team.name, kind: 'village' },
    rank: i + 1,
    score: 100 - i * 3,
  }));
  out.push({ kind: 'progress_list', unit: town, data: { ...s.progress_list, township: ref, rows } });
  out.push({
    kind: 'bulletin',
    unit: town,
    data: {
      ...s.bulletin,
      township: ref,
      closeOutRates: town.teams.map((team, i) => ({ unitId: team.id, unitName: team.name, rate: 1 - (i % 5) / 10 })),
    },
  });
  out.push({
    kind: 'evaluation_list',
    unit: town,
    data: {
      ...s.evaluation_list,
      township: ref,
      rows: town.teams.map((team, i) => ({ ...pick(evaluation, i), unitId: team.id, unitName: team.name, rank: i + 1 })),
    },
  });
  return out;
}

/** The snapshot DocumentIssuer stores, built the same way, for the render-only cases. */
function snapshotOf(kind: CycleDocumentKind, unit: Unit, town: Township, data: unknown, number: number, at: Date): DocumentSnapshot {
  return {
    kind,
    locale: 'zh',
    header: {
      issuer: issuerName(kind, town.name, data),
      number,
      year: 2026,
      numberLabel: numberLabel(kind, 2026, number, 'zh'),
      title: documentTitle(kind, 'zh', data, town.name, unit.name, PERIOD),
      unitName: unit.name,
      townshipName: town.name,
      period: PERIOD,
      periodLabel: periodLabel(PERIOD, 'zh'),
      issuedDate: issuedDateLabel(at, town.timezone, 'zh'),
      timezone: town.timezone,
      issuedBy: null,
      corrects: null,
    },
    data,
  };
}

async function issueCase(db: string): Promise<Measure> {
  const t = await startTestApp({ database: existingDatabase(db) });
  try {
    const source = t.app.get(DataSource);
    const issuer = t.app.get(DocumentIssuer);
    const towns = await loadTownships(source);
    const months = towns.map((town) => ({ town, docs: monthData(town) }));
    let count = 0;
    return await measure(
      'DocumentIssuer.issue, same data',
      () => count,
      async () => {
        const ids: string[] = [];
        for (const { town, docs } of months) {
          await source.transaction(async (m) => {
            for (const d of docs) {
              const id = await issuer.issue(m, {
                kind: d.kind,
                unit: d.unit,
                township: town,
                period: PERIOD,
                data: d.data,
                locale: 'zh',
                issuedBy: null,
                corrects: null,
                sourceOutputId: null,
              });
              ids.push(id);
              count += 1;
            }
          });
        }
        const [{ n }] = await source.query<Array<{ n: string }>>(
          `SELECT coalesce(sum(octet_length(html)), 0) AS n FROM document WHERE id = ANY($1::uuid[])`,
          [ids],
        );
        return Number(n);
      },
    );
  } finally {
    await t.close({ keepDatabase: true });
  }
}

async function renderCase(db: string, bare: boolean): Promise<Measure> {
  const t = await startTestApp({ database: existingDatabase(db) });
  try {
    const towns = await loadTownships(t.app.get(DataSource));
    const at = new Date('2026-07-31T09:00:00Z');
    const snapshots = towns.flatMap((town) => monthData(town).map((d, i) => snapshotOf(d.kind, d.unit, town, d.data, i + 1, at)));
    let render: (s: DocumentSnapshot) => string;
    if (bare) {
      // A Handlebars environment of its own with the same helpers, partials and template files.
      const hb = Handlebars.create();
      for (const [name, fn] of Object.entries(HELPERS)) hb.registerHelper(name, fn);
      const compiled = new Map<string, Handlebars.TemplateDelegate>();
      for (const f of readdirSync(BUILT_IN_TEMPLATES).filter((x) => x.endsWith('.hbs'))) {
        const text = readFileSync(join(BUILT_IN_TEMPLATES, f), 'utf8');
        if (f.startsWith('_')) hb.registerPartial(f.slice(0, -4), text);
        else compiled.set(f.slice(0, -4), hb.compile(text));
      }
      render = (s) => compiled.get(templateName(s.kind, s.locale))!(s);
    } else {
      const registry = t.app.get(TemplateRegistry);
      render = (s) => registry.render(s);
    }
    // Handlebars compiles a template on its first call: one call of each kind first, for both.
    for (const kind of new Set(snapshots.map((x) => x.kind))) render(snapshots.find((x) => x.kind === kind)!);
    return await measure(
      bare ? 'bare Handlebars call, same data' : 'TemplateRegistry.render, same data',
      () => snapshots.length,
      () => {
        let bytes = 0;
        for (const s of snapshots) bytes += Buffer.byteLength(render(s));
        return Promise.resolve(bytes);
      },
    );
  } finally {
    await t.close({ keepDatabase: true });
  }
}

// ---------------------------------------------------------------------------------------------

async function child(args: Map<string, string>): Promise<void> {
  const db = args.get('db')!;
  const name = args.get('case');
  const result =
    name === 'service'
      ? await ledgerViaService(db)
      : name === 'http-xlsx'
        ? await ledgerViaHttp(db, 'xlsx')
        : name === 'http-csv'
          ? await ledgerViaHttp(db, 'csv')
          : name === 'service-xlsx'
            ? await ledgerFromService(db, 'xlsx')
            : name === 'service-csv'
              ? await ledgerFromService(db, 'csv')
              : name === 'bare'
                ? await bareExcel(db)
                : name === 'issue'
                  ? await issueCase(db)
                  : await renderCase(db, name === 'render-bare');
  await report('result', result);
}

async function main(): Promise<void> {
  const args = cliArgs();
  if (args.has('case')) return child(args);
  const rows = Number(args.get('rows') ?? 100_000);
  const townships = Number(args.get('townships') ?? 20);
  const rounds = Number(args.get('rounds') ?? 2);
  const all = ['bare', 'service', 'http-xlsx', 'http-csv', 'service-xlsx', 'service-csv', 'render-bare', 'render-lib', 'issue'];
  const cases = args.has('cases') ? args.get('cases')!.split(',') : all;
  const unknown = cases.filter((c) => !all.includes(c));
  if (unknown.length) throw new Error(`unknown case ${unknown.join(', ')}; the cases are ${all.join(', ')}`);
  const reused = args.get('db');
  const db = reused ? existingDatabase(reused) : await benchDatabase();
  try {
    if (!reused) {
      const t = await startTestApp({ database: existingDatabase(db.url) });
      try {
        const seedStart = performance.now();
        await seedTickets(t, rows);
        await seedCounty(t.app.get(DataSource), '文书', townships, 15);
        await withClient(db.url, (c) => c.query('VACUUM ANALYZE'));
        console.log(`seeded ${rows} tickets and ${townships} townships × 15 villages in ${ms(performance.now() - seedStart)}`);
      } finally {
        await t.close({ keepDatabase: true });
      }
    }

    const results: Measure[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const c of cases) {
        const r = await runChild<Measure>(__filename, ['--case', c, '--db', db.url], 600_000);
        results.push(r);
      }
    }
    const best = (name: string): Measure | undefined => {
      const runs = results.filter((r) => r.case === name);
      if (!runs.length) return undefined;
      return { ...runs[0], ms: Math.min(...runs.map((r) => r.ms)), peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)) };
    };
    const line = (m: Measure, ref?: Measure) => [
      m.case,
      String(m.rows),
      `${(m.bytes / 1048576).toFixed(1)} MB`,
      ms(m.ms),
      mb(m.startRssMb),
      mb(m.peakRssMb),
      mb(m.peakRssMb - m.startRssMb),
      ref ? ratio(m.ms / ref.ms) : '1.00× (reference)',
    ];
    const header = ['case', 'rows/docs', 'output', 'time (best)', 'RSS at start', 'peak RSS', 'growth', 'time vs reference'];
    const lines = (ref: Measure | undefined, list: Array<Measure | undefined>) =>
      list.filter((m): m is Measure => !!m).map((m) => (m === ref || !ref ? line(m) : line(m, ref)));

    const bare = best('bare exceljs stream, same rows');
    const service = best('LedgerService.writeXlsx');
    const httpX = best('GET /ledger?format=xlsx (whole app)');
    const httpC = best('GET /ledger?format=csv (whole app)');
    const procX = best('service process, GET /ledger?format=xlsx');
    const procC = best('service process, GET /ledger?format=csv');
    const ledger = lines(bare, [bare, service, httpX, httpC, procX, procC]);
    if (ledger.length) printTable(`(a) the ledger of ${rows} tickets`, header, ledger);
    for (const p of [procX, procC].filter((m): m is Measure => !!m)) {
      console.log(`${p.case}: peak while starting ${mb(p.startPeakRssMb ?? NaN)}, idle ${mb(p.startRssMb)}, peak ${mb(p.peakRssMb)}`);
    }

    const hb = best('bare Handlebars call, same data');
    const lib = best('TemplateRegistry.render, same data');
    const issue = best('DocumentIssuer.issue, same data');
    const docs = lines(hb, [hb, lib, issue]);
    if (docs.length) printTable(`(b) the month's documents of ${townships} townships`, header, docs);

    const targets = [
      procX && verdict('service process streaming the XLSX ledger: peak RSS < 300 MB', mb(procX.peakRssMb), procX.peakRssMb < 300),
      procC && verdict('service process streaming the CSV ledger: peak RSS < 300 MB', mb(procC.peakRssMb), procC.peakRssMb < 300),
      httpX &&
        verdict(
          'the app streaming the XLSX ledger in-process: growth < 100 MB',
          mb(httpX.peakRssMb - httpX.startRssMb),
          httpX.peakRssMb - httpX.startRssMb < 100,
        ),
      issue && verdict(`a month of documents for ${townships} townships < 60 s`, ms(issue.ms), issue.ms < 60_000),
    ].filter((t): t is string[] => !!t);
    printTable('Targets', ['target', 'measured', ''], targets);
    console.log(
      'RSS is sampled every 5 ms in the case’s own process (the app and its client for the in-process HTTP cases); "growth" is\n' +
        'the peak over the RSS when the case began. "service process" is the built service started as in production, its peak\n' +
        'the kernel’s high-water mark (VmHWM, start-up included) and the client in another process. Times are the best of the rounds.',
    );
  } finally {
    if (args.has('keep-db') && !reused) console.log(`kept the database: --db ${db.url}`);
    else if (!reused) await db.drop();
  }
}

runMain(main);
