const MASK64 = (1n << 64n) - 1n;

/** A deterministic 64-bit generator (splitmix64): the same hashes every run for the same seed. */
export function splitmix64(seed: bigint): () => bigint {
  let s = seed;
  return () => {
    s = (s + 0x9e3779b97f4a7c15n) & MASK64;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  };
}

/** `hash` with `bits` distinct bits flipped, chosen by `next`. */
export function flipBits(hash: bigint, bits: number, next: () => bigint): bigint {
  const chosen = new Set<number>();
  while (chosen.size < bits) chosen.add(Number(next() % 64n));
  let out = hash;
  for (const b of chosen) out ^= 1n << BigInt(b);
  return out;
}
