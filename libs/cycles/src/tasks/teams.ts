import { EntityManager } from 'typeorm';

/** A unit whose work the township tracks and ranks: a village work team or an office (站所办). */
export interface Team {
  id: string;
  name: string;
  kind: 'village' | 'office';
  path: string;
  code: string | null;
}

export async function teamsOf(m: EntityManager, townshipId: string): Promise<Team[]> {
  return m.query<Team[]>(
    `SELECT id, name, kind, path, code FROM org_unit WHERE parent_id = $1 AND kind IN ('village', 'office') ORDER BY kind DESC, name`,
    [townshipId],
  );
}
