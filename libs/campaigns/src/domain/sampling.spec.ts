import fc from 'fast-check';
import { ATTRIBUTES, HouseholdAttribute } from './campaign-kinds';
import { assignTeams, pairKey } from './assignment';
import { maskIdNumber, hashIdNumber, isIdNumber } from './id-number';
import { generatorFor } from './random';
import { allocate, drawSample, SamplingInput, SamplingVillage } from './sampling';

const villagesArb = fc
  .array(fc.array(fc.constantFrom<HouseholdAttribute>(...ATTRIBUTES), { minLength: 0, maxLength: 40 }), { minLength: 1, maxLength: 25 })
  .map((vs) => vs.map((attrs, v) => ({ id: `v${v}`, households: attrs.map((attribute, h) => ({ id: `v${v}-h${h}`, attribute })) })));

const inputArb = villagesArb.chain((villages) => {
  const all = villages.flatMap((v) => v.households.map((h) => h.id));
  return fc.record({
    villages: fc.constant(villages as SamplingVillage[]),
    excluded: fc.subarray(all).map((x) => new Set(x)),
    visited: fc.subarray(villages.map((v) => v.id)).map((x) => new Set(x)),
    villagesPerDraw: fc.integer({ min: 1, max: 10 }),
    householdsPerVillage: fc.integer({ min: 1, max: 30 }),
    stratify: fc.boolean(),
  });
});

describe('random draw', () => {
  it('draws the same sample from the same seed, and another from another seed', () => {
    const villages = Array.from({ length: 30 }, (_, v) => ({
      id: `v${v}`,
      households: Array.from({ length: 50 }, (_, h) => ({ id: `v${v}-${h}`, attribute: ATTRIBUTES[h % 3] })),
    }));
    const input: SamplingInput = {
      villages,
      excluded: new Set(),
      visited: new Set(),
      villagesPerDraw: 2,
      householdsPerVillage: 20,
      stratify: false,
    };
    const a = drawSample(input, '2026-07 督查组');
    expect(drawSample(structuredClone(input), '2026-07 督查组')).toEqual(a);
    expect(drawSample(input, '2026-08 督查组')).not.toEqual(a);
    expect(a).toHaveLength(2);
    expect(a.every((v) => v.householdIds.length === 20)).toBe(true);
  });

  it('keeps the rules over many draws: villages and households per village, none drawn twice, none excluded', () => {
    fc.assert(
      fc.property(inputArb, fc.string({ minLength: 1, maxLength: 12 }), (input, seed) => {
        const sample = drawSample(input, seed);
        const open = input.villages
          .map((v) => ({ ...v, households: v.households.filter((h) => !input.excluded.has(h.id)) }))
          .filter((v) => v.households.length > 0);
        expect(sample).toHaveLength(Math.min(input.villagesPerDraw, open.length));
        // Villages not visited yet come first.
        const fresh = open.filter((v) => !input.visited.has(v.id)).length;
        expect(sample.filter((s) => !input.visited.has(s.villageId)).length).toBe(Math.min(fresh, sample.length));
        const seen = new Set<string>();
        for (const s of sample) {
          const village = open.find((v) => v.id === s.villageId)!;
          expect(village).toBeDefined();
          expect(s.householdIds).toHaveLength(Math.min(input.householdsPerVillage, village.households.length));
          for (const h of s.householdIds) {
            expect(input.excluded.has(h)).toBe(false);
            expect(h.startsWith(`${s.villageId}-`)).toBe(true);
            expect(seen.has(h)).toBe(false);
            seen.add(h);
          }
          if (input.stratify) {
            const shares = allocate(
              Object.fromEntries(ATTRIBUTES.map((a) => [a, village.households.filter((h) => h.attribute === a).length])) as Record<
                HouseholdAttribute,
                number
              >,
              input.householdsPerVillage,
            );
            for (const a of ATTRIBUTES) {
              const got = s.householdIds.filter((id) => village.households.find((h) => h.id === id)!.attribute === a).length;
              expect(got).toBe(shares[a]);
            }
          }
        }
        expect(drawSample(input, seed)).toEqual(sample);
      }),
      { numRuns: 300 },
    );
  });

  it('allocates strata in proportion, the remainder to the largest fractions', () => {
    expect(allocate({ registered: 50, exited: 30, non_registered: 20 }, 20)).toEqual({ registered: 10, exited: 6, non_registered: 4 });
    expect(allocate({ registered: 1, exited: 1, non_registered: 1 }, 2)).toEqual({ registered: 1, exited: 1, non_registered: 0 });
    expect(allocate({ registered: 3, exited: 0, non_registered: 0 }, 20)).toEqual({ registered: 3, exited: 0, non_registered: 0 });
    fc.assert(
      fc.property(fc.nat(100), fc.nat(100), fc.nat(100), fc.integer({ min: 1, max: 120 }), (r, e, n, size) => {
        const out = allocate({ registered: r, exited: e, non_registered: n }, size);
        expect(out.registered + out.exited + out.non_registered).toBe(Math.min(size, r + e + n));
        expect(out.registered).toBeLessThanOrEqual(r);
        expect(out.exited).toBeLessThanOrEqual(e);
        expect(out.non_registered).toBeLessThanOrEqual(n);
      }),
    );
  });
});

describe('cross-inspection', () => {
  it('never sends a team to its own village, nor twice to the same village in a round, and spreads the load', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 3 }),
        fc.string(),
        (teamCount, wanted, rounds, seed) => {
          const teams = Array.from({ length: teamCount }, (_, i) => `t${i}`);
          const earlier = new Set<string>();
          const rng = generatorFor(seed);
          for (let round = 0; round <= rounds; round++) {
            const villages = teams.slice(0, Math.min(wanted, teamCount));
            const pairing = assignTeams(villages, teams, earlier, rng);
            if (!pairing) continue;
            expect(pairing.size).toBe(villages.length);
            const load = new Map<string, number>();
            for (const [village, team] of pairing) {
              expect(team).not.toBe(village);
              expect(earlier.has(pairKey(team, village))).toBe(false);
              load.set(team, (load.get(team) ?? 0) + 1);
            }
            expect(Math.max(...load.values())).toBeLessThanOrEqual(Math.ceil(villages.length / teams.length));
            for (const [village, team] of pairing) earlier.add(pairKey(team, village));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('finds a pairing whenever one exists: two teams check each other', () => {
    const pairing = assignTeams(['a', 'b'], ['a', 'b'], new Set(), generatorFor('x'))!;
    expect(pairing.get('a')).toBe('b');
    expect(pairing.get('b')).toBe('a');
    expect(assignTeams(['a', 'b'], ['a', 'b'], new Set([pairKey('b', 'a')]), generatorFor('x'))).toBeUndefined();
    expect(assignTeams(['a'], ['a'], new Set(), generatorFor('x'))).toBeUndefined();
  });
});

describe('ID numbers', () => {
  it('keeps only the area code and the last four, and hashes with the key', () => {
    expect(maskIdNumber('420921198801011234')).toBe('420921********1234');
    expect(isIdNumber('42092119880101123X')).toBe(true);
    expect(isIdNumber('4.20921E+17')).toBe(false);
    expect(hashIdNumber('420921198801011234', 'k1')).toBe(hashIdNumber('420921198801011234', 'k1'));
    expect(hashIdNumber('420921198801011234', 'k1')).not.toBe(hashIdNumber('420921198801011234', 'k2'));
  });
});
