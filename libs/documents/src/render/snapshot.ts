import type { DocumentKind, Locale } from '../kinds';

/** The 公文 header of a document of record: who issued it, its number, title and date. */
export interface DocumentHeader {
  /** 发文机关 */
  issuer: string;
  number: number;
  year: number;
  /** 期数 or 文号 as printed: 第11期, 〔2026〕3号. */
  numberLabel: string;
  title: string;
  /** The unit the document is about, and its township. */
  unitName: string;
  townshipName: string;
  period: string;
  periodLabel: string;
  /** The issue date as printed, in the issuer's time zone: the only date a template may show. */
  issuedDate: string;
  timezone: string;
  issuedBy: string | null;
  /** 更正: the document this one corrects. */
  corrects: { id: string; numberLabel: string; title: string } | null;
}

/**
 * Everything a document is rendered from, stored with it. The renderer is a pure function of
 * the snapshot and the template, so the same snapshot always gives the same HTML and sha256.
 */
export interface DocumentSnapshot {
  kind: DocumentKind;
  locale: Locale;
  header: DocumentHeader;
  /** The data the cycle step produced (cycle_output.data), as it was at issue. */
  data: unknown;
}
