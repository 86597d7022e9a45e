import ExcelJS from 'exceljs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DEFAULT_TABLE_LIMITS, mapHeaders, readSheet } from '@app/platform';
import { FINDING_COLUMNS, parseSheetDate, searchText, textBigrams, titleOf } from '@app/tickets';
import { startTestApp } from '../test/support/test-app';
import {
  benchDatabase,
  cliArgs,
  existingDatabase,
  mb,
  ms,
  peakRssMb,
  printTable,
  ratio,
  report,
  runChild,
  sampleMemory,
  verdict,
  withClient,
  runMain,
} from './support/bench-kit';
import { MEASURES, personName, problemText } from './support/findings-content';
import { copyFrom, copyLine, pgTextArray } from './support/pg-copy';

/*
 * Import of a 20,000-row findings list through the real import path (HTTP, multipart, parse,
 * validation, unit matching, numbering, set-based write of tickets and their history) against a
 * reference that parses the same file with the same reader and COPYs the same rows (tickets and
 * their "created" history) into the same tables. Every case runs in a child process of its own
 * so that its peak RSS is its own; the tables are emptied before each case.
 */

const ROWS = 20_000;
const CATEGORIES = ['精准识别', '精准退出', '政策落实', '精准帮扶', '项目实施', '资金管理', '基础工作', '两不愁三保障'];
const HEADER = ['序号', '问题描述', '问题类别', '责任单位', '责任人', '整改措施', '整改时限'];

type Format = 'csv' | 'xlsx';
type Mode = 'import' | 'copy';

interface CaseResult {
  mode: Mode;
  format: Format;
  rows: number;
  totalMs: number;
  parseMs: number;
  writeMs: number;
  baselineRssMb: number;
  peakRssMb: number;
  peakHeapMb: number;
}

function deadlineText(i: number): string {
  const month = (i % 6) + 7;
  const day = (i % 28) + 1;
  switch (i % 3) {
    case 0:
      return `2026-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    case 1:
      return `2026/${month}/${day}`;
    default:
      return `2026年${month}月${day}日`;
  }
}

function findingRow(i: number, units: string[]): string[] {
  return [
    String(i),
    problemText(i),
    CATEGORIES[i % CATEGORIES.length],
    units[i % units.length],
    personName(i + 17),
    MEASURES[i % MEASURES.length],
    deadlineText(i),
  ];
}

function writeCsv(path: string, units: string[]): void {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [HEADER.join(',')];
  for (let i = 1; i <= ROWS; i++) lines.push(findingRow(i, units).map(cell).join(','));
  // Excel in China writes a BOM before UTF-8 text.
  writeFileSync(path, '\ufeff' + lines.join('\r\n') + '\r\n', 'utf8');
}

async function writeXlsx(path: string, units: string[]): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true, useStyles: true });
  const ws = wb.addWorksheet('问题清单');
  ws.addRow(HEADER).commit();
  for (let i = 1; i <= ROWS; i++) {
    const row: unknown[] = findingRow(i, units);
    row[0] = i;
    // Every fourth deadline is a real date cell (an Excel serial number), as typed in Excel.
    if (i % 4 === 0) row[6] = new Date(Date.UTC(2026, (i % 6) + 6, (i % 28) + 1));
    ws.addRow(row).commit();
  }
  ws.commit();
  await wb.commit();
}

/** The real import: the whole app in this process, the file posted over HTTP. */
async function importCase(db: string, file: string, format: Format, inspection: string): Promise<CaseResult> {
  const t = await startTestApp({ database: existingDatabase(db), env: { IMPORT_MAX_MB: '50' } });
  try {
    const token = await t.login('zc_inspector');
    const data = readFileSync(file);
    // The write phase is the import's transaction: numbering, tickets, history, commit.
    const source = t.app.get(DataSource);
    const transaction = source.transaction.bind(source) as (fn: unknown) => Promise<unknown>;
    let writeMs = 0;
    (source as unknown as { transaction: (fn: unknown) => Promise<unknown> }).transaction = async (fn: unknown) => {
      const start = performance.now();
      try {
        return await transaction(fn);
      } finally {
        writeMs += performance.now() - start;
      }
    };
    const baselineRssMb = process.memoryUsage().rss / 1048576;
    const memory = sampleMemory();
    const start = performance.now();
    const res = await t
      .http()
      .post(`/api/v1/inspections/${inspection}/findings/import`)
      .set('authorization', `Bearer ${token}`)
      .attach('file', data, `问题清单.${format}`);
    const totalMs = performance.now() - start;
    const { heapUsedMb } = memory();
    if (res.status !== 200 || res.body.created !== ROWS)
      throw new Error(`import answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
    return {
      mode: 'import',
      format,
      rows: ROWS,
      totalMs,
      parseMs: totalMs - writeMs,
      writeMs,
      baselineRssMb,
      peakRssMb: peakRssMb(),
      peakHeapMb: heapUsedMb,
    };
  } finally {
    await t.close();
  }
}

