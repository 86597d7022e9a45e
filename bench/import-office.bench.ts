import type ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DateTime } from 'luxon';
import { DEFAULT_TABLE_LIMITS, readTable } from '@app/platform';
import { FINDING_COLUMNS, parseClass, parseSheetDate, searchText, textBigrams, titleOf } from '@app/tickets';
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
  sampleChildPeakRss,
} from './support/bench-kit';
import { MEASURES, personName, problemText } from './support/findings-content';
import { copyFrom, copyLine, pgTextArray } from './support/pg-copy';

/*
 * Import of a 20,000-row findings list laid out as offices lay it out: a title row naming the
 * round, a 反馈文号 row, a 填报单位/填报时间 row, the header with a line break in a cell, section
 * rows (一、精准识别方面（共1250个）) merged across, a 问题类别 column merged down each section,
 * rich-text problem cells (the numbers in another font), 整改时限 as 2026年9月30日前, 2026.10.31,
 * 立行立改 or 长期坚持, a 责任领导 and a 完成情况 column, and 注： and 填表人 rows at the end. The
 * .xlsx is written by exceljs (merges and rich text as Excel writes them), the .xls is that .xlsx
 * saved by LibreOffice as Excel 97-2003 (BIFF8 with its merges and rich-text runs). The
 * real import is measured against the same reader followed by COPY of the same rows, each case in
 * a process of its own, as bench/import.bench.ts does.
 */

const ROWS = 20_000;
const SECTIONS = 16;
const PER_SECTION = ROWS / SECTIONS;
const CATEGORIES = ['精准识别', '精准退出', '政策落实', '精准帮扶', '项目实施', '资金管理', '基础工作', '两不愁三保障'];
const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二', '十三', '十四', '十五', '十六'];
const HEADER = ['序号', '问题类别', '问题描述', '责任单位', '责任领导', '责任人', '整改措施', '整改时限\n（截止时间）', '完成情况'];
const WIDTH = HEADER.length;
const TITLE = '州委第三轮巡察第一巡察组巡察中厂镇反馈问题整改清单';
const IMMEDIATE_DAYS = 7;

type Format = 'xlsx' | 'xls';
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
  /** Peak RSS of the process the service starts to read an .xls (0 for formats read in the service). */
  readerPeakRssMb: number;
}

function deadlineText(i: number): string {
  const month = (i % 3) + 9;
  const day = (i % 28) + 1;
  switch (i % 10) {
    case 0:
      return '立行立改';
    case 1:
      return '长期坚持';
    case 2:
    case 3:
      return `2026年${month}月${day}日前`;
    case 4:
    case 5:
      return `2026.${month}.${day}`;
    case 6:
      return `${month}月底前`;
    default:
      return `2026/${month}/${day}`;
  }
}

/** The sheet, row by row: `section` rows are one merged text, `merge` the rows 问题类别 spans. */
type SheetLine =
  | { kind: 'text'; cells: Array<{ col: number; span: number; text: string }> }
  | { kind: 'header' }
  | { kind: 'section'; text: string }
  | { kind: 'finding'; no: number; category: string | null; categorySpan: number; cells: string[] };

function* layout(units: string[]): Generator<SheetLine> {
  yield { kind: 'text', cells: [{ col: 0, span: WIDTH, text: TITLE }] };
  yield {
    kind: 'text',
    cells: [
      { col: 0, span: 5, text: '反馈文号：黔巡反馈〔2026〕12号' },
      { col: 5, span: 4, text: '反馈时间：2026年3月10日' },
    ],
  };
  yield {
    kind: 'text',
    cells: [
      { col: 0, span: 5, text: '填报单位：中厂镇人民政府（盖章）' },
      { col: 5, span: 4, text: '填报时间：2026年8月1日' },
    ],
  };
  yield { kind: 'header' };
  let no = 0;
  for (let s = 0; s < SECTIONS; s++) {
    const category = CATEGORIES[s % CATEGORIES.length];
    yield { kind: 'section', text: `${NUMERALS[s]}、${category}方面（共${PER_SECTION}个）` };
    for (let k = 0; k < PER_SECTION; k++) {
      no += 1;
      yield {
        kind: 'finding',
        no,
        category: k === 0 ? category : null,
        categorySpan: k === 0 ? PER_SECTION : 0,
        cells: [
          problemText(no),
          units[no % units.length],
          personName(no + 5),
          personName(no + 17),
          MEASURES[no % MEASURES.length],
          deadlineText(no),
          no % 7 === 0 ? '已完成入户核查' : '',
        ],
      };
    }
  }
  yield { kind: 'text', cells: [{ col: 0, span: WIDTH, text: '注：1.整改时限以巡察组反馈意见为准；2.每月25日前报送整改进展。' }] };
  yield {
    kind: 'text',
    cells: [
      { col: 0, span: 5, text: '填表人：王芳' },
      { col: 5, span: 4, text: '审核人：张建国' },
    ],
  };
}

