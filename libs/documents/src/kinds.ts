import { isPeriod } from '@app/cycles';

/** What documents of record there are (API.md), in the order the month produces them. */
export const DOCUMENT_KINDS = [
  'task_list',
  'self_check_report',
  'rectification_list',
  'progress_list',
  'bulletin',
  'evaluation_list',
  'ledger',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** The kinds a cycle step produces the data of. */
export const CYCLE_DOCUMENT_KINDS = [
  'task_list',
  'self_check_report',
  'rectification_list',
  'progress_list',
  'bulletin',
  'evaluation_list',
] as const satisfies readonly DocumentKind[];
export type CycleDocumentKind = (typeof CYCLE_DOCUMENT_KINDS)[number];

/**
 * The most rows a ledger document of record holds: its snapshot and HTML store every row, so a
 * larger ledger is a spreadsheet (`GET /ledger?format=xlsx`), not a document.
 */
export const LEDGER_DOCUMENT_MAX_ROWS = 5000;

/** Kinds whose cycle output is one per team (subject unit) rather than one per township. */
export const PER_TEAM_KINDS: readonly DocumentKind[] = ['task_list', 'self_check_report'];

export const LOCALES = ['zh', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export const KIND_LABELS: Record<DocumentKind, { zh: string; en: string }> = {
  task_list: { zh: '任务清单', en: 'Task list' },
  self_check_report: { zh: '自查报告', en: 'Self-check report' },
  rectification_list: { zh: '整改清单', en: 'Rectification list' },
  progress_list: { zh: '进度清单', en: 'Progress list' },
  bulletin: { zh: '督查通报', en: 'Supervision bulletin' },
  evaluation_list: { zh: '考评清单', en: 'Evaluation list' },
  ledger: { zh: '问题台账', en: 'Problem ledger' },
};

/** A ledger's period: the tickets found in a month (`YYYY-MM`) or a whole year (`YYYY`). */
export const LEDGER_PERIOD = /^\d{4}(-(0[1-9]|1[0-2]))?$/;

/** Whether `period` suits a document of `kind`: a month for the cycle's kinds, a month or a year for a ledger. */
export function isPeriodOfKind(kind: DocumentKind | undefined, period: unknown): period is string {
  return typeof period === 'string' && (kind === 'ledger' ? LEDGER_PERIOD.test(period) : isPeriod(period));
}

/** What {@link isPeriodOfKind} expects, as a validation message. */
export function periodFormatOf(kind: DocumentKind | undefined): string {
  return kind === 'ledger' ? 'YYYY-MM or YYYY' : 'YYYY-MM';
}
