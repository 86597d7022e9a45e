import { Queryable, Units } from '@app/org';

/** A unit whose work the township tracks and ranks: a village work team or an office (站所办). */
export interface Team {
  id: string;
  name: string;
  kind: 'village' | 'office';
  path: string;
  code: string | null;
}

const TEAM_KINDS = ['village', 'office'] as const;

/** A township's teams: its villages, then its offices, each by name. */
export async function teamsOf(q: Queryable, townshipId: string): Promise<Team[]> {
  const units = await Units.childrenOf(q, townshipId, TEAM_KINDS);
  return units.map((u) => ({ id: u.id, name: u.name, kind: u.kind as Team['kind'], path: u.path, code: u.code }));
}