/** A problem text with its numbers in Times New Roman and the rest in 仿宋, as typed in Word and pasted. */
function richText(text: string): ExcelJS.CellRichTextValue {
  const runs = text.split(/(\d+)/).filter(Boolean);
  return {
    richText: runs.map((t) => ({
      text: t,
      font: /^\d+$/.test(t) ? { name: 'Times New Roman', size: 12 } : { name: '仿宋_GB2312', size: 12 },
    })),
  };
}

async function writeXlsx(path: string, units: string[]): Promise<void> {
  // Required here, in the process that makes the workbooks only: loaded at the top, exceljs (~28 MB
  // resident) would sit in every import case's process, which the app itself loads only for an .xlsx.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { stream } = require('exceljs') as typeof ExcelJS;
  const wb = new stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true, useStyles: true });
  const ws = wb.addWorksheet('问题清单');
  let r = 0;
  const col = (c: number) => String.fromCharCode(65 + c);
  for (const line of layout(units)) {
    r += 1;
    const values: unknown[] = new Array(WIDTH).fill(null);
    if (line.kind === 'header') HEADER.forEach((h, i) => (values[i] = h));
    else if (line.kind === 'section') values[0] = line.text;
    else if (line.kind === 'text') for (const c of line.cells) values[c.col] = c.text;
    else {
      values[0] = line.no;
      values[1] = line.category;
      values[2] = line.no % 3 === 0 ? richText(line.cells[0]) : line.cells[0];
      line.cells.slice(1).forEach((v, i) => (values[3 + i] = v || null));
    }
    // Merges first: the stream writer merges only rows it has not written yet.
    if (line.kind === 'section') ws.mergeCells(`A${r}:${col(WIDTH - 1)}${r}`);
    if (line.kind === 'text') for (const c of line.cells) if (c.span > 1) ws.mergeCells(`${col(c.col)}${r}:${col(c.col + c.span - 1)}${r}`);
    if (line.kind === 'finding' && line.categorySpan > 1) ws.mergeCells(`B${r}:B${r + line.categorySpan - 1}`);
    const row = ws.getRow(r);
    // A cell under a merge is left alone: a value set there would go to the merge's first cell.
    values.forEach((v, i) => {
      if (v !== null) row.getCell(i + 1).value = v as ExcelJS.CellValue;
    });
    row.commit();
  }
  ws.commit();
  await wb.commit();
}

/**
 * The .xls as an office makes it: the .xlsx opened in LibreOffice Calc and saved as Excel 97-2003
 * (merges, rich-text runs and the shared string table as LibreOffice writes them), with a profile
 * of its own so that a LibreOffice already running elsewhere is not disturbed.
 */
function convertToXls(xlsx: string, dir: string): string {
  const profile = `-env:UserInstallation=file://${join(dir, 'lo-profile')}`;
  try {
    execFileSync('soffice', [profile, '--headless', '--convert-to', 'xls:MS Excel 97', '--outdir', dir, xlsx], {
      stdio: 'ignore',
      timeout: 240_000,
    });
  } catch (e) {
    throw new Error(`LibreOffice (soffice) could not save the .xls: ${(e as Error).message}`, { cause: e });
  }
  return join(dir, `${basename(xlsx, '.xlsx')}.xls`);
}

