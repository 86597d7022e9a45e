import { parse as parseCsv } from 'csv-parse';
import type ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { ChildProcess, fork } from 'node:child_process';
import yauzl from 'yauzl';
import {
  DomainError,
  HeaderProblem,
  ImportRejected,
  PayloadTooLarge,
  RowProblem,
  UnsupportedMediaType,
  ValidationFailed,
} from '../errors/domain-error';
import type { FromSheetWorker, SheetWorkerInput, ToSheetWorker } from './sheet-worker-protocol';

/** One data row of an uploaded sheet; `rowNumber` is the row as the user sees it in Excel. */
export interface SheetRow {
  rowNumber: number;
  values: string[];
}

export interface TableLimits {
  /** Largest total unpacked size of an XLSX (a zip); a zip bomb is refused by this. */
  maxUnpackedBytes: number;
  maxRows: number;
  maxColumns: number;
  maxCellLength: number;
  /** The heap the process that reads an .xls, .et or .ods may take, in MiB; more is a 413. */
  readerHeapMb: number;
  /** How long that process may take, in ms; longer is a 413. */
  readerTimeoutMs: number;
}

export const DEFAULT_TABLE_LIMITS: TableLimits = {
  maxUnpackedBytes: 200 * 1024 * 1024,
  maxRows: 50_000,
  maxColumns: 100,
  maxCellLength: 4000,
  readerHeapMb: 1024,
  readerTimeoutMs: 120_000,
};

/** How the bytes are packed: text (CSV), a zip (XLSX or ODS) or an OLE compound file (XLS, WPS .et). */
export type TableFormat = 'csv' | 'zip' | 'cfb';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const CFB_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ACCEPTED = ['.xlsx', '.xls', '.et', '.ods', '.csv'];
const WORKBOOK_NAME = /\.(xlsx|xlsm|xls|et|ett|ods)$/;

/** Decides the format from the content first and the name second; anything else is a 415. */
export function detectTableFormat(data: Buffer, filename = ''): TableFormat {
  const lower = filename.toLowerCase();
  if (data.subarray(0, 4).equals(ZIP_MAGIC)) {
    if (lower.endsWith('.csv')) throw new UnsupportedMediaType('The file is named .csv but is a zip (XLSX?) file', ACCEPTED);
    return 'zip';
  }
  if (data.subarray(0, 8).equals(CFB_MAGIC)) return 'cfb';
  if (WORKBOOK_NAME.test(lower))
    throw new UnsupportedMediaType(`The file is named ${lower.slice(lower.lastIndexOf('.'))} but is not a valid workbook`, ACCEPTED);
  if (utf16Order(data)) return 'csv';
  if (data.includes(0)) throw new UnsupportedMediaType('The file is not a spreadsheet: send .xlsx, .xls, .et, .ods or .csv', ACCEPTED);
  return 'csv';
}

/** UTF-16 by its BOM, or by zero bytes in every other place as Excel's "Unicode text" without one. */
function utf16Order(data: Buffer): 'le' | 'be' | undefined {
  if (data.length >= 2 && data[0] === 0xff && data[1] === 0xfe) return 'le';
  if (data.length >= 2 && data[0] === 0xfe && data[1] === 0xff) return 'be';
  const n = Math.min(data.length - (data.length % 2), 2000);
  if (n < 16) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (data[i] === 0) evenZero += 1;
    if (data[i + 1] === 0) oddZero += 1;
  }
  const pairs = n / 2;
  // Chinese text has few zero bytes, so only mostly-ASCII UTF-16 is told by this; BOM-less Chinese UTF-16 is rare.
  if (oddZero > pairs * 0.6 && evenZero <= pairs * 0.05) return 'le';
  if (evenZero > pairs * 0.6 && oddZero <= pairs * 0.05) return 'be';
  return undefined;
}

