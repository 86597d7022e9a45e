import type { RandomGenerator } from 'pure-rand';
import { shuffled } from './random';

/**
 * Cross-inspection (交叉互查): each sampled village gets a team that is not its own and that has
 * not been sent to that village before in the round, with the villages spread evenly over the
 * teams (no team gets more than ⌈villages / teams⌉). A bipartite matching (augmenting paths)
 * over a shuffled order, so the pairing is random yet always found when one exists. Undefined
 * when no pairing satisfies the rules.
 */
export function assignTeams(
  villages: readonly string[],
  teams: readonly string[],
  earlier: ReadonlySet<string>,
  rng: RandomGenerator,
): Map<string, string> | undefined {
  const candidates = shuffled(teams, rng);
  const capacity = Math.max(1, Math.ceil(villages.length / Math.max(1, teams.length)));
  const order = shuffled(villages, rng);
  const load = new Map<string, string[]>();
  const owner = new Map<string, string>();
  const allowed = (v: string, t: string) => t !== v && !earlier.has(pairKey(t, v));

  const place = (v: string, seen: Set<string>): boolean => {
    // A team with room first; only when there is none does a village move over (an augmenting path).
    for (const t of candidates) {
      if (!allowed(v, t) || seen.has(t) || (load.get(t)?.length ?? 0) >= capacity) continue;
      load.set(t, [...(load.get(t) ?? []), v]);
      owner.set(v, t);
      return true;
    }
    for (const t of candidates) {
      if (!allowed(v, t) || seen.has(t)) continue;
      seen.add(t);
      const held = load.get(t) ?? [];
      if (held.length < capacity) {
        load.set(t, [...held, v]);
        owner.set(v, t);
        return true;
      }
      for (const other of held) {
        if (place(other, seen)) {
          load.set(
            t,
            (load.get(t) ?? []).filter((x) => x !== other),
          );
          load.set(t, [...(load.get(t) ?? []), v]);
          owner.set(v, t);
          return true;
        }
      }
    }
    return false;
  };
  for (const v of order) if (!place(v, new Set())) return undefined;
  return owner;
}

export function pairKey(team: string, village: string): string {
  return `${team}>${village}`;
}