/** The real import: the whole app in this process, the file posted over HTTP. */
async function importCase(db: string, file: string, format: Format, inspection: string): Promise<CaseResult> {
  const t = await startTestApp({ database: existingDatabase(db), env: { IMPORT_MAX_MB: '50', IMMEDIATE_DAYS: String(IMMEDIATE_DAYS) } });
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
    const reader = sampleChildPeakRss(SHEET_READER_MARKER);
    const start = performance.now();
    const res = await t
      .http()
      .post(`/api/v1/inspections/${inspection}/findings/import`)
      .set('authorization', `Bearer ${token}`)
      .attach('file', data, `反馈问题整改清单.${format}`);
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
      readerPeakRssMb: reader(),
    };
  } finally {
    await t.close();
  }
}

/** The reference: the same office-layout reader, then COPY of the same rows into the same tables. */
async function copyCase(db: string, file: string, format: Format, inspection: string): Promise<CaseResult> {
  const client = new Client({ connectionString: db });
  await client.connect();
  try {
    const baselineRssMb = process.memoryUsage().rss / 1048576;
    const memory = sampleMemory();
    const reader = sampleChildPeakRss(SHEET_READER_MARKER);
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
    const today = DateTime.now().setZone('Asia/Shanghai');
    const tickets: string[] = [];
    const events: string[] = [];
    let columns: Map<string, number> | undefined;
    const limits = { ...DEFAULT_TABLE_LIMITS, maxRows: ROWS };
    for await (const item of readTable(data, `x.${format}`, FINDING_COLUMNS, { limits })) {
      if (item.kind === 'header') {
        columns = item.columns;
        continue;
      }
      const row = item.row;
      const cell = (k: string) => {
        const at = columns!.get(k);
        return at === undefined ? '' : (row.values[at] ?? '').trim();
      };
      const unit = byName.get(cell('unit'));
      const text = cell('deadline');
      const cls = parseClass(text) ?? 'deadline';
      const deadline =
        cls === 'immediate'
          ? today.plus({ days: IMMEDIATE_DAYS }).toISODate()!
          : cls === 'standing'
            ? `${today.year}-12-31`
            : parseSheetDate(text, 2026);
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
          cell('leader') || null,
          cell('measures') || null,
          cls,
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
      `COPY ticket (id, code, inspection_id, source, title, description, category, unit_id, unit_path, unit_tz, responsible,
                    supervising_leader, measures, rectification_class, deadline, status, search_grams, created_by, created_at, updated_at)
       FROM STDIN`,
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
      readerPeakRssMb: reader(),
    };
  } finally {
    await client.end();
  }
}

async function child(args: Map<string, string>): Promise<void> {
  if (args.get('case') === 'prepare') return report('result', await prepare(args.get('db')!, args.get('dir')!));
  const [db, file, inspection] = ['db', 'file', 'inspection'].map((k) => args.get(k)!);
  const format = args.get('format') as Format;
  const result =
    args.get('case') === 'import' ? await importCase(db, file, format, inspection) : await copyCase(db, file, format, inspection);
  await report('result', result);
}

interface Prepared {
  inspection: string;
  files: Record<Format, string>;
}

async function prepare(dbUrl: string, dir: string): Promise<Prepared> {
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
      title: '州委第一巡察组巡察反馈问题',
      issuedBy: '州委第一巡察组',
      date: '2026-07-28',
      unitId: township.id,
    });
    if (res.status !== 201) throw new Error(`inspection: ${res.status} ${JSON.stringify(res.body)}`);
    const xlsx = join(dir, 'office.xlsx');
    await writeXlsx(xlsx, units);
    const files = { xlsx, xls: convertToXls(xlsx, dir) };
    return { inspection: res.body.id as string, files };
  } finally {
    await t.close();
  }
}

const LIMITS: Record<Format, number> = { xlsx: 5000, xls: 8000 };
/** What the command line of the process that reads an .xls for the service holds. */
const SHEET_READER_MARKER = 'sheet-worker.js';

