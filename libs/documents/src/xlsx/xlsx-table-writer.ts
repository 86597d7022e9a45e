import type ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { Cell, drained, SheetColumn, SheetFooter, SheetLayout, SummaryTable, TableWriter } from './table';

let loaded: typeof ExcelJS | undefined;

/** exceljs costs ~28 MB of resident memory; loaded with the first workbook, so a service that only serves CSV never carries it. */
function excel(): typeof ExcelJS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('exceljs') as typeof ExcelJS);
}

const THIN = { style: 'thin' as const, color: { argb: 'FF808080' } };
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
const FONT = '宋体';

/**
 * One style object per column, given by reference to every data cell: exceljs dedupes styles
 * through a WeakMap keyed by the object, so a shared object costs a lookup per cell instead of
 * serialising the style again for each of 100,000 rows.
 */
function cellStyles(columns: readonly SheetColumn[]): Array<Partial<ExcelJS.Style>> {
  return columns.map((c) => ({
    font: { name: FONT, size: 10 },
    border: BORDER,
    alignment: { vertical: 'middle', wrapText: !!c.wrap },
    ...(c.numFmt ? { numFmt: c.numFmt } : {}),
  }));
}

interface Pending {
  length?: number;
}
interface SheetStreamInternals {
  stream?: { buffers?: Pending[]; pipes?: Array<{ _writableState?: Pending; _readableState?: Pending }> };
}

/**
 * Bytes of sheet XML that exceljs holds and the zip has not yet compressed. exceljs hands a
 * sheet to archiver without backpressure, so waiting for the response alone does not bound
 * memory: the writer also waits while this is large. 0 if exceljs' internals ever change.
 */
function backlog(ws: ExcelJS.Worksheet): number {
  const sheet = (ws as unknown as SheetStreamInternals).stream;
  let n = 0;
  for (const b of sheet?.buffers ?? []) n += b.length ?? 0;
  for (const p of sheet?.pipes ?? []) n += (p._writableState?.length ?? 0) + (p._readableState?.length ?? 0);
  return n;
}

/**
 * Most sheet XML kept waiting for the zip; beyond it the writer pauses. Kept small and checked
 * every few rows: XML buffers that wait long outlive young-generation collections, and promoted
 * buffers are only freed by a full collection, which is what made the peak.
 */
const MAX_BACKLOG = 256 * 1024;
const SETTLE_EVERY = 100;

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 2));

function headerRow(ws: ExcelJS.Worksheet, columns: readonly SheetColumn[]): void {
  const row = ws.addRow(columns.map((c) => c.header));
  row.height = 24;
  row.eachCell((cell) => {
    cell.font = { name: FONT, size: 10, bold: true };
    cell.fill = HEADER_FILL;
    cell.border = BORDER;
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  });
  row.commit();
}

function titleRows(ws: ExcelJS.Worksheet, width: number, title: string, subtitle?: string): number {
  const t = ws.addRow([title]);
  t.height = 30;
  t.getCell(1).font = { name: FONT, size: 16, bold: true };
  t.getCell(1).alignment = { horizontal: 'center', vertical: 'middle' };
  ws.mergeCells(t.number, 1, t.number, width);
  t.commit();
  if (!subtitle) return 1;
  const s = ws.addRow([subtitle]);
  s.getCell(1).font = { name: FONT, size: 10 };
  s.getCell(1).alignment = { horizontal: 'left', vertical: 'middle' };
  ws.mergeCells(s.number, 1, s.number, width);
  s.commit();
  return 2;
}

/**
 * An XLSX list streamed with exceljs' WorkbookWriter: title and subtitle over the columns,
 * a frozen header row, column widths, a bold totals row and sentences under the rows, and
 * the summary tables on a second sheet (汇总), written after the list so it can count rows.
 */
export function openXlsxTable(out: Writable, layout: SheetLayout): TableWriter {
  const wb = new (excel().stream.xlsx.WorkbookWriter)({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = '整改销号台账';
  const above = layout.subtitle ? 2 : 1;
  const ws = wb.addWorksheet(layout.sheetName, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: above + 1 }],
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${above + 1}:${above + 1}`,
    },
  });
  ws.columns = layout.columns.map((c, i) => ({ key: `c${i}`, width: c.width }));
  const styles = cellStyles(layout.columns);
  titleRows(ws, layout.columns.length, layout.title, layout.subtitle);
  headerRow(ws, layout.columns);
  const width = layout.columns.length;
  const settle = async () => {
    await drained(out);
    while (backlog(ws) > MAX_BACKLOG) await (out.writableNeedDrain ? drained(out) : tick());
  };

  return {
    async write(rows: readonly Cell[][]): Promise<void> {
      for (let i = 0; i < rows.length; i++) {
        const row = ws.addRow(rows[i]);
        for (let c = 1; c <= width; c++) row.getCell(c).style = styles[c - 1];
        row.commit();
        if ((i + 1) % SETTLE_EVERY === 0) await settle();
      }
      await settle();
    },

    async finish(footer: SheetFooter, summaries: readonly SummaryTable[] = []): Promise<void> {
      if (footer.totals) {
        const row = ws.addRow(footer.totals);
        for (let c = 1; c <= width; c++) row.getCell(c).style = { ...styles[c - 1], font: { name: FONT, size: 10, bold: true } };
        row.commit();
      }
      for (const note of footer.notes ?? []) {
        const row = ws.addRow([note]);
        row.getCell(1).font = { name: FONT, size: 10, bold: true };
        ws.mergeCells(row.number, 1, row.number, width);
        row.commit();
      }
      ws.commit();
      if (summaries.length) {
        const sheet = wb.addWorksheet('汇总');
        const columns = Math.max(...summaries.map((s) => s.columns.length));
        sheet.columns = Array.from({ length: columns }, (_, i) => ({
          key: `c${i}`,
          width: Math.max(...summaries.map((s) => s.columns[i]?.width ?? 10)),
          style: { font: { name: FONT, size: 10 } },
        }));
        for (const table of summaries) {
          const t = sheet.addRow([table.title]);
          t.getCell(1).font = { name: FONT, size: 12, bold: true };
          t.commit();
          headerRow(sheet, table.columns);
          for (const values of table.rows) {
            const row = sheet.addRow(values);
            table.columns.forEach((c, i) => {
              const cell = row.getCell(i + 1);
              cell.border = BORDER;
              if (c.numFmt) cell.numFmt = c.numFmt;
            });
            row.commit();
          }
          sheet.addRow([]).commit();
        }
        sheet.commit();
      }
      await wb.commit();
    },
  };
}
