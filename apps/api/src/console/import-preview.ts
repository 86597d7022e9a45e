import { ColumnSpec, ImportRejected, ValidationFailed } from '@app/platform';
import { ImportedRow, inReaderLang, ReaderLang } from '@app/tickets';
import { field, FormBody, formOf } from './console-page';
import { ConsoleRequest } from './session';

/** A checked file up to this size rides along in the preview page, so the import needs no second upload. */
export const CARRY_MAX_BYTES = 1024 * 1024;

/** The form that maps a sheet's columns to the list's fields, when its header was not recognised. */
export interface MappingForm {
  columns: string[];
  /** The sheet's header row and its first rows. */
  cells: string[][];
  fields: Array<{ field: string; label: string; required: boolean; options: Array<{ value: string; selected: boolean }> }>;
}

export interface ImportPreview {
  ok: boolean;
  count?: number;
  rows?: Array<{ row: number; no?: string; column: string; message: string }>;
  carry?: { data: string; filename: string };
  /** A findings list: each row as it will be imported, and how many look like duplicates. */
  findings?: ImportedRow[];
  duplicates?: number;
  /** The column mapping (JSON) the list was checked with, carried on to the import. */
  mapping?: string;
  mappingForm?: MappingForm;
}

/** Runs a dry run and describes its outcome for the preview page. */
export async function preview(
  run: () => Promise<{ created: number; rows?: ImportedRow[] }>,
  file: { filename: string; data: Buffer },
  lang: ReaderLang = 'en',
  mapping?: { columns: readonly ColumnSpec<string>[]; given?: string },
): Promise<ImportPreview> {
  const carry = file.data.length <= CARRY_MAX_BYTES ? { data: file.data.toString('base64'), filename: file.filename } : undefined;
  try {
    const result = await run();
    const findings = result.rows;
    const duplicates = findings?.filter((r) => r.sameInFile.length || r.sameOpen.length).length;
    return { ok: true, count: result.created, carry, findings, duplicates, mapping: mapping?.given };
  } catch (e) {
    if (!(e instanceof ImportRejected)) throw e;
    const rows = inReaderLang(e, lang).rows;
    if (!mapping || !e.header || !carry) return { ok: false, rows };
    const given = (mapping.given ? JSON.parse(mapping.given) : {}) as Record<string, string>;
    const columns = e.header.columns;
    return {
      ok: false,
      rows,
      carry,
      mappingForm: {
        columns,
        cells: e.header.cells,
        fields: mapping.columns.map((s) => ({
          field: s.key,
          label: s.headers[0],
          required: s.required,
          options: columns.map((c) => ({ value: c, selected: given[s.key] === c })),
        })),
      },
    };
  }
}

/** The column mapping a form carries: `mapping` (JSON) as the preview passed it on, or one `map_<field>` select per field. */
export function mappingOf(body: FormBody, columns: readonly ColumnSpec<string>[]): string | undefined {
  const carriedMapping = field(body, 'mapping');
  if (carriedMapping) return carriedMapping;
  const chosen = columns.map((s) => [s.key, field(body, `map_${s.key}`)] as const).filter(([, header]) => header);
  return chosen.length ? JSON.stringify(Object.fromEntries(chosen)) : undefined;
}

/** The file a preview page carried back, as the import's upload. */
export function carried(req: ConsoleRequest): { filename: string; data: Buffer } {
  const body = formOf(req);
  const data = Buffer.from(field(body, 'data'), 'base64');
  if (!data.length) throw ValidationFailed.field('file', 'choose the file again');
  return { filename: field(body, 'filename') || 'upload.xlsx', data };
}
