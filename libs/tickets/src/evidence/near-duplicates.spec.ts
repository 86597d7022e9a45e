import { hammingDistance } from './evidence-checks';
import { bandProbes, countyIdOf, nearBands, nearDuplicateSql, probeRadius } from './near-duplicates';
import { flipBits, splitmix64 } from '../../../../test/support/random-hashes';

describe('nearBands', () => {
  it.each([
    [0n, [0, 0, 0, 0]],
    [0x0123456789abcdefn, [0x0123, 0x4567, 0x89ab, 0xcdef]],
    [0xffffffffffffffffn, [0xffff, 0xffff, 0xffff, 0xffff]],
  ])('%s', (hash, bands) => {
    expect(nearBands(hash)).toEqual(bands);
  });
});

describe('bandProbes', () => {
  it('radius 0 is the value alone, radius 1 adds its 16 one-bit neighbours, radius 2 the 120 two-bit ones', () => {
    expect(bandProbes(0x1234, 0)).toEqual([0x1234]);
    const one = bandProbes(0x1234, 1);
    expect(one).toHaveLength(17);
    expect(new Set(one.map((v) => hammingDistance(BigInt(v), 0x1234n)))).toEqual(new Set([0, 1]));
    const two = bandProbes(0x1234, 2);
    expect(two).toHaveLength(1 + 16 + 120);
    expect(Math.max(...two.map((v) => hammingDistance(BigInt(v), 0x1234n)))).toBe(2);
    expect(two.every((v) => v >= 0 && v <= 0xffff)).toBe(true);
  });

  it('the radius is the distance shared out over the four bands, rounded down', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map(probeRadius)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2]);
  });
});

describe('the pigeonhole guarantee', () => {
  /** Whether the probes for `query` at `distance` reach `stored` through one of its bands. */
  const reached = (query: bigint, stored: bigint, distance: number) => {
    const probes = nearBands(query).map((b) => new Set(bandProbes(b, probeRadius(distance))));
    return nearBands(stored).some((b, i) => probes[i].has(b));
  };

  it('every hash within the distance is reached, for each distance 0–7, on 3,000 random pairs each', () => {
    const next = splitmix64(2026n);
    for (let distance = 0; distance <= 7; distance++) {
      for (let i = 0; i < 3_000; i++) {
        const a = next();
        const d = Number(next() % BigInt(distance + 1));
        const b = flipBits(a, d, next);
        expect(hammingDistance(a, b)).toBe(d);
        if (!reached(a, b, distance)) throw new Error(`${a} and ${b} (distance ${d}) not reached at ${distance}`);
      }
    }
  });

  it('the worst case: differences spread over every band as evenly as they go', () => {
    const a = 0x0123456789abcdefn;
    // 7 bits: 2 + 2 + 2 + 1, so the last band is within one bit.
    const seven = a ^ 0x0003000300030001n;
    expect(hammingDistance(a, seven)).toBe(7);
    expect(reached(a, seven, 7)).toBe(true);
    // 8 bits as 2 + 2 + 2 + 2 lie outside distance 7, and no band is within one bit.
    const eight = a ^ 0x0003000300030003n;
    expect(reached(a, eight, 7)).toBe(false);
    // 3 bits in three bands leave one band exact, which is all distance 3 probes.
    const three = a ^ 0x0001000100010000n;
    expect(reached(a, three, 3)).toBe(true);
  });
});

describe('countyIdOf and the statement', () => {
  it('takes the second level of a path, or the first of a root county', () => {
    expect(countyIdOf('/p/c/t/v/')).toBe('c');
    expect(countyIdOf('/c/')).toBe('c');
  });

  it('refuses a distance outside what the bands answer exactly', () => {
    expect(() => nearDuplicateSql({ hash: 1n, countyId: 'c', distance: 16 })).toThrow(RangeError);
    expect(() => nearDuplicateSql({ hash: 1n, countyId: 'c', distance: -1 })).toThrow(RangeError);
    const { params } = nearDuplicateSql({ hash: 1n, countyId: 'c', distance: 6 });
    expect((params[1] as number[]).length).toBe(17);
  });
});
