import { parse as parseCsv } from 'csv-parse';
import type ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { ImportRejected, PayloadTooLarge, RowProblem, UnsupportedMediaType, ValidationFailed } from '../errors/domain-error';

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
}

export const DEFAULT_TABLE_LIMITS: TableLimits = {
  maxUnpackedBytes: 200 * 1024 * 1024,
  maxRows: 50_000,
  maxColumns: 100,
  maxCellLength: 4000,
};

export type TableFormat = 'csv' | 'xlsx';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Decides the format from the content first and the name second; anything else is a 415. */
export function detectTableFormat(data: Buffer, filename = ''): TableFormat {
  const lower = filename.toLowerCase();
  if (data.subarray(0, 4).equals(ZIP_MAGIC)) {
    if (lower.endsWith('.csv')) throw new UnsupportedMediaType('The file is named .csv but is a zip (XLSX?) file', ['.xlsx', '.csv']);
    return 'xlsx';
  }
  if (lower.endsWith('.xls') || data.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) {
    throw new UnsupportedMediaType('Old .xls workbooks are not accepted: save the sheet as .xlsx or .csv', ['.xlsx', '.csv']);
  }
  if (lower.endsWith('.xlsx')) throw new UnsupportedMediaType('The file is named .xlsx but is not a valid workbook', ['.xlsx', '.csv']);
  if (data.includes(0)) throw new UnsupportedMediaType('The file is not a spreadsheet: send .xlsx or .csv', ['.xlsx', '.csv']);
  return 'csv';
}

/** Text of a CSV: UTF-8 (with or without BOM) when it decodes as such, otherwise GBK/GB18030. */
export function decodeCsv(data: Buffer): string {
  if (data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) return data.subarray(3).toString('utf8');
  if (data.length >= 2 && data[0] === 0xff && data[1] === 0xfe) return data.subarray(2).toString('utf16le');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return iconv.decode(data, 'gb18030');
  }
}

async function unpackedSize(data: Buffer, limits: TableLimits): Promise<number> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(new ValidationFailed(`The workbook is not a valid XLSX file: ${err?.message ?? 'unreadable'}`));
      let total = 0;
      let entries = 0;
      zip.on('entry', (entry: yauzl.Entry) => {
        total += entry.uncompressedSize;
        entries += 1;
        if (total > limits.maxUnpackedBytes || entries > 10_000) {
          zip.close();
          return reject(
            new PayloadTooLarge(
              `The workbook unpacks to more than ${Math.round(limits.maxUnpackedBytes / 1048576)} MiB; it was refused unread`,
              limits.maxUnpackedBytes,
            ),
          );
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve(total));
      zip.on('error', (e: Error) => reject(new ValidationFailed(`The workbook is not a valid XLSX file: ${e.message}`)));
      zip.readEntry();
    });
  });
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The text of an XLSX cell. Formulas are kept as their text and never evaluated. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) {
    return `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
  }
  const v = value as unknown as Record<string, unknown>;
  if ('formula' in v || 'sharedFormula' in v) {
    const formula = typeof v.formula === 'string' ? v.formula : typeof v.sharedFormula === 'string' ? v.sharedFormula : '';
    return `=${formula}`;
  }
  if (Array.isArray(v.richText)) return (v.richText as Array<{ text: string }>).map((r) => r.text).join('');
  if (typeof v.text === 'string') return v.text;
  if ('error' in v) return String(v.error);
  return '';
}

function checkRow(values: string[], rowNumber: number, limits: TableLimits): string[] {
  if (values.length > limits.maxColumns) {
    throw new ValidationFailed(`Row ${rowNumber} has ${values.length} columns; at most ${limits.maxColumns} are read`);
  }
  return values.map((v) => {
    if (v.length > limits.maxCellLength) {
      throw new ValidationFailed(`Row ${rowNumber} has a cell longer than ${limits.maxCellLength} characters`);
    }
    return v;
  });
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

async function* csvRows(data: Buffer, limits: TableLimits): AsyncGenerator<SheetRow> {
  const parser = Readable.from(pieces(decodeCsv(data))).pipe(
    parseCsv({ relax_column_count: true, relax_quotes: true, skip_empty_lines: false, info: true, trim: false }),
  );
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield { rowNumber: item.info.lines, values: checkRow(item.record, item.info.lines, limits) };
  }
}

async function* xlsxRows(data: Buffer, limits: TableLimits): AsyncGenerator<SheetRow> {
  await unpackedSize(data, limits);
  // Required here rather than at the top: exceljs costs ~28 MB of resident memory, and only an import of a workbook needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { stream } = require('exceljs') as typeof ExcelJS;
  const reader = new stream.xlsx.WorkbookReader(Readable.from(pieces(data)), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  let sheets = 0;
  for await (const sheet of reader) {
    sheets += 1;
    if (sheets > 1) break; // the first worksheet is the list
    for await (const row of sheet) {
      const values: string[] = [];
      const cells = (row.values as ExcelJS.CellValue[]) ?? [];
      for (let c = 1; c < cells.length; c++) values.push(cellText(cells[c]).trim());
      yield { rowNumber: row.number, values: checkRow(values, row.number, limits) };
    }
  }
}

/**
 * Reads the first sheet of an XLSX or a CSV, row by row, without holding the rows in memory.
 * Blank rows are skipped; the first non-blank row is the header row.
 */
export async function* readSheet(data: Buffer, filename?: string, limits: TableLimits = DEFAULT_TABLE_LIMITS): AsyncGenerator<SheetRow> {
  const format = detectTableFormat(data, filename);
  const rows = format === 'xlsx' ? xlsxRows(data, limits) : csvRows(data, limits);
  let count = 0;
  for await (const row of rows) {
    const values = row.values.map((v) => v.trim());
    if (values.every((v) => v === '')) continue;
    count += 1;
    if (count > limits.maxRows + 1) {
      throw new PayloadTooLarge(`The sheet has more than ${limits.maxRows} rows; split it into smaller files`, limits.maxRows);
    }
    yield { rowNumber: row.rowNumber, values };
  }
}

/** A column the importer reads, with every header text users write for it. */
export interface ColumnSpec<K extends string> {
  key: K;
  headers: readonly string[];
  required: boolean;
}

function normaliseHeader(text: string): string {
  return text.replace(/[\s\u3000*＊:：()（）]/g, '').toLowerCase();
}

/**
 * Finds each known column in the header row. Unknown headers are ignored (they never become
 * object keys, so a header such as `__proto__` is harmless). Throws when a required column is
 * missing or a column appears twice, as a 422 naming the header row.
 */
export function mapHeaders<K extends string>(header: SheetRow, specs: readonly ColumnSpec<K>[]): Map<K, number> {
  const found = new Map<K, number>();
  const problems: RowProblem[] = [];
  header.values.forEach((text, index) => {
    const norm = normaliseHeader(text);
    if (!norm) return;
    const spec = specs.find((s) => s.headers.some((h) => normaliseHeader(h) === norm));
    if (!spec) return;
    if (found.has(spec.key)) problems.push({ row: header.rowNumber, column: text, message: `column "${text}" appears twice` });
    else found.set(spec.key, index);
  });
  for (const s of specs) {
    if (s.required && !found.has(s.key)) {
      problems.push({ row: header.rowNumber, column: s.headers[0], message: `missing column ${s.headers.join(' / ')}` });
    }
  }
  if (problems.length) throw new ImportRejected(problems, `The header row (row ${header.rowNumber}) is not usable; nothing was imported`);
  return found;
}
