import type { Queryable } from '@app/org';
import { ColumnSpec, ValidationFailed } from '@app/platform';

/** Which header of a sheet holds each field of a findings list: `{ "problem": "情况", "unit": "单位" }`. */
export type ColumnMapping = Record<string, string>;

const MAX_HEADER = 100;

/** A mapping as the request carries it (JSON), checked against the fields a findings list has. */
export function parseMapping(text: string | undefined, specs: readonly ColumnSpec<string>[]): ColumnMapping | undefined {
  if (text === undefined || !text.trim()) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw ValidationFailed.field('mapping', 'must be a JSON object of field → column header');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw ValidationFailed.field('mapping', 'must be a JSON object of field → column header');
  const fields = specs.map((s) => s.key);
  const out: ColumnMapping = {};
  const headers = new Set<string>();
  for (const [field, header] of Object.entries(value as Record<string, unknown>)) {
    if (!fields.includes(field)) throw ValidationFailed.field('mapping', `"${field.slice(0, 50)}" is not a field (${fields.join(', ')})`);
    if (typeof header !== 'string' || !header.trim() || header.length > MAX_HEADER)
      throw ValidationFailed.field('mapping', `${field} must name a column header of 1 to ${MAX_HEADER} characters`);
    if (headers.has(header.trim())) throw ValidationFailed.field('mapping', `"${header.trim()}" is mapped to two fields`);
    headers.add(header.trim());
    out[field] = header.trim();
  }
  return Object.keys(out).length ? out : undefined;
}

/** The columns with the mapping's headers first for their fields, and taken away from every other field. */
export function withMapping<K extends string>(specs: readonly ColumnSpec<K>[], mapping: ColumnMapping | undefined): ColumnSpec<K>[] {
  if (!mapping) return [...specs];
  const mapped = new Set(Object.values(mapping));
  return specs.map((s) => ({
    ...s,
    headers: [...(mapping[s.key] ? [mapping[s.key]] : []), ...s.headers.filter((h) => !mapped.has(h))],
  }));
}

/** The mapping last used for the issuing body's lists, if any. */
export async function recallMapping(q: Queryable, issuedBy: string): Promise<ColumnMapping | undefined> {
  const [row] = await q.query<Array<{ mapping: ColumnMapping }>>(`SELECT mapping FROM findings_column_mapping WHERE issued_by = $1`, [
    issuedBy.trim(),
  ]);
  return row?.mapping;
}

/** Keeps the mapping for the issuing body's next list. */
export async function rememberMapping(q: Queryable, issuedBy: string, mapping: ColumnMapping, at: Date): Promise<void> {
  await q.query(
    `INSERT INTO findings_column_mapping (issued_by, mapping, updated_at) VALUES ($1, $2::jsonb, $3)
     ON CONFLICT (issued_by) DO UPDATE SET mapping = EXCLUDED.mapping, updated_at = EXCLUDED.updated_at`,
    [issuedBy.trim(), JSON.stringify(mapping), at],
  );
}
