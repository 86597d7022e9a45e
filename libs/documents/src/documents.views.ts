import type { DocumentKind, Locale } from './kinds';
import type { DocumentSnapshot } from './render/snapshot';

/** A document of record as lists show it. */
export interface DocumentSummary {
  id: string;
  kind: DocumentKind;
  unitId: string;
  unitName: string;
  period: string;
  number: number;
  /** 第11期 / 〔2026〕3号 */
  numberLabel: string;
  title: string;
  issuer: string;
  issuedAt: string;
  /** Null when the cycle issued it by itself. */
  issuedBy: { id: string | null; name: string } | null;
  sha256: string;
  locale: Locale;
  /** The document this one corrects (更正), and the one that corrects it, if any. */
  corrects: { id: string; numberLabel: string } | null;
  correctedBy: { id: string; numberLabel: string } | null;
  sourceOutputId: string | null;
}

export interface DocumentDetail extends DocumentSummary {
  snapshot: DocumentSnapshot;
}

export interface DocumentPage {
  items: DocumentSummary[];
  total: number;
  page: number;
  pageSize: number;
}

export interface DocumentQuery {
  unitId?: string;
  subtree?: boolean;
  kind?: DocumentKind;
  period?: string;
  page?: number;
  pageSize?: number;
}

export interface IssueRequest {
  kind: DocumentKind;
  unitId: string;
  period: string;
  /** The id of the document this issue corrects (更正). */
  corrects?: string;
  locale?: Locale;
}

/** A rendition ready to send: bytes, media type and a file name. */
export interface Rendition {
  body: Buffer | string;
  mediaType: string;
  filename: string;
}
