import { DateTime } from 'luxon';
import { DocumentKind, Locale } from '../kinds';

/** Pure rules for the 公文 header fields of a document: title, issuer, number and dates. */

const EN_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

export function periodLabel(period: string, locale: Locale): string {
  const year = Number(period.slice(0, 4));
  const month = period.length > 4 ? Number(period.slice(5, 7)) : undefined;
  if (locale === 'zh') return month ? `${year}年${month}月` : `${year}年`;
  return month ? `${EN_MONTHS[month - 1]} ${year}` : String(year);
}

/** 期数 of a bulletin (第11期), 文号 of the others (〔2026〕3号), marked 台账 for a ledger. */
export function numberLabel(kind: DocumentKind, year: number, n: number, locale: Locale): string {
  if (kind === 'bulletin') return locale === 'zh' ? `第${n}期` : `Issue ${n}`;
  if (kind === 'ledger') return locale === 'zh' ? `台账〔${year}〕${n}号` : `Ledger [${year}] No. ${n}`;
  return locale === 'zh' ? `〔${year}〕${n}号` : `[${year}] No. ${n}`;
}

export function issuedDateLabel(at: Date, timezone: string, locale: Locale): string {
  return dateLabel(DateTime.fromJSDate(at, { zone: timezone }), locale);
}

/** 2026年8月1日, or 1 August 2026. */
export function dateLabel(d: DateTime, locale: Locale): string {
  return locale === 'zh' ? `${d.year}年${d.month}月${d.day}日` : `${d.day} ${EN_MONTHS[d.month - 1]} ${d.year}`;
}

interface Named {
  name?: string;
}

/** The body that issues a kind of document for a township. */
export function issuerName(kind: DocumentKind, townshipName: string, data: unknown): string {
  const given = (data as { issuer?: unknown } | null)?.issuer;
  if (kind === 'bulletin' && typeof given === 'string' && given.trim()) return given;
  return `${townshipName}脱贫攻坚领导小组办公室`;
}

export function documentTitle(
  kind: DocumentKind,
  locale: Locale,
  data: unknown,
  townshipName: string,
  unitName: string,
  period: string,
): string {
  const d = (data ?? {}) as { title?: unknown; team?: Named };
  const when = periodLabel(period, locale);
  const team = d.team?.name ?? unitName;
  if (locale === 'en') {
    const what: Record<DocumentKind, string> = {
      task_list: `Task list of ${team}`,
      self_check_report: `Self-check report of ${team}`,
      rectification_list: `Rectification list of ${townshipName}`,
      progress_list: `Progress list of ${townshipName}`,
      bulletin: `Supervision bulletin on ${townshipName}`,
      evaluation_list: `Evaluation list of ${townshipName}`,
      ledger: `Problem ledger of ${unitName}`,
    };
    return `${what[kind]}, ${when}`;
  }
  const given = typeof d.title === 'string' ? d.title.replace(/^《|》$/g, '') : undefined;
  switch (kind) {
    case 'bulletin':
      return given ?? `关于${when}脱贫攻坚工作督查情况的通报`;
    case 'task_list':
      return `${given ?? `${townshipName}${when}重点工作任务清单`}（${team}）`;
    case 'self_check_report':
      return `${team}${when}脱贫攻坚自查报告`;
    case 'rectification_list':
      return `${townshipName}${when}问题整改清单`;
    case 'progress_list':
      return `${townshipName}${when}工作进度清单`;
    case 'evaluation_list':
      return `${townshipName}${when}考评清单`;
    case 'ledger':
      return `${unitName}${when}问题整改台账`;
  }
}
