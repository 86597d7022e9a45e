/** What `sheet-worker.js` is started with. */
export interface SheetWorkerInput {
  data: Uint8Array;
  /** Rows read per sheet at most (SheetJS's `sheetRows`). */
  sheetRows: number;
  /** A row with more cells than this is sent without them, with its width. */
  maxCells: number;
}

/** A row as the worker sends it: the text of each cell, or only its width when it is too wide. */
export interface WorkerRow {
  rowNumber: number;
  values: string[];
  width?: number;
}

/** A merged area, 1-based and inclusive. */
export interface WorkerMerge {
  r1: number;
  c1: number;
  r2: number;
  c2: number;
}

export type FromSheetWorker =
  | { kind: 'unreadable'; message: string }
  | { kind: 'book'; sheets: string[] }
  | { kind: 'rows'; sheet: number; rows: WorkerRow[]; merges: WorkerMerge[]; done: boolean };

/** The service asks for a sheet's rows by its place among the sheets the worker named. */
export interface ToSheetWorker {
  sheet: number;
}