/** The reference: the same reader, then COPY of the same rows into the same tables. */
async function copyCase(db: string, file: string, format: Format, inspection: string): Promise<CaseResult> {
  const client = new Client({ connectionString: db });
  await client.connect();
  try {
    const baselineRssMb = process.memoryUsage().rss / 1048576;
    const memory = sampleMemory();
    const start = performance.now();
    const data = readFileSync(file);
    const { rows: units } = await client.query<{ id: string; name: string; path: string; timezone: string }>(
      `SELECT u.id, u.name, u.path, u.timezone FROM org_unit u
        WHERE u.path LIKE (SELECT o.path || '%' FROM inspection i JOIN org_unit o ON o.id = i.unit_id WHERE i.id = $1)`,
      [inspection],
    );
    const {
      rows: [meta],
    } = await client.query<{ source: string; user_id: string; township: string }>(
      `SELECT i.source, (SELECT id FROM app_user WHERE username = 'zc_inspector') AS user_id, o.name AS township
         FROM inspection i JOIN org_unit o ON o.id = i.unit_id WHERE i.id = $1`,
      [inspection],
    );
    const byName = new Map(units.map((u) => [u.name, u]));
    const now = new Date().toISOString();
    const tickets: string[] = [];
    const events: string[] = [];
    let columns: Map<string, number> | undefined;
    for await (const row of readSheet(data, `x.${format}`, { ...DEFAULT_TABLE_LIMITS, maxRows: ROWS })) {
      if (!columns) {
        columns = mapHeaders(row, FINDING_COLUMNS);
        continue;
      }
      const cell = (k: string) => row.values[columns!.get(k)!] ?? '';
      const unit = byName.get(cell('unit'));
      const deadline = parseSheetDate(cell('deadline'));
      if (!unit || !deadline) throw new Error(`row ${row.rowNumber} does not parse`);
      const { title, description } = titleOf(cell('problem'));
      const id = randomUUID();
      tickets.push(
        copyLine([
          id,
          `${meta.township}-2026-B${tickets.length + 1}`,
          inspection,
          meta.source,
          title,
          description,
          cell('category') || null,
          unit.id,
          unit.path,
          unit.timezone,
          cell('responsible') || null,
          cell('measures') || null,
          'deadline',
          deadline,
          'open',
          pgTextArray(textBigrams(searchText(title, description))),
          meta.user_id,
          now,
          now,
        ]),
      );
      events.push(copyLine([id, 'created', 'open', meta.user_id, '中厂镇效能督查组', now]));
    }
    const writeStart = performance.now();
    await client.query('BEGIN');
    const copied = await copyFrom(
      client,
      `COPY ticket (id, code, inspection_id, source, title, description, category, unit_id, unit_path, unit_tz, responsible, measures,
                    rectification_class, deadline, status, search_grams, created_by, created_at, updated_at) FROM STDIN`,
      tickets,
    );
    await copyFrom(client, `COPY ticket_event (ticket_id, kind, to_status, actor_id, actor_name, at) FROM STDIN`, events);
    await client.query('COMMIT');
    const end = performance.now();
    if (copied !== ROWS) throw new Error(`copied ${copied} rows`);
    return {
      mode: 'copy',
      format,
      rows: copied,
      totalMs: end - start,
      parseMs: writeStart - start,
      writeMs: end - writeStart,
      baselineRssMb,
      peakRssMb: peakRssMb(),
      peakHeapMb: memory().heapUsedMb,
    };
  } finally {
    await client.end();
  }
}

async function child(args: Map<string, string>): Promise<void> {
  const [db, file, inspection] = ['db', 'file', 'inspection'].map((k) => args.get(k)!);
  const format = args.get('format') as Format;
  const result =
    args.get('case') === 'import' ? await importCase(db, file, format, inspection) : await copyCase(db, file, format, inspection);
  await report('result', result);
}

async function prepare(dbUrl: string, dir: string): Promise<{ inspection: string; files: Record<Format, string> }> {
  const t = await startTestApp({ database: existingDatabase(dbUrl) });
  try {
    const token = await t.login('zc_inspector');
    const source = t.app.get(DataSource);
    const [township] = await source.query<Array<{ id: string; path: string }>>(`SELECT id, path FROM org_unit WHERE name = '中厂镇'`);
    const units = (
      await source.query<Array<{ name: string }>>(`SELECT name FROM org_unit WHERE path LIKE $1 AND kind = 'village' ORDER BY name`, [
        `${township.path}%`,
      ])
    ).map((u) => u.name);
    const res = await t.http().post('/api/v1/inspections').set('authorization', `Bearer ${token}`).send({
      source: 'patrol',
      title: '县委第二巡察组巡察反馈问题清单',
      issuedBy: '县委第二巡察组',
      date: '2026-07-28',
      unitId: township.id,
    });
    if (res.status !== 201) throw new Error(`inspection: ${res.status} ${JSON.stringify(res.body)}`);
    const files = { csv: join(dir, 'findings.csv'), xlsx: join(dir, 'findings.xlsx') };
    writeCsv(files.csv, units);
    await writeXlsx(files.xlsx, units);
    return { inspection: res.body.id as string, files };
  } finally {
    await t.close();
  }
}

