import { ImportRejected, ValidationFailed } from '@app/platform';
import { ImportedRow, inReaderLang, ReaderLang } from '@app/tickets';
import { field, formOf } from './console-page';
import { ConsoleRequest } from './session';

/** A checked file up to this size rides along in the preview page, so the import needs no second upload. */
export const CARRY_MAX_BYTES = 1024 * 1024;

export interface ImportPreview {
  ok: boolean;
  count?: number;
  rows?: Array<{ row: number; no?: string; column: string; message: string }>;
  carry?: { data: string; filename: string };
  /** A findings list: each row as it will be imported, and how many look like duplicates. */
  findings?: ImportedRow[];
  duplicates?: number;
}

/** Runs a dry run and describes its outcome for the preview page. */
export async function preview(
  run: () => Promise<{ created: number; rows?: ImportedRow[] }>,
  file: { filename: string; data: Buffer },
  lang: ReaderLang = 'en',
): Promise<ImportPreview> {
  try {
    const result = await run();
    const carry = file.data.length <= CARRY_MAX_BYTES ? { data: file.data.toString('base64'), filename: file.filename } : undefined;
    const findings = result.rows;
    const duplicates = findings?.filter((r) => r.sameInFile.length || r.sameOpen.length).length;
    return { ok: true, count: result.created, carry, findings, duplicates };
  } catch (e) {
    if (e instanceof ImportRejected) return { ok: false, rows: inReaderLang(e, lang).rows };
    throw e;
  }
}

/** The file a preview page carried back, as the import's upload. */
export function carried(req: ConsoleRequest): { filename: string; data: Buffer } {
  const body = formOf(req);
  const data = Buffer.from(field(body, 'data'), 'base64');
  if (!data.length) throw ValidationFailed.field('file', 'choose the file again');
  return { filename: field(body, 'filename') || 'upload.xlsx', data };
}
