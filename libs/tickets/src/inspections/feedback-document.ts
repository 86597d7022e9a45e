/** The round and feedback document (反馈文号 and its date) a findings list names in its title rows. */
export interface FeedbackDocument {
  /** 第三轮 */
  round: string | null;
  /** 黔巡反馈〔2026〕12号 */
  docNumber: string | null;
  /** YYYY-MM-DD */
  docDate: string | null;
}

const ROUND = /第\s*([一二三四五六七八九十百零〇两]+|\d{1,3})\s*轮/;
const NUMBER_LABEL = /(?:反馈)?文\s*号\s*[:：]\s*([^\s；;，,（(]+〔\d{4}〕\s*\d+\s*号|[^\s；;，,（(]+)/;
const NUMBER_BARE = /[\p{Script=Han}A-Za-z]+\s*[〔[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号/u;
const DATE_LABEL = /(?:反馈|印发|发文|成文)(?:时间|日期)\s*[:：]\s*(\d{4}\s*[年./-]\s*\d{1,2}\s*[月./-]\s*\d{1,2}\s*日?)/;
const DATE = /(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})/;

function isoDay(text: string): string | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/** Brackets as the document itself prints them: 黔巡反馈[2026]12号 is 黔巡反馈〔2026〕12号. */
export function normaliseDocNumber(text: string): string {
  return text.replace(/\s+/g, '').replace(/^([^〔[［(（]+)[[［(（](\d{4})[\]］)）]/, '$1〔$2〕');
}

/**
 * Reads the rows above a findings header (州委第三轮巡察…反馈问题整改清单, 反馈文号：…,
 * 反馈时间：…); what they do not name stays null. The 填报时间 of the office filling the list in is
 * not the document's date and is not read.
 */
export function feedbackDocumentOf(rows: ReadonlyArray<{ values: readonly string[] }>): FeedbackDocument {
  const found: FeedbackDocument = { round: null, docNumber: null, docDate: null };
  const texts = [...new Set(rows.flatMap((r) => r.values.map((v) => v.trim()).filter(Boolean)))];
  for (const text of texts) {
    const round = ROUND.exec(text);
    if (round && !found.round) found.round = `第${round[1]}轮`;
    const labelled = NUMBER_LABEL.exec(text);
    const number = labelled?.[1] ?? NUMBER_BARE.exec(text)?.[0];
    if (number && !found.docNumber) {
      found.docNumber = normaliseDocNumber(number);
      // 反馈文号：黔巡反馈〔2026〕12号（2026年3月10日）
      const after = text.slice(text.indexOf(number) + number.length);
      if (!found.docDate && /^\s*[（(]/.test(after)) found.docDate = isoDay(after);
    }
    const dated = DATE_LABEL.exec(text);
    if (dated && !found.docDate) found.docDate = isoDay(dated[1]);
  }
  return found;
}
