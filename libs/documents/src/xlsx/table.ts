import type { Writable } from 'node:stream';

/** A cell of a list: text, a number, or empty. Dates are written as YYYY-MM-DD text. */
export type Cell = string | number | null;

export interface SheetColumn {
  header: string;
  /** Width in characters (a Chinese character counts about two). */
  width: number;
  /** Long text wraps inside its cell. */
  wrap?: boolean;
  /** An Excel number format for numeric cells, e.g. '0.0%'. */
  numFmt?: string;
}

/** What sits above and beside the rows: the sheet's name, the title line, a subtitle, the columns. */
export interface SheetLayout {
  sheetName: string;
  title: string;
  subtitle?: string;
  columns: SheetColumn[];
}

/** What closes a list: a totals row under the columns, and sentences under it. */
export interface SheetFooter {
  totals?: Cell[];
  notes?: string[];
}

/** A small table on a sheet of its own (汇总): totals by source, by unit. */
export interface SummaryTable {
  title: string;
  columns: SheetColumn[];
  rows: Cell[][];
}

/**
 * Writes a list to a stream row by row, without holding the rows: `write` waits while the
 * stream is full, so a slow client slows the query instead of filling memory.
 */
export interface TableWriter {
  write(rows: readonly Cell[][]): Promise<void>;
  finish(footer: SheetFooter, summaries?: readonly SummaryTable[]): Promise<void>;
}

export class StreamClosed extends Error {
  constructor() {
    super('the output stream closed before the list was written');
  }
}

/** Resolves once `out` can take more, rejects if it closes or fails first. */
export function drained(out: Writable): Promise<void> {
  if (out.destroyed || out.writableEnded) return Promise.reject(new StreamClosed());
  if (!out.writableNeedDrain) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (err?: unknown) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', onClose);
      if (err) reject(err instanceof Error ? err : new StreamClosed());
      else resolve();
    };
    const onDrain = () => done();
    const onClose = (e?: unknown) => done(e ?? new StreamClosed());
    out.once('drain', onDrain);
    out.once('close', onClose);
    out.once('error', onClose);
  });
}