/** Text of a CSV: UTF-16 by its BOM or zero bytes, UTF-8 (with or without BOM) when it decodes as such, otherwise GBK/GB18030. */
export function decodeCsv(data: Buffer): string {
  if (data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) return data.subarray(3).toString('utf8');
  const order = utf16Order(data);
  if (order) {
    const bom = (data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff) ? 2 : 0;
    return iconv.decode(data.subarray(bom), order === 'le' ? 'utf16le' : 'utf16be');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return iconv.decode(data, 'gb18030');
  }
}

/** Excel's "Unicode text" and many exports separate by tabs; the first line decides. */
function csvDelimiter(text: string): string {
  const firstLine = text.slice(0, 4096).split(/\r?\n/, 1)[0] ?? '';
  const tabs = firstLine.split('\t').length - 1;
  const commas = firstLine.split(',').length - 1;
  return tabs > commas ? '\t' : ',';
}

/** One merged area, 1-based and inclusive, as Excel writes it ("B4:B9"). */
interface MergedArea {
  r1: number;
  c1: number;
  r2: number;
  c2: number;
}

function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

function parseArea(ref: string): MergedArea | undefined {
  const m = /^([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})$/.exec(ref);
  if (!m) return undefined;
  return { c1: columnNumber(m[1]), r1: Number(m[2]), c2: columnNumber(m[3]), r2: Number(m[4]) };
}

/** A zip listed and open for reading its entries in any order. */
interface ZipPackage {
  zip: yauzl.ZipFile;
  entries: Map<string, yauzl.Entry>;
}

function invalidWorkbook(e: unknown): Error {
  if (e instanceof DomainError) return e;
  return new ValidationFailed(`The workbook is not a valid file: ${e instanceof Error ? e.message : 'unreadable'}`);
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => (err || !stream ? reject(invalidWorkbook(err)) : resolve(stream)));
  });
}

async function readEntryText(zip: yauzl.ZipFile, entry: yauzl.Entry, onText: (text: string) => void): Promise<void> {
  const stream = await openEntry(zip, entry);
  stream.setEncoding('utf8');
  try {
    for await (const chunk of stream as AsyncIterable<string>) onText(chunk);
  } catch (e) {
    throw invalidWorkbook(e);
  }
}

/**
 * Lists a zip before anything parses it: its total unpacked size (a zip bomb is refused by
 * this, and every entry is checked against its stated size as it is read). The zip stays open
 * for its entries to be read in the order the workbook needs them; the caller closes it.
 */
