import type { Writable } from 'node:stream';
import { NotFound } from '@app/platform';
import { openCsvTable } from './csv-table-writer';
import { ListHeading, listTable, ListTable } from './list-tables';
import type { TableWriter } from './table';
import { openXlsxTable } from './xlsx-table-writer';

/** Rows handed to the writer at a time, so a long list yields to the event loop and to backpressure. */
const BATCH = 1000;

function tableOf(kind: string, data: unknown, heading?: ListHeading): ListTable {
  const table = listTable(kind, data, heading);
  if (!table) throw new NotFound(`A spreadsheet rendition of a ${kind}`);
  return table;
}

async function writeTable(table: ListTable, writer: TableWriter): Promise<void> {
  for (let i = 0; i < table.rows.length; i += BATCH) await writer.write(table.rows.slice(i, i + BATCH));
  await writer.finish(table.footer, table.summaries);
}

/** A list document (task, rectification, progress, evaluation list or ledger) as an XLSX workbook. */
export async function writeListWorkbook(kind: string, data: unknown, out: Writable, heading?: ListHeading): Promise<void> {
  const table = tableOf(kind, data, heading);
  await writeTable(table, openXlsxTable(out, table.layout));
}

/** The same list as CSV in UTF-8 with a BOM. */
export async function writeListCsv(kind: string, data: unknown, out: Writable, heading?: ListHeading): Promise<void> {
  const table = tableOf(kind, data, heading);
  await writeTable(table, openCsvTable(out, table.layout));
}
