// @ts-check
'use strict';
/**
 * Reads an .xls, WPS .et or .ods with SheetJS in a process of its own (started by
 * `table-reader.ts`). SheetJS parses such a workbook whole and synchronously, each cell an object
 * of its own: done in the service, a 20,000-row sheet would hold its event loop for most of a
 * second and leave ~100 MB of cells in its heap, and a hostile file would be parsed beside
 * everything else the service holds. Here the cells live in this process, which ends as soon as
 * the sheet asked for is sent, and only each row's text goes to the service. Plain JavaScript, so
 * that the same file runs under the compiled service and under the tests; checked by tsc through
 * its JSDoc types.
 */
// CommonJS, as Node runs this file itself under the tests.
/* eslint-disable @typescript-eslint/no-require-imports */
const X = require('@e965/xlsx');
// The code pages read text in old .xls files saved with GBK.
X.set_cptable(require('@e965/xlsx/dist/cpexcel.js'));
/* eslint-enable @typescript-eslint/no-require-imports */

/** @typedef {import('./sheet-worker-protocol').SheetWorkerInput} SheetWorkerInput */
/** @typedef {import('./sheet-worker-protocol').FromSheetWorker} FromSheetWorker */
/** @typedef {import('./sheet-worker-protocol').ToSheetWorker} ToSheetWorker */
/** @typedef {import('@e965/xlsx').CellObject} CellObject */

/** Rows sent to the service per message. */
const ROWS_PER_MESSAGE = 2000;

/**
 * @param {FromSheetWorker} message
 * @param {() => void} [then]
 */
function send(message, then) {
  if (!process.send) throw new Error('sheet-worker.js runs as a child process of the service');
  process.send(message, undefined, undefined, then);
}

/**
 * The text of a cell: cached values only (formulas are not read), dates as ISO days.
 * @param {CellObject | undefined} cell
 * @param {boolean} date1904
 * @returns {string}
 */
function cellText(cell, date1904) {
  if (!cell || cell.v === undefined || cell.v === null) return '';
  switch (cell.t) {
    case 's':
      return String(cell.v);
    case 'b':
      return cell.v ? 'TRUE' : 'FALSE';
    case 'e':
      return cell.w ?? '#ERROR';
    case 'd':
      return cell.v instanceof Date ? cell.v.toISOString().slice(0, 10) : String(cell.v);
    case 'n': {
      const n = Number(cell.v);
      if (typeof cell.z === 'string' && X.SSF.is_date(cell.z) && n > 0 && n < 2_958_466) {
        const serial = Math.floor(n) + (date1904 ? 1462 : 0);
        return new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000).toISOString().slice(0, 10);
      }
      return String(n);
    }
    case 'z':
      return '';
  }
  return '';
}

/** @param {SheetWorkerInput} input */
function main(input) {
  /** @type {import('@e965/xlsx').WorkBook} */
  let wb;
  try {
    wb = X.read(input.data, {
      type: 'buffer',
      dense: true,
      cellFormula: false,
      cellHTML: false,
      cellNF: true,
      cellStyles: false,
      cellDates: false,
      sheetRows: input.sheetRows,
      WTF: false,
    });
  } catch (e) {
    send({ kind: 'unreadable', message: e instanceof Error ? e.message : String(e) }, () => process.exit(0));
    return;
  }
  const date1904 = Boolean(wb.Workbook?.WBProps?.date1904);
  const names = wb.SheetNames.filter((n) => wb.Sheets[n]);
  send({ kind: 'book', sheets: names });

  /** @param {ToSheetWorker} request */
  const onRequest = (request) => {
    // Sheets before the one asked for were passed over: the workbook lets go of them.
    for (const name of names.slice(0, request.sheet)) delete wb.Sheets[name];
    const ws = wb.Sheets[names[request.sheet]];
    if (!ws) {
      send({ kind: 'rows', sheet: request.sheet, rows: [], merges: [], done: true });
      return;
    }
    /** @type {Array<Array<CellObject | undefined> | undefined>} */
    const dense = /** @type {{ '!data'?: Array<Array<CellObject | undefined> | undefined> }} */ (ws)['!data'] ?? [];
    const merges = (ws['!merges'] ?? []).map((m) => ({ r1: m.s.r + 1, c1: m.s.c + 1, r2: m.e.r + 1, c2: m.e.c + 1 }));
    delete wb.Sheets[names[request.sheet]];
    /** @type {import('./sheet-worker-protocol').WorkerRow[]} */
    let batch = [];
    let first = true;
    for (let r = 0; r < dense.length; r++) {
      const cells = dense[r] ?? [];
      dense[r] = undefined;
      if (cells.length > input.maxCells) {
        // The service refuses a row this wide: its cells are not converted.
        batch.push({ rowNumber: r + 1, values: [], width: cells.length });
      } else {
        /** @type {string[]} */
        const values = [];
        for (let c = 0; c < cells.length; c++) values.push(cellText(cells[c], date1904).trim());
        batch.push({ rowNumber: r + 1, values });
      }
      if (batch.length === ROWS_PER_MESSAGE) {
        send({ kind: 'rows', sheet: request.sheet, rows: batch, merges: first ? merges : [], done: false });
        first = false;
        batch = [];
      }
    }
    // No sheet after this one: the process ends once the rows are sent, and its memory goes with it.
    const last = request.sheet >= names.length - 1;
    send(
      { kind: 'rows', sheet: request.sheet, rows: batch, merges: first ? merges : [], done: true },
      last ? () => process.exit(0) : undefined,
    );
  };
  process.on('message', onRequest);
}

// The first message is the file; each later one asks for a sheet. The service going away ends this.
process.once('message', (/** @type {SheetWorkerInput} */ input) => main({ ...input, data: Buffer.from(input.data) }));
process.on('disconnect', () => process.exit(0));
