import { createHash } from 'node:crypto';
import { RandomGenerator, unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';

/** The generator and its seeding, recorded with every draw so that anyone can repeat it. */
export const DRAW_ALGORITHM = 'xoroshiro128plus/sha256-seed/fisher-yates v1';

/** A generator from a seed text: the first 32 bits of the seed's SHA-256 seed xoroshiro128+. */
export function generatorFor(seed: string): RandomGenerator {
  return xoroshiro128plus(createHash('sha256').update(seed, 'utf8').digest().readInt32BE(0));
}

/** The first `k` items of a uniformly shuffled copy (a partial Fisher–Yates shuffle). */
export function pickK<T>(items: readonly T[], k: number, rng: RandomGenerator): T[] {
  const a = [...items];
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = unsafeUniformIntDistribution(i, a.length - 1, rng);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n);
}

export function shuffled<T>(items: readonly T[], rng: RandomGenerator): T[] {
  return pickK(items, items.length, rng);
}