async function main(): Promise<void> {
  const args = cliArgs();
  if (args.has('case')) return child(args);
  const rounds = Number(args.get('rounds') ?? 2);
  // `--formats xls` or `--modes import` runs only those cases.
  const formats = (args.get('formats')?.split(',') ?? ['xlsx', 'xls']) as Format[];
  const modes = (args.get('modes')?.split(',') ?? ['copy', 'import']) as Mode[];
  const db = await benchDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'rt-bench-import-office-'));
  try {
    // The workbooks are made in a process of their own: a process's peak RSS is kept across the
    // exec of its children, so a parent that built them would lend its peak to every case.
    const { inspection, files } = await runChild<Prepared>(__filename, ['--case', 'prepare', '--db', db.url, '--dir', dir], 300_000);
    const sizes = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, readFileSync(f).length / 1048576]));
    console.log(
      `${ROWS} findings in the office layout (${SECTIONS} sections, merged 问题类别, rich text; .xls saved by LibreOffice): ` +
        `XLSX ${sizes.xlsx.toFixed(1)} MB, XLS ${sizes.xls.toFixed(1)} MB; ${rounds} round(s), best time of each case`,
    );
    const results: CaseResult[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const format of formats) {
        for (const mode of modes) {
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
    if (!results.length) return;
    const best = (mode: Mode, format: Format) => {
      const runs = results.filter((r) => r.mode === mode && r.format === format);
      if (!runs.length) return undefined;
      return {
        totalMs: Math.min(...runs.map((r) => r.totalMs)),
        parseMs: Math.min(...runs.map((r) => r.parseMs)),
        writeMs: Math.min(...runs.map((r) => r.writeMs)),
        baselineRssMb: Math.max(...runs.map((r) => r.baselineRssMb)),
        peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
        peakHeapMb: Math.max(...runs.map((r) => r.peakHeapMb)),
        readerPeakRssMb: Math.max(...runs.map((r) => r.readerPeakRssMb)),
      };
    };
    const table: string[][] = [];
    const targets: string[][] = [];
    for (const format of formats) {
      const imp = best('import', format);
      const ref = best('copy', format);
      const label = format.toUpperCase();
      const line = (name: string, c: NonNullable<typeof imp>) => [
        name,
        ms(c.totalMs),
        ms(c.parseMs),
        ms(c.writeMs),
        mb(c.baselineRssMb),
        mb(c.peakRssMb),
        mb(c.peakHeapMb),
        c.readerPeakRssMb ? mb(c.readerPeakRssMb) : '–',
      ];
      if (imp) table.push(line(`${label} import (HTTP)`, imp));
      if (ref) table.push(line(`${label} read + COPY`, ref));
      if (imp && ref) {
        table.push([
          `${label} import / reference`,
          ratio(imp.totalMs / ref.totalMs),
          ratio(imp.parseMs / ref.parseMs),
          ratio(imp.writeMs / ref.writeMs),
          '',
          '',
        ]);
        targets.push(verdict(`${label} write phase ≤ 2× COPY`, ratio(imp.writeMs / ref.writeMs), imp.writeMs <= 2 * ref.writeMs));
      }
      if (!imp) continue;
      targets.push(verdict(`${label} import peak RSS < 300 MB`, mb(imp.peakRssMb), imp.peakRssMb < 300));
      targets.push(verdict(`${label} whole import < ${LIMITS[format] / 1000} s`, ms(imp.totalMs), imp.totalMs < LIMITS[format]));
    }
    printTable(
      `Import of ${ROWS} rows in the office layout`,
      ['case', 'total', 'parse + validate', 'write', 'RSS at start', 'peak RSS', 'peak JS heap', 'reader process peak RSS'],
      table,
    );
    printTable('Targets', ['target', 'measured', ''], targets);
    console.log(
      'import = POST .../findings/import on the whole app (parse + validate = everything outside the write transaction, upload included);\n' +
        'reference = the same office-layout reader (readTable), then COPY FROM STDIN of the same tickets and "created" history rows.\n' +
        'RSS is the peak of the case’s own process (the app process for an import); an .xls is parsed in a process of its own,\n' +
        'started for the file and ended once its rows are sent, whose peak is the last column.',
    );
  } finally {
    if (args.has('keep')) console.log(`kept ${db.url} and ${dir}`);
    else {
      rmSync(dir, { recursive: true, force: true });
      await db.drop();
    }
  }
}

runMain(main);
