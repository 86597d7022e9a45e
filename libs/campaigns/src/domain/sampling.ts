import type { RandomGenerator } from 'pure-rand';
import { ATTRIBUTES, HouseholdAttribute } from './campaign-kinds';
import { generatorFor, pickK } from './random';

export interface SamplingHousehold {
  id: string;
  attribute: HouseholdAttribute;
}

export interface SamplingVillage {
  id: string;
  households: readonly SamplingHousehold[];
}

export interface SamplingInput {
  /** Every village of the campaign with its roster households, in a stable order (by id). */
  villages: readonly SamplingVillage[];
  /** Households not to draw again: drawn earlier in the round. */
  excluded: ReadonlySet<string>;
  /** Villages drawn earlier in the round: drawn again only when no other village is left. */
  visited: ReadonlySet<string>;
  villagesPerDraw: number;
  householdsPerVillage: number;
  stratify: boolean;
}

export interface VillageSample {
  villageId: string;
  householdIds: string[];
}

/**
 * How many of `size` households to take from each stratum: a share proportional to the
 * stratum's size, the remainders going to the largest fractions (ties by the order of 属性).
 */
export function allocate(sizes: Record<HouseholdAttribute, number>, size: number): Record<HouseholdAttribute, number> {
  const total = ATTRIBUTES.reduce((s, a) => s + sizes[a], 0);
  const take = Math.min(size, total);
  const out = { registered: 0, exited: 0, non_registered: 0 };
  if (!take) return out;
  const exact = ATTRIBUTES.map((a) => ({ a, q: (sizes[a] * take) / total }));
  let given = 0;
  for (const { a, q } of exact) {
    out[a] = Math.floor(q);
    given += out[a];
  }
  const byFraction = [...exact].sort((x, y) => y.q - Math.floor(y.q) - (x.q - Math.floor(x.q)));
  for (const { a } of byFraction) {
    if (given >= take) break;
    if (out[a] < sizes[a]) {
      out[a] += 1;
      given += 1;
    }
  }
  return out;
}

function drawHouseholds(households: readonly SamplingHousehold[], input: SamplingInput, rng: RandomGenerator): string[] {
  if (!input.stratify) return pickK(households, input.householdsPerVillage, rng).map((h) => h.id);
  const strata: Record<HouseholdAttribute, SamplingHousehold[]> = { registered: [], exited: [], non_registered: [] };
  for (const h of households) strata[h.attribute].push(h);
  const shares = allocate(
    { registered: strata.registered.length, exited: strata.exited.length, non_registered: strata.non_registered.length },
    input.householdsPerVillage,
  );
  return ATTRIBUTES.flatMap((a) => pickK(strata[a], shares[a], rng).map((h) => h.id));
}

/**
 * A random draw (随机抽查): `villagesPerDraw` villages, preferring those not drawn yet in the
 * round, then up to `householdsPerVillage` households in each that were not drawn before in
 * the round, by 属性 strata when asked. A pure function of its input and the seed.
 */
export function drawSample(input: SamplingInput, seed: string): VillageSample[] {
  const rng = generatorFor(seed);
  const open = input.villages
    .map((v) => ({ id: v.id, households: v.households.filter((h) => !input.excluded.has(h.id)) }))
    .filter((v) => v.households.length > 0);
  const fresh = open.filter((v) => !input.visited.has(v.id));
  const again = open.filter((v) => input.visited.has(v.id));
  const villages = pickK(fresh, input.villagesPerDraw, rng);
  if (villages.length < input.villagesPerDraw) villages.push(...pickK(again, input.villagesPerDraw - villages.length, rng));
  return villages.map((v) => ({ villageId: v.id, householdIds: drawHouseholds(v.households, input, rng) }));
}
