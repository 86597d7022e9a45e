import { UnitSql } from '@app/org';
import { EntityManager } from 'typeorm';
import { ACTIVE_STATUSES } from '../domain/ticket-state';
import { textBigrams } from '../domain/search';

/** Two titles this alike (Dice coefficient of their two-character pieces) are likely the same problem. */
export const DUPLICATE_SIMILARITY = 0.7;

/** How alike two titles are, from 0 to 1: the share of two-character pieces they have in common. */
export function titleSimilarity(a: string, b: string): number {
  return gramSimilarity(new Set(gramsOf(a)), new Set(gramsOf(b)));
}

function gramsOf(title: string): string[] {
  return textBigrams(title.replace(/[\s\p{P}]/gu, ''));
}

function gramSimilarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (!a.size || !b.size) return 0;
  let shared = 0;
  for (const g of a) if (b.has(g)) shared++;
  return (2 * shared) / (a.size + b.size);
}

/** A finding of the list, as the duplicate check sees it. */
export interface FindingKey {
  title: string;
  unitIds: readonly string[];
}

/** An open ticket a finding likely repeats. */
export interface OpenDuplicate {
  id: string;
  code: string;
  title: string;
  unitName: string;
}

export interface Duplicates {
  /** For each finding, the earlier findings of the list (by index) for a same unit with a near-identical title. */
  inFile: number[][];
  /** For each finding, the unit's open tickets with a similar title. */
  open: OpenDuplicate[][];
}

/**
 * Likely duplicates of each finding: earlier findings of the same list for one of its units with
 * a near-identical title, and open tickets of its units with a similar title (a common problem's
 * parent is not compared: its units' children are).
 */
export async function findDuplicates(m: EntityManager, findings: readonly FindingKey[]): Promise<Duplicates> {
  const grams = findings.map((f) => new Set(gramsOf(f.title)));
  const inFile: number[][] = findings.map(() => []);
  const byUnit = new Map<string, number[]>();
  findings.forEach((f, i) => {
    const seen = new Set<number>();
    for (const unitId of f.unitIds) {
      const earlier = byUnit.get(unitId) ?? [];
      for (const j of earlier)
        if (!seen.has(j) && gramSimilarity(grams[i], grams[j]) >= DUPLICATE_SIMILARITY) {
          seen.add(j);
          inFile[i].push(j);
        }
      earlier.push(i);
      byUnit.set(unitId, earlier);
    }
    inFile[i].sort((a, b) => a - b);
  });
  const unitIds = [...byUnit.keys()];
  const rows = unitIds.length
    ? await m.query<Array<{ id: string; code: string; title: string; unit_id: string; unit_name: string }>>(
        `SELECT t.id, t.code, t.title, t.unit_id, u.name AS unit_name
           FROM ticket t ${UnitSql.join('u', 't.unit_id')}
          WHERE t.unit_id = ANY($1::uuid[]) AND t.status = ANY($2::text[]) AND NOT t.is_common
          ORDER BY t.created_at, t.id`,
        [unitIds, ACTIVE_STATUSES],
      )
    : [];
  const openByUnit = new Map<string, Array<{ ticket: OpenDuplicate; grams: Set<string> }>>();
  for (const r of rows) {
    if (!openByUnit.has(r.unit_id)) openByUnit.set(r.unit_id, []);
    openByUnit.get(r.unit_id)!.push({
      ticket: { id: r.id, code: r.code, title: r.title, unitName: r.unit_name },
      grams: new Set(gramsOf(r.title)),
    });
  }
  const open = findings.map((f, i) =>
    f.unitIds.flatMap((u) =>
      (openByUnit.get(u) ?? []).filter((o) => gramSimilarity(grams[i], o.grams) >= DUPLICATE_SIMILARITY).map((o) => o.ticket),
    ),
  );
  return { inFile, open };
}