async function main(): Promise<void> {
  const args = cliArgs();
  if (args.has('case')) return child(args);
  const rounds = Number(args.get('rounds') ?? 2);
  const db = await benchDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'rt-bench-import-'));
  try {
    const { inspection, files } = await prepare(db.url, dir);
    const sizes = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, readFileSync(f).length / 1048576]));
    console.log(
      `${ROWS} findings: CSV ${sizes.csv.toFixed(1)} MB, XLSX ${sizes.xlsx.toFixed(1)} MB; ${rounds} round(s), best time of each case`,
    );
    const results: CaseResult[] = [];
    console.log(`inspection ${inspection}`);
    for (let round = 0; round < rounds; round++) {
      for (const format of ['csv', 'xlsx'] as const) {
        for (const mode of ['copy', 'import'] as const) {
          await withClient(db.url, async (c) => {
            // The history refuses TRUNCATE; between rounds the bench clears it with triggers set aside.
            await c.query('SET session_replication_role = replica');
            await c.query('TRUNCATE ticket, ticket_event, ticket_sequence, ticket_open_month CASCADE');
            await c.query('RESET session_replication_role');
            await c.query('CHECKPOINT');
          });
          const args = ['--case', mode, '--format', format, '--db', db.url, '--file', files[format], '--inspection', inspection];
          results.push(await runChild<CaseResult>(__filename, args, 180_000));
        }
      }
    }
    if (!results.length) return; // --rounds 0 only prepares (with --keep, for a closer look)
    const best = (mode: Mode, format: Format) => {
      const runs = results.filter((r) => r.mode === mode && r.format === format);
      return {
        totalMs: Math.min(...runs.map((r) => r.totalMs)),
        parseMs: Math.min(...runs.map((r) => r.parseMs)),
        writeMs: Math.min(...runs.map((r) => r.writeMs)),
        baselineRssMb: Math.max(...runs.map((r) => r.baselineRssMb)),
        peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
        peakHeapMb: Math.max(...runs.map((r) => r.peakHeapMb)),
      };
    };
    const table: string[][] = [];
    const targets: string[][] = [];
    for (const format of ['csv', 'xlsx'] as const) {
      const imp = best('import', format);
      const ref = best('copy', format);
      const label = format.toUpperCase();
      table.push(
        [
          `${label} import (HTTP)`,
          ms(imp.totalMs),
          ms(imp.parseMs),
          ms(imp.writeMs),
          mb(imp.baselineRssMb),
          mb(imp.peakRssMb),
          mb(imp.peakHeapMb),
        ],
        [
          `${label} parse + COPY`,
          ms(ref.totalMs),
          ms(ref.parseMs),
          ms(ref.writeMs),
          mb(ref.baselineRssMb),
          mb(ref.peakRssMb),
          mb(ref.peakHeapMb),
        ],
        [
          `${label} import / reference`,
          ratio(imp.totalMs / ref.totalMs),
          ratio(imp.parseMs / ref.parseMs),
          ratio(imp.writeMs / ref.writeMs),
          '',
          '',
        ],
      );
      targets.push(verdict(`${label} write phase ≤ 2× COPY`, ratio(imp.writeMs / ref.writeMs), imp.writeMs <= 2 * ref.writeMs));
      targets.push(verdict(`${label} import peak RSS < 300 MB`, mb(imp.peakRssMb), imp.peakRssMb < 300));
      if (format === 'xlsx') targets.push(verdict(`${label} whole import < 5 s`, ms(imp.totalMs), imp.totalMs < 5000));
    }
    printTable(`Import of ${ROWS} rows`, ['case', 'total', 'parse + validate', 'write', 'RSS at start', 'peak RSS', 'peak JS heap'], table);
    printTable('Targets', ['target', 'measured', ''], targets);
    console.log(
      'import = POST .../findings/import on the whole app (parse + validate = everything outside the write transaction, upload included);\n' +
        'reference = the same reader, then COPY FROM STDIN of the same tickets and "created" history rows in one transaction.\n' +
        'RSS is the peak of the case’s own process (the app process for an import).',
    );
  } finally {
    // --keep leaves the database and the files for a closer look.
    if (args.has('keep')) console.log(`kept ${db.url} and ${dir}`);
    else {
      rmSync(dir, { recursive: true, force: true });
      await db.drop();
    }
  }
}

runMain(main);
