import type { Queryable } from '@app/org';
import { UnitSql } from '@app/org';
import type { OtherTicket } from './evidence-checks';
import { toSigned64 } from './evidence-checks';

/**
 * Near-duplicate photos by multi-index hashing. A 64-bit difference hash is cut into four 16-bit
 * bands, each indexed with the county. Two hashes that differ in at most `d` bits differ, summed
 * over the four bands, in at most `d` bits, so in some band they differ in at most ⌊d/4⌋ bits
 * (pigeonhole). The lookup therefore asks each band's index for the band's value and every value
 * within ⌊d/4⌋ bits of it (for d up to 7: the value and its 16 one-bit neighbours, 68 keys in all)
 * and compares only those candidates bit by bit. With uniformly spread hashes a 16-bit value
 * matches one row in 65,536, so a million photos give about a thousand candidates.
 */
export const NEAR_BANDS = 4;
/** The widest distance the lookup takes (three differing bits a band, 697 keys a band). */
export const MAX_NEAR_DISTANCE = 15;
const BAND_BITS = 16;
const BAND_MASK = (1n << BigInt(BAND_BITS)) - 1n;
const MASK64 = (1n << 64n) - 1n;

/** The four 16-bit bands of a hash, most significant first. */
export function nearBands(hash: bigint): number[] {
  const h = hash & MASK64;
  return Array.from({ length: NEAR_BANDS }, (_, i) => Number((h >> BigInt((NEAR_BANDS - 1 - i) * BAND_BITS)) & BAND_MASK));
}

/** How many bits a band may differ in and the hash still be within `distance` of the query. */
export function probeRadius(distance: number): number {
  return Math.floor(Math.max(0, distance) / NEAR_BANDS);
}

/** The band's value and every 16-bit value within `radius` bits of it, without repeats. */
export function bandProbes(band: number, radius: number): number[] {
  let level = [band];
  const out = new Set(level);
  for (let r = 0; r < radius; r++) {
    const next: number[] = [];
    for (const v of level) {
      for (let bit = 0; bit < BAND_BITS; bit++) {
        const w = v ^ (1 << bit);
        if (!out.has(w)) {
          out.add(w);
          next.push(w);
        }
      }
    }
    level = next;
  }
  return [...out];
}

/**
 * The county a unit path lies in, as the evidence checks bound their search: its first two levels
 * (province/county), or the one level a root county has. `prefix` is that county's own path.
 */
export function countyOf(unitPath: string): { id: string; prefix: string } {
  const levels = unitPath.split('/').filter(Boolean).slice(0, 2);
  return { id: levels[levels.length - 1], prefix: `/${levels.join('/')}/` };
}

/** The id of the county a unit path lies in (`countyOf`). */
export function countyIdOf(unitPath: string): string {
  return countyOf(unitPath).id;
}

/** The columns of `ticket_evidence` that index a photo's hash, in the order `nearDuplicateColumns` names them. */
export function nearDuplicateValues(hash: bigint | undefined): Array<string | number | null> {
  if (hash === undefined) return [null, ...Array<null>(NEAR_BANDS).fill(null)];
  return [toSigned64(hash).toString(), ...nearBands(hash)];
}

export const nearDuplicateColumns = ['phash', ...Array.from({ length: NEAR_BANDS }, (_, i) => `phash_q${i}`)] as const;

export interface NearDuplicateQuery {
  hash: bigint;
  /** The county whose evidence is searched (`countyIdOf` the ticket's unit path). */
  countyId: string;
  /** At most this many differing bits (0–7, `EVIDENCE_NEAR_DUPLICATE_DISTANCE`). */
  distance: number;
  /** Files with this sha256 are left out (the same file is a `duplicate`, not a look-alike). */
  excludeSha256?: string;
  /** This ticket's own evidence is left out. */
  excludeTicketId?: string;
  limit?: number;
}

/** The statement and parameters of the near-duplicate lookup, for the service and the benchmark alike. */
export function nearDuplicateSql(query: NearDuplicateQuery): { sql: string; params: unknown[] } {
  if (!Number.isInteger(query.distance) || query.distance < 0 || query.distance > MAX_NEAR_DISTANCE)
    throw new RangeError(`near-duplicate distance must be 0–${MAX_NEAR_DISTANCE}, got ${query.distance}`);
  const radius = probeRadius(query.distance);
  const probes = nearBands(query.hash).map((b) => bandProbes(b, radius));
  const bands = probes.map((_, i) => `e.phash_q${i} = ANY($${i + 2}::int[])`).join(' OR ');
  const p = NEAR_BANDS + 2;
  const sql = `
    SELECT t.id, t.code, u.name AS "unitName"
      FROM (SELECT DISTINCT e.ticket_id FROM ticket_evidence e
             WHERE e.county_id = $1::uuid AND e.phash IS NOT NULL AND (${bands})
               AND length(replace((e.phash # $${p}::bigint)::bit(64)::text, '0', '')) <= $${p + 1}::int
               AND e.sha256 IS DISTINCT FROM $${p + 2}::text AND e.ticket_id IS DISTINCT FROM $${p + 3}::uuid) m
      JOIN ticket t ON t.id = m.ticket_id ${UnitSql.join('u', 't.unit_id')}
     ORDER BY t.code LIMIT $${p + 4}::int`;
  return {
    sql,
    params: [
      query.countyId,
      ...probes,
      toSigned64(query.hash).toString(),
      query.distance,
      query.excludeSha256 ?? null,
      query.excludeTicketId ?? null,
      query.limit ?? 20,
    ],
  };
}

/** Other tickets of the county backed by a photo whose hash is within the distance of this one. */
export async function findNearDuplicates(q: Queryable, query: NearDuplicateQuery): Promise<OtherTicket[]> {
  const { sql, params } = nearDuplicateSql(query);
  return q.query<OtherTicket[]>(sql, params);
}