async function openZip(data: Buffer, limits: TableLimits): Promise<ZipPackage> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(data, { lazyEntries: true, validateEntrySizes: true, autoClose: false }, (err, z) =>
      err || !z ? reject(invalidWorkbook(err)) : resolve(z),
    ),
  );
  try {
    const entries = await new Promise<Map<string, yauzl.Entry>>((resolve, reject) => {
      const list = new Map<string, yauzl.Entry>();
      let total = 0;
      let count = 0;
      zip.on('entry', (entry: yauzl.Entry) => {
        total += entry.uncompressedSize;
        count += 1;
        list.set(entry.fileName, entry);
        if (total > limits.maxUnpackedBytes || count > 10_000) {
          return reject(
            new PayloadTooLarge(
              `The workbook unpacks to more than ${Math.round(limits.maxUnpackedBytes / 1048576)} MiB; it was refused unread`,
              limits.maxUnpackedBytes,
            ),
          );
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve(list));
      zip.on('error', (e: Error) => reject(invalidWorkbook(e)));
      zip.readEntry();
    });
    return { zip, entries };
  } catch (e) {
    zip.close();
    throw e;
  }
}

/** The merged areas of a worksheet, which come after its rows in the sheet's XML and so are read ahead of them. */
async function mergedAreas(pkg: ZipPackage, entry: yauzl.Entry): Promise<MergedArea[]> {
  const areas: MergedArea[] = [];
  let carry = '';
  await readEntryText(pkg.zip, entry, (chunk) => {
    const text = carry + chunk;
    const re = /<mergeCell\s+ref="([A-Z]+\d+:[A-Z]+\d+)"/g;
    let m: RegExpExecArray | null;
    let last = 0;
    while ((m = re.exec(text))) {
      const area = parseArea(m[1]);
      if (area) areas.push(area);
      last = re.lastIndex;
    }
    carry = text.slice(Math.max(last, text.length - 64));
  });
  return areas;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function isoDay(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** The text of an XLSX cell. A formula reads as its cached result and is never evaluated. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return isoDay(value);
  const v = value as unknown as Record<string, unknown>;
  if ('formula' in v || 'sharedFormula' in v) return cellText((v.result ?? null) as ExcelJS.CellValue);
  if (Array.isArray(v.richText)) return (v.richText as Array<{ text: string }>).map((r) => r.text).join('');
  if (typeof v.text === 'string') return v.text;
  if ('error' in v) return String(v.error);
  return '';
}

function checkRow(values: string[], rowNumber: number, limits: TableLimits): string[] {
  let end = values.length;
  while (end > 0 && !values[end - 1]) end -= 1;
  if (end > limits.maxColumns) {
    throw new ValidationFailed(`Row ${rowNumber} has ${end} columns; at most ${limits.maxColumns} are read`);
  }
  values.length = end;
  for (const v of values) {
    if (v.length > limits.maxCellLength) {
      throw new ValidationFailed(`Row ${rowNumber} has a cell longer than ${limits.maxCellLength} characters`);
    }
  }
  return values;
}

/**
 * The input in 64 KiB pieces: handed over whole, a parser turns all of it into rows at once
 * (backpressure works between chunks only), and a slow consumer then holds every row in memory.
 */
function* pieces<T extends string | Buffer>(whole: T): Generator<T> {
  for (let i = 0; i < whole.length;) {
    let end = Math.min(i + 65_536, whole.length);
    // A string is never cut between the two halves of a surrogate pair (𠀀, emoji).
    if (typeof whole === 'string' && end < whole.length && /[\ud800-\udbff]/.test(whole[end - 1])) end -= 1;
    yield whole.slice(i, end) as T;
    i = end;
  }
}

/**
 * One worksheet of a file: its name, and its rows in order once asked for. A sheet whose rows
 * are never asked for (one passed over for another) is never read or converted.
 */
interface SheetSource {
  name: string;
  rows(): AsyncGenerator<SheetRow>;
}

async function* csvSheets(data: Buffer, limits: TableLimits): AsyncGenerator<SheetSource> {
  const text = decodeCsv(data);
  async function* rows(): AsyncGenerator<SheetRow> {
    const parser = Readable.from(pieces(text)).pipe(
      parseCsv({
        delimiter: csvDelimiter(text),
        relax_column_count: true,
        relax_quotes: true,
        skip_empty_lines: false,
        info: true,
        trim: false,
      }),
    );
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { rowNumber: item.info.lines, values: checkRow(item.record, item.info.lines, limits) };
    }
  }
  yield { name: '', rows };
}

/**
 * Gives every cell of a merged area the text of its top-left cell, row by row as rows stream
 * past: a 问题类别 merged down a section counts for each of the section's rows.
 */
class MergeFiller {
  private readonly pending: MergedArea[];
  private active: Array<MergedArea & { text: string }> = [];
  private next = 0;

  constructor(areas: MergedArea[], maxColumns: number) {
    this.pending = areas
      .map((a) => ({ ...a, c2: Math.min(a.c2, a.c1 + maxColumns) }))
      .filter((a) => a.r2 >= a.r1 && a.c2 >= a.c1 && (a.r2 > a.r1 || a.c2 > a.c1))
      .sort((a, b) => a.r1 - b.r1);
  }

  fill(rowNumber: number, values: string[]): string[] {
    while (this.next < this.pending.length && this.pending[this.next].r1 <= rowNumber) {
      const a = this.pending[this.next++];
      this.active.push({ ...a, text: a.r1 === rowNumber ? (values[a.c1 - 1] ?? '') : '' });
    }
    if (!this.active.length) return values;
    this.active = this.active.filter((a) => a.r2 >= rowNumber);
    for (const a of this.active) {
      while (values.length < a.c2) values.push('');
      for (let c = a.c1; c <= a.c2; c++) values[c - 1] = a.text;
    }
    return values;
  }
}

/**
 * The parts of exceljs's streaming workbook reader that each read one part of the package.
 * Its own loop over the zip is not used: it takes the zip's end for the end of its entries,
 * and the zip stream ends as soon as the last bytes are taken in, while the entries in them
 * are still being unpacked. A workbook whose shared strings or relationships come after its
 * sheets (as LibreOffice writes them) then lost them now and then, and its sheets read as
 * empty cells. The package is read here in the order it needs instead.
 */
interface WorkbookParts {
  model?: { sheets?: Array<{ id: number; name: string; rId: string }> };
  workbookRels?: Array<{ Id: string; Target: string; Type?: string }>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseRels(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseWorksheet(iterator: AsyncIterable<unknown>, sheetNo: string): Generator<{ eventType: string; value: unknown }>;
}

/** The path in the zip of a relationship's target, which is relative to `xl/` or absolute. */
function partPath(target: string): string {
  return target.startsWith('/') ? posix.normalize(target.slice(1)) : posix.normalize(posix.join('xl', target));
}

/**
 * An XLSX, sheet by sheet in the workbook's order: the workbook, its relationships, shared
 * strings and styles are read first, then each worksheet streams row by row.
 */
async function* xlsxSheets(pkg: ZipPackage, limits: TableLimits): AsyncGenerator<SheetSource> {
  // Required here rather than at the top: exceljs costs ~28 MB of resident memory, and only an import of a workbook needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { stream } = require('exceljs') as typeof ExcelJS;
  const reader = new stream.xlsx.WorkbookReader(Readable.from([]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  }) as unknown as WorkbookParts;
  const part = async (path: string): Promise<Readable | undefined> => {
    const entry = pkg.entries.get(path);
    return entry && openEntry(pkg.zip, entry);
  };
  try {
    const workbook = await part('xl/workbook.xml');
    const relations = await part('xl/_rels/workbook.xml.rels');
    if (!workbook || !relations) throw new ValidationFailed('The workbook is not a valid file: it lists no sheets');
    await reader._parseWorkbook(workbook);
    await reader._parseRels(relations);
    const rels = reader.workbookRels ?? [];
    const targets = new Map(rels.filter((r) => !r.Type || /\/worksheet$/.test(r.Type)).map((r) => [r.Id, r.Target]));
    const related = (type: string, fallback: string) => partPath(rels.find((r) => r.Type?.endsWith(`/${type}`))?.Target ?? fallback);
    const strings = await part(related('sharedStrings', 'sharedStrings.xml'));
    if (strings) for await (const _ of reader._parseSharedStrings(strings));
    const styles = await part(related('styles', 'styles.xml'));
    if (styles) await reader._parseStyles(styles);
    for (const info of reader.model?.sheets ?? []) {
      const target = targets.get(info.rId);
      const entry = target === undefined ? undefined : pkg.entries.get(partPath(target));
      if (!entry) continue;
      const sheetEntry: yauzl.Entry = entry;
      async function* rows(): AsyncGenerator<SheetRow> {
        let sheetStream: Readable | undefined;
        try {
          const filler = new MergeFiller(await mergedAreas(pkg, sheetEntry), limits.maxColumns);
          sheetStream = await openEntry(pkg.zip, sheetEntry);
          const emitted = [...reader._parseWorksheet(sheetStream, String(info.id))][0];
          for await (const row of emitted.value as AsyncIterable<ExcelJS.Row>) {
            const values: string[] = [];
            const cells = (row.values as ExcelJS.CellValue[]) ?? [];
            for (let c = 1; c < cells.length; c++) values.push(cellText(cells[c]).trim());
            yield { rowNumber: row.number, values: checkRow(filler.fill(row.number, values), row.number, limits) };
          }
        } catch (e) {
          throw invalidWorkbook(e);
        } finally {
          sheetStream?.destroy();
        }
      }
      yield { name: info.name, rows };
    }
  } catch (e) {
    throw invalidWorkbook(e);
  }
}

/**
 * The sheet reader's messages, in order, as they are awaited. A reader that stops before it has
 * answered fails the wait: as too large when it ran out of memory or time, else as unreadable.
 */
class SheetReaderInbox {
  private readonly queue: FromSheetWorker[] = [];
  private waiting?: { resolve: (m: FromSheetWorker) => void; reject: (e: Error) => void };
  private failure?: Error;
  private stderr = '';
  private timedOut = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly child: ChildProcess,
    heapMb: number,
    timeoutMs: number,
  ) {
    child.on('message', (m: FromSheetWorker) => {
      if (this.waiting) this.take().resolve(m);
      else this.queue.push(m);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += chunk.toString('utf8');
    });
    child.on('error', (e) => this.fail(e));
    // 'close', not 'exit': it comes once the reader has ended and its messages and stderr are all read.
    child.on('close', (code, signal) => {
      clearTimeout(this.timer);
      if (code === 0) return this.fail(new ValidationFailed('The workbook is not a valid file: its reader ended before the sheet'));
      this.fail(
        this.timedOut || /heap limit|heap out of memory/i.test(this.stderr)
          ? new PayloadTooLarge(
              `The workbook needs more ${this.timedOut ? 'time' : 'memory'} to read than the service allows; split it into smaller files`,
              heapMb * 1048576,
            )
          : new ValidationFailed(`The workbook is not a valid file: its reader stopped (${signal ?? `exit ${code}`})`),
      );
    });
    this.timer = setTimeout(() => {
      this.timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    this.timer.unref();
  }

  next(): Promise<FromSheetWorker> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Ends the reader if it still runs. */
  close(): void {
    clearTimeout(this.timer);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private take(): { resolve: (m: FromSheetWorker) => void; reject: (e: Error) => void } {
    const w = this.waiting!;
    this.waiting = undefined;
    return w;
  }

  private fail(e: Error): void {
    this.failure ??= e;
    if (this.waiting) this.take().reject(this.failure);
  }
}

/**
 * .xls, WPS .et and .ods through SheetJS, which reads a workbook whole and at once, every cell an
 * object of its own (about 470 bytes apiece in an .xls, ~65 MB for 20,000 rows of nine columns).
 * It runs in a process of its own (`sheet-worker.js`) with memory and time limits: the service's
 * event loop goes on meanwhile, a hostile file is parsed apart from everything the service holds,
 * only the rows' text comes back, and the reader's memory is given back whole when it ends, as
 * soon as the sheet read is sent (or the service stops reading).
 */
async function* sheetJsSheets(data: Buffer, limits: TableLimits): AsyncGenerator<SheetSource> {
  const heapMb = limits.readerHeapMb;
  const child = fork(join(__dirname, 'sheet-worker.js'), [], {
    execArgv: [`--max-old-space-size=${heapMb}`, '--max-semi-space-size=1'],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const inbox = new SheetReaderInbox(child, heapMb, limits.readerTimeoutMs);
  try {
    const input: SheetWorkerInput = { data, sheetRows: limits.maxRows + HEADER_SEARCH_ROWS + 2, maxCells: limits.maxColumns * 4 };
    child.send(input);
    const book = await inbox.next();
    if (book.kind === 'unreadable') throw new UnsupportedMediaType(`The file could not be read as a workbook: ${book.message}`, ACCEPTED);
    if (book.kind !== 'book') throw new ValidationFailed('The workbook is not a valid file');
    for (let sheet = 0; sheet < book.sheets.length; sheet++) {
      async function* rows(): AsyncGenerator<SheetRow> {
        child.send({ sheet } satisfies ToSheetWorker);
        let filler: MergeFiller | undefined;
        for (;;) {
          const message = await inbox.next();
          if (message.kind !== 'rows') throw new ValidationFailed('The workbook is not a valid file');
          // What is left of a sheet passed over before its end is dropped.
          if (message.sheet !== sheet) continue;
          filler ??= new MergeFiller(message.merges, limits.maxColumns);
          for (const row of message.rows) {
            if (row.width !== undefined) throw new ValidationFailed(`Row ${row.rowNumber} has more than ${limits.maxColumns} columns`);
            yield { rowNumber: row.rowNumber, values: checkRow(filler.fill(row.rowNumber, row.values), row.rowNumber, limits) };
          }
          if (message.done) return;
        }
      }
      yield { name: book.sheets[sheet], rows };
    }
  } finally {
    inbox.close();
  }
}

async function* sheetsOf(data: Buffer, filename: string | undefined, limits: TableLimits): AsyncGenerator<SheetSource> {
  const format = detectTableFormat(data, filename);
  if (format === 'csv') return yield* csvSheets(data, limits);
  if (format === 'cfb') return yield* sheetJsSheets(data, limits);
  const pkg = await openZip(data, limits);
  try {
    if (pkg.entries.has('xl/workbook.xml')) return yield* xlsxSheets(pkg, limits);
    if (!pkg.entries.has('content.xml') || !(pkg.entries.has('mimetype') || pkg.entries.has('META-INF/manifest.xml')))
      throw new UnsupportedMediaType('The zip file is not a workbook: send .xlsx, .xls, .et, .ods or .csv', ACCEPTED);
  } finally {
    pkg.zip.close();
  }
  return yield* sheetJsSheets(data, limits);
}

/** Non-blank rows only; more than `limits.maxRows` (plus `above`, the rows a header may sit under) is a 413. */
async function* nonBlank(rows: AsyncIterable<SheetRow>, limits: TableLimits, above = 0): AsyncGenerator<SheetRow> {
  let count = 0;
  for await (const row of rows) {
    // Each reader makes a row's values afresh, so they are trimmed where they are.
    const values = row.values;
    let blank = true;
    for (let i = 0; i < values.length; i++) {
      values[i] = values[i].trim();
      if (values[i] !== '') blank = false;
    }
    if (blank) continue;
    count += 1;
    if (count > limits.maxRows + above + 1) {
      throw new PayloadTooLarge(`The sheet has more than ${limits.maxRows} rows; split it into smaller files`, limits.maxRows);
    }
    yield row;
  }
}

/**
 * Reads the first sheet of a workbook or a CSV, row by row, without holding the rows in memory.
 * Blank rows are skipped; merged cells give their text to every cell they cover.
 */
export async function* readSheet(data: Buffer, filename?: string, limits: TableLimits = DEFAULT_TABLE_LIMITS): AsyncGenerator<SheetRow> {
  for await (const sheet of sheetsOf(data, filename, limits)) {
    yield* nonBlank(sheet.rows(), limits);
    return;
  }
}

/** A column the importer reads, with every header text users write for it. */
export interface ColumnSpec<K extends string> {
  key: K;
  headers: readonly string[];
  required: boolean;
}

/** Header text as compared: no spaces or line breaks, no asterisks or colons, brackets half-width. */
function normaliseHeader(text: string): string {
  return text
    .replace(/[\s\u3000*＊:：]/g, '')
    .replace(/[（【[〔]/g, '(')
    .replace(/[）】\]〕]/g, ')')
    .toLowerCase();
}

/** The same text without what is in brackets: "整改时限（截止时间）" is 整改时限. */
function withoutBrackets(norm: string): string {
  return norm.replace(/\([^()]*\)/g, '');
}

function specOf<K extends string>(text: string, specs: readonly ColumnSpec<K>[]): ColumnSpec<K> | undefined {
  const norm = normaliseHeader(text);
  if (!norm) return undefined;
  const bare = withoutBrackets(norm);
  const matches = (candidate: string) => specs.find((s) => s.headers.some((h) => normaliseHeader(h) === candidate));
  return matches(norm) ?? (bare && bare !== norm ? matches(bare) : undefined);
}

/**
 * Finds each known column in the header row. Unknown headers are ignored (they never become
 * object keys, so a header such as `__proto__` is harmless). Throws when a required column is
 * missing or a column appears twice, as a 422 naming the header row.
 */
export function mapHeaders<K extends string>(header: SheetRow, specs: readonly ColumnSpec<K>[], sample: SheetRow[] = []): Map<K, number> {
  const found = new Map<K, number>();
  const problems: RowProblem[] = [];
  header.values.forEach((text, index) => {
    const spec = specOf(text, specs);
    if (!spec) return;
    // A header cell merged across two columns reads the same in both: the first one is the column.
    if (found.has(spec.key) && found.get(spec.key) === index - 1 && header.values[index - 1] === text) return;
    if (found.has(spec.key)) problems.push({ row: header.rowNumber, column: text, message: `column "${text}" appears twice` });
    else found.set(spec.key, index);
  });
  for (const s of specs) {
    if (s.required && !found.has(s.key)) {
      problems.push({ row: header.rowNumber, column: s.headers[0], message: `missing column ${s.headers.join(' / ')}` });
    }
  }
  if (problems.length)
    throw new ImportRejected(
      problems,
      `The header row (row ${header.rowNumber}) is not usable; nothing was imported`,
      headerProblem(header, specs, new Set(found.keys()), sample),
    );
  return found;
}

/** The columns a header row has, and the required fields none of them names, for mapping them by hand. */
function headerProblem<K extends string>(
  header: SheetRow,
  specs: readonly ColumnSpec<K>[],
  placed: ReadonlySet<K>,
  sample: SheetRow[] = [],
): HeaderProblem {
  const width = header.values.length;
  return {
    row: header.rowNumber,
    columns: [...new Set(header.values.map((v) => v.trim()).filter(Boolean))],
    unplaced: specs.filter((s) => s.required && !placed.has(s.key)).map((s) => ({ field: s.key, header: s.headers[0] })),
    cells: [header, ...sample.slice(0, SAMPLE_ROWS)].map((r) => Array.from({ length: width }, (_, i) => (r.values[i] ?? '').slice(0, 200))),
  };
}

/** How many rows under an unusable header the 422 shows, for mapping its columns by hand. */
const SAMPLE_ROWS = 5;

/** How far down a sheet its header row is looked for (title rows, 填报单位 rows above it). */
export const HEADER_SEARCH_ROWS = 30;

/** How many of the known columns a row names, and whether it names every required one. */
function headerScore<K extends string>(row: SheetRow, specs: readonly ColumnSpec<K>[]): { known: number; complete: boolean } {
  const keys = new Set<K>();
  for (const text of row.values) {
    const spec = specOf(text, specs);
    if (spec) keys.add(spec.key);
  }
  return { known: keys.size, complete: specs.every((s) => !s.required || keys.has(s.key)) };
}

/** The row among the first ones that names the most known columns; the earliest wins a tie. */
export function findHeaderRow<K extends string>(
  rows: SheetRow[],
  specs: readonly ColumnSpec<K>[],
): { row: SheetRow; complete: boolean } | undefined {
  let best: { row: SheetRow; known: number; complete: boolean } | undefined;
  for (const row of rows.slice(0, HEADER_SEARCH_ROWS)) {
    const score = headerScore(row, specs);
    if (score.known > 0 && (!best || score.known > best.known)) best = { row, ...score };
  }
  return best && { row: best.row, complete: best.complete };
}

const NOTE_ROW = /^(注|备注|说明|附注|附件|填表说明)\s*\d*\s*[:：、.]|^(填表人|填报人|审核人|制表人|联系人|联系电话|负责人签字|单位负责人)/;
const SECTION_ROW =
  /^([一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百]+[）)]|第[一二三四五六七八九十百]+[部分类项])|（共\s*\d+\s*[个项条]）|\(共\s*\d+\s*[个项条]\)/;

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A data row of a table, with the section (一、精准识别方面…) it sits under. */
export interface TableRow extends SheetRow {
  section: string | null;
}

export type TableItem<K extends string> =
  | {
      kind: 'header';
      sheet: string;
      header: SheetRow;
      columns: Map<K, number>;
      /** The non-blank rows above the header: the title, 填报单位 and 反馈文号 rows. */
      above: SheetRow[];
    }
  | { kind: 'row'; row: TableRow };

export interface TableOptions {
  limits?: TableLimits;
  /** The worksheet to read, by name; otherwise the first one with a usable header. */
  sheet?: string;
}

/**
 * A table as offices lay it out: the header row is the row among the first 30 that names the
 * most known columns (title rows and 填报单位 rows above it are ignored); a row of one text,
 * merged across or alone (一、精准识别方面（共3个）), is a section heading, not data; note rows
 * (注：, 说明：, 填表人) are skipped. A workbook of several sheets is read from the sheet named
 * by `options.sheet`, or else from the first one whose header names every required column.
 * Yields the header first, then the data rows.
 */
export async function* readTable<K extends string>(
  data: Buffer,
  filename: string | undefined,
  specs: readonly ColumnSpec<K>[],
  options: TableOptions = {},
): AsyncGenerator<TableItem<K>> {
  const limits = options.limits ?? DEFAULT_TABLE_LIMITS;
  let fallback: { sheet: string; row: SheetRow; sample: SheetRow[] } | undefined;
  // Where no row names a known column: the first row of several cells stands for the header.
  let firstRow: SheetRow | undefined;
  const names: string[] = [];
  for await (const sheet of sheetsOf(data, filename, limits)) {
    names.push(sheet.name);
    // A sheet other than the one asked for is passed over unread.
    if (options.sheet !== undefined && sheet.name !== options.sheet) continue;
    const rows = nonBlank(sheet.rows(), limits, HEADER_SEARCH_ROWS);
    const head: SheetRow[] = [];
    while (head.length < HEADER_SEARCH_ROWS) {
      const next = await rows.next();
      if (next.done) break;
      head.push(next.value);
    }
    firstRow ??= head.find((r) => r.values.filter((v) => v.trim()).length > 1);
    const found = findHeaderRow(head, specs);
    if (!found || (!found.complete && options.sheet === undefined)) {
      if (found && !fallback) fallback = { sheet: sheet.name, row: found.row, sample: head.slice(head.indexOf(found.row) + 1) };
      // The rest of a sheet without a usable header is not read.
      await rows.return(undefined);
      continue;
    }
    const header = found.row;
    const above = head.slice(0, head.indexOf(header));
    yield { kind: 'header', sheet: sheet.name, header, columns: mapHeaders(header, specs, head.slice(head.indexOf(header) + 1)), above };
    const headerValues = header.values;
    let section: string | null = null;
    const classify = (row: SheetRow): TableRow | undefined => {
      const filled = row.values.filter((v) => v !== '');
      if (NOTE_ROW.test(filled[0] ?? '')) return undefined;
      if (sameValues(row.values, headerValues)) return undefined; // the header repeated on each printed page
      const distinct = new Set(filled);
      if (distinct.size === 1 && (filled.length > 1 || SECTION_ROW.test(filled[0]))) {
        section = filled[0];
        return undefined;
      }
      return { rowNumber: row.rowNumber, values: row.values, section };
    };
    for (const row of head.slice(head.indexOf(header) + 1)) {
      const r = classify(row);
      if (r) yield { kind: 'row', row: r };
    }
    for (let next = await rows.next(); !next.done; next = await rows.next()) {
      const r = classify(next.value);
      if (r) yield { kind: 'row', row: r };
    }
    return;
  }
  if (options.sheet !== undefined && !names.includes(options.sheet)) {
    throw new ImportRejected(
      [
        {
          row: 0,
          column: 'sheet',
          message: `the workbook has no sheet named "${options.sheet}" (it has ${names.map((n) => `"${n}"`).join(', ')})`,
        },
      ],
      `No sheet named "${options.sheet}"; nothing was imported`,
    );
  }
  if (fallback) mapHeaders(fallback.row, specs, fallback.sample);
  throw new ImportRejected(
    [{ row: 1, column: specs.find((s) => s.required)?.headers[0] ?? '', message: `no header row in the first ${HEADER_SEARCH_ROWS} rows` }],
    `No header row found in the first ${HEADER_SEARCH_ROWS} rows; nothing was imported`,
    firstRow && headerProblem(firstRow, specs, new Set(), []),
  );
}
