import type { HelperDelegate, HelperOptions } from 'handlebars';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { STATUS_NAMES } from '@app/tickets';
import { dateLabel } from '../issue/document-content';
import type { Locale } from '../kinds';
import { closeOutRateChart, CloseOutRate } from './chart';
import { percent } from '../ledger/ledger-totals';
import { WARNING_LABELS, WARNING_LABELS_EN, warningNames } from '../wording/dossier-wording';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

/** Self-check filing and checklist states in both languages, for documents and their spreadsheets. */
export const SELF_CHECK_LABELS: Record<string, { zh: string; en: string }> = {
  on_time: { zh: '按时报送', en: 'on time' },
  late: { zh: '逾期报送', en: 'late' },
  missing: { zh: '未报送', en: 'not filed' },
  done: { zh: '已完成', en: 'done' },
  partial: { zh: '部分完成', en: 'partly done' },
  not_done: { zh: '未完成', en: 'not done' },
};

const STATUS: Record<string, { zh: string; en: string }> = {
  open: { zh: STATUS_NAMES.open, en: 'open' },
  in_progress: { zh: STATUS_NAMES.in_progress, en: 'in progress' },
  pending_review: { zh: STATUS_NAMES.pending_review, en: 'pending review' },
  closed: { zh: STATUS_NAMES.closed, en: 'closed' },
  cancelled: { zh: STATUS_NAMES.cancelled, en: 'cancelled' },
};

function localeOf(options: HelperOptions): Locale {
  return (options.data as { root?: { locale?: Locale } } | undefined)?.root?.locale === 'en' ? 'en' : 'zh';
}

/**
 * The helpers every template may use. Each is a pure function of its arguments (and of the
 * snapshot's locale and time zone), so rendering stays deterministic.
 */
export const HELPERS: Record<string, HelperDelegate> = {
  /** 0.955 → 95.5% */
  pct: (v: unknown) => percent(num(v)),
  /** A number with `digits` decimals. */
  fixed: (v: unknown, digits: unknown) => (v === null || v === undefined ? '' : num(v).toFixed(typeof digits === 'number' ? digits : 1)),
  /** 0-based @index → 1-based 序号. */
  inc: (v: unknown) => num(v) + 1,
  eq: (a: unknown, b: unknown) => a === b,
  gt: (a: unknown, b: unknown) => num(a) > num(b),
  len: (v: unknown) => (Array.isArray(v) ? v.length : 0),
  join: (v: unknown, sep: unknown) => (Array.isArray(v) ? v.join(typeof sep === 'string' ? sep : '、') : ''),
  /** A status code (self-check, checklist item, ticket) in the document's language. */
  label: (v: unknown, options: HelperOptions) => {
    const key = String(v);
    const entry = SELF_CHECK_LABELS[key] ?? STATUS[key];
    return entry ? entry[localeOf(options)] : key;
  },
  /** The checks a ticket's evidence warnings raised (佐证预警), each named once in the document's language. */
  warnings: (v: unknown, options: HelperOptions) => {
    const en = localeOf(options) === 'en';
    return warningNames(Array.isArray(v) ? v : [], en ? WARNING_LABELS_EN : WARNING_LABELS).join(en ? '; ' : '、');
  },
  /** An instant as a local date in the issuer's zone (the snapshot's header.timezone). */
  localDate: (iso: unknown, options: HelperOptions) => {
    if (typeof iso !== 'string' || !iso) return '';
    const zone = (options.data as { root?: { header?: { timezone?: string } } }).root?.header?.timezone ?? 'Asia/Shanghai';
    const d = DateTime.fromISO(iso, { zone });
    if (!d.isValid) return iso;
    return dateLabel(d, localeOf(options));
  },
  /** The close-out rate per team as an inline SVG chart. */
  closeOutChart: (rates: unknown, options: HelperOptions) =>
    new Handlebars.SafeString(closeOutRateChart(Array.isArray(rates) ? (rates as CloseOutRate[]) : [], localeOf(options))),
};
