import type { Writable } from 'node:stream';
import { Cell, drained, SheetFooter, SheetLayout, SummaryTable, TableWriter } from './table';

/** Excel reads a CSV as UTF-8 only when it starts with a byte order mark. */
export const UTF8_BOM = '\uFEFF';

/**
 * One CSV field. Text that a spreadsheet could run as a formula (=, +, -, @, TAB or CR first)
 * gets a leading apostrophe, as OWASP recommends, so a ticket title cannot become a formula on
 * an official's machine. That includes text such as `-2+3+cmd|…` that starts like a negative
 * number: numbers are written from numeric cells, never from text.
 */
export function csvField(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (cells: readonly Cell[]): string => `${cells.map(csvField).join(',')}\r\n`;

/** A list as CSV in UTF-8 with a BOM and CRLF lines: the header, the rows, the totals, then the summaries. */
export function openCsvTable(out: Writable, layout: SheetLayout): TableWriter {
  out.write(UTF8_BOM + csvLine(layout.columns.map((c) => c.header)));
  return {
    async write(rows: readonly Cell[][]): Promise<void> {
      if (rows.length) out.write(rows.map(csvLine).join(''));
      await drained(out);
    },
    async finish(footer: SheetFooter, summaries: readonly SummaryTable[] = []): Promise<void> {
      let tail = '';
      if (footer.totals) tail += csvLine(footer.totals);
      for (const note of footer.notes ?? []) tail += csvLine([note]);
      for (const table of summaries) {
        tail += `\r\n${csvLine([table.title])}${csvLine(table.columns.map((c) => c.header))}${table.rows.map(csvLine).join('')}`;
      }
      await new Promise<void>((resolve, reject) => {
        out.once('error', reject);
        out.end(tail, () => resolve());
      });
    },
  };
}
