import { PassThrough } from 'node:stream';
import type { Logger } from '@nestjs/common';
import { DocumentSnapshot, DocumentSummary, isListKind, Rendition, writeListCsv, writeListWorkbook } from '@app/documents';
import { NotFound } from '@app/platform';

export interface StreamReply {
  header(name: string, value: string): StreamReply;
  send(payload: unknown): unknown;
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPE = 'text/csv; charset=utf-8';

/**
 * Content-Disposition for a download with a Chinese name: an ASCII fallback for old clients
 * and the UTF-8 name in RFC 5987 form, which browsers and Excel use.
 */
export function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Sends a file that is written while it is sent. Errors after the first byte can no longer
 * become an error response: the stream is cut, so the client sees a broken download rather
 * than a file that looks complete.
 */
export function streamFile(
  reply: StreamReply,
  file: { name: string; type: string },
  write: (out: PassThrough) => Promise<unknown>,
  logger: Logger,
): void {
  const out = new PassThrough();
  reply
    .header('content-type', file.type)
    .header('content-disposition', attachment(file.name))
    .header('cache-control', 'private, no-store')
    .header('x-content-type-options', 'nosniff');
  reply.send(out);
  write(out).catch((e: unknown) => {
    if (!out.destroyed) logger.error(`writing ${file.name} failed: ${e instanceof Error ? e.message : String(e)}`);
    out.destroy(e instanceof Error ? e : new Error(String(e)));
  });
}

/** Sends a rendition made in full (PDF, Word) as a download. */
export function sendRendition(reply: StreamReply, r: Rendition): void {
  reply
    .header('content-type', r.mediaType)
    .header('content-disposition', attachment(r.filename))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, max-age=3600');
  reply.send(r.body);
}

/** Streams a list document as XLSX or CSV, written from its stored snapshot while it is sent. */
export function streamListSheet(
  reply: StreamReply,
  { document, snapshot }: { document: DocumentSummary; snapshot: DocumentSnapshot },
  format: 'xlsx' | 'csv',
  logger: Logger,
): void {
  if (!isListKind(document.kind)) throw new NotFound(`A spreadsheet rendition of a ${document.kind} document`);
  const heading = { title: document.title, subtitle: `${document.issuer} ${document.numberLabel}` };
  const write = format === 'xlsx' ? writeListWorkbook : writeListCsv;
  streamFile(
    reply,
    { name: `${document.title}（${document.numberLabel}）.${format}`, type: format === 'xlsx' ? XLSX_TYPE : CSV_TYPE },
    (out) => write(document.kind, snapshot.data, out, heading),
    logger,
  );
}

/** Sends an issued document's HTML exactly as stored, with its sha256 and a CSP that allows no scripts. */
export function sendDocumentHtml(reply: StreamReply, { document, html }: { document: { sha256: string }; html: string }): void {
  reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('x-document-sha256', document.sha256)
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, max-age=3600');
  reply.send(html);
}

/** Stored files a browser shows itself without running anything from them. */
const SHOWN_INLINE = new Set(['image/jpeg', 'image/png', 'image/webp', 'application/pdf']);

/**
 * Sends a stored file (evidence). Photos and PDFs, which the console shows, open in the
 * browser in a sandbox (no scripts, no forms, no same-origin access: a PDF's JavaScript cannot
 * act for the signed-in user); everything else is a download. Never sniffed into another type.
 */
export function sendStoredFile(reply: StreamReply, file: { mediaType: string; size: number; filename: string }, body: unknown): void {
  const inline = SHOWN_INLINE.has(file.mediaType);
  reply
    .header('content-type', file.mediaType)
    .header('content-length', String(file.size))
    .header('content-disposition', inline ? `inline; filename*=UTF-8''${encodeURIComponent(file.filename)}` : attachment(file.filename))
    .header('content-security-policy', 'sandbox')
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, max-age=3600');
  reply.send(body);
}
