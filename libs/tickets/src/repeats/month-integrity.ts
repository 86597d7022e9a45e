import { NotFound } from '@app/platform';
import { Units, UnitSql, type Queryable } from '@app/org';
import { sqlFoundOn } from '../domain/close-out-rate';
import { problemSimilarity, SAME_PROBLEM_SIMILARITY } from './similarity';
import { TicketFlags } from './ticket-flags';

/** The evidence warnings that make a close-out suspect of 纸面销号. */
export const PAPER_CLOSE_OUT_WARNINGS = ['duplicate', 'near_duplicate', 'taken_before_ticket'] as const;

/** A ticket as the month's integrity findings name it. */
export interface IntegrityCase {
  id: string;
  code: string;
  title: string;
  unitName: string;
}

/** What a team's month shows of faked rectification. */
export interface TeamIntegrity {
  /** Found this month and flagged `repeat` (屡查屡犯), with the codes of the tickets repeated. */
  repeats: Array<IntegrityCase & { repeatOf: string[] }>;
  /** Raised this month by supervision or patrol in the team's units, not listed by its self-check (自查不实). */
  selfCheckMissed: IntegrityCase[];
  /** Closed out this month over evidence warned as a duplicate, near duplicate or taken before the ticket (纸面销号). */
  paperCloseOuts: Array<IntegrityCase & { warnings: string[] }>;
}

interface Row {
  id: string;
  code: string;
  title: string;
  category: string | null;
  unit_name: string;
  team: string;
  kind: 'repeat' | 'inspected' | 'paper';
  refs: string[] | null;
}

const empty = (): TeamIntegrity => ({ repeats: [], selfCheckMissed: [], paperCloseOuts: [] });

/** The month's integrity findings of a township's teams, and the writes the supervision step makes of them. */
export const MonthIntegrity = {
  /**
   * Each team's findings for the month (`bounds` the instants, `found` the local days).
   * `selfChecks` maps each team that filed its self-check to the inspection its problems were filed
   * under (null when it listed none); a team without a self-check is not judged on its contents.
   */
  async forTownship(
    q: Queryable,
    townshipId: string,
    bounds: { start: Date; end: Date },
    found: { from: string; to: string },
    selfChecks: ReadonlyMap<string, string | null>,
  ): Promise<Map<string, TeamIntegrity>> {
    const township = await Units.byId(q, townshipId);
    if (!township) throw new NotFound('Org unit', townshipId);
    const rows = await q.query<Row[]>(
      `WITH t AS (
         SELECT t.*, ${sqlFoundOn('t', 'i')} BETWEEN $4::date AND $5::date AS found_in_period,
                split_part(substr(t.unit_path, length($1) + 1), '/', 1) AS team
           FROM ticket t LEFT JOIN inspection i ON i.id = t.inspection_id
          WHERE t.unit_path LIKE $1 || '%' AND NOT t.is_common AND t.unit_id <> $6
       )
       SELECT t.id, t.code, t.title, t.category, u.name AS unit_name, t.team, 'repeat' AS kind,
              (SELECT array_agg(r.code ORDER BY r.code) FROM ticket r WHERE r.id = ANY(f.ref_ids)) AS refs
         FROM t JOIN ticket_flag f ON f.ticket_id = t.id AND f.flag = 'repeat' ${UnitSql.join('u', 't.unit_id')}
        WHERE t.found_in_period
       UNION ALL
       SELECT t.id, t.code, t.title, t.category, u.name, t.team, 'inspected', NULL
         FROM t ${UnitSql.join('u', 't.unit_id')}
        WHERE t.found_in_period AND t.source IN ('supervision', 'patrol')
       UNION ALL
       SELECT t.id, t.code, t.title, t.category, u.name, t.team, 'paper',
              (SELECT array_agg(DISTINCT w->>'code' ORDER BY w->>'code') FROM ticket_evidence e, jsonb_array_elements(e.warnings) w
                WHERE e.ticket_id = t.id AND w->>'code' = ANY($7::text[]))
         FROM t ${UnitSql.join('u', 't.unit_id')}
        WHERE t.status = 'closed' AND t.closed_at >= $2 AND t.closed_at < $3
          AND EXISTS (SELECT 1 FROM ticket_evidence e, jsonb_array_elements(e.warnings) w
                       WHERE e.ticket_id = t.id AND w->>'code' = ANY($7::text[]))
        ORDER BY code`,
      [township.path, bounds.start, bounds.end, found.from, found.to, townshipId, [...PAPER_CLOSE_OUT_WARNINGS]],
    );
    const listed = await selfCheckListed(
      q,
      [...selfChecks.values()].filter((id): id is string => !!id),
    );
    const out = new Map<string, TeamIntegrity>();
    const of = (team: string) => out.get(team) ?? out.set(team, empty()).get(team)!;
    for (const r of rows) {
      const line: IntegrityCase = { id: r.id, code: r.code, title: r.title, unitName: r.unit_name };
      if (r.kind === 'repeat') of(r.team).repeats.push({ ...line, repeatOf: r.refs ?? [] });
      else if (r.kind === 'paper') of(r.team).paperCloseOuts.push({ ...line, warnings: r.refs ?? [] });
      else if (selfChecks.has(r.team)) {
        const own = listed.get(selfChecks.get(r.team) ?? '') ?? [];
        const seen = own.some(
          (s) =>
            (!s.category || !r.category || s.category === r.category) && problemSimilarity(s.title, r.title) >= SAME_PROBLEM_SIMILARITY,
        );
        if (!seen) of(r.team).selfCheckMissed.push(line);
      }
    }
    return out;
  },

  /** Flags the month's missed problems `self_check_missed`, in the caller's transaction. */
  async flagSelfCheckMissed(q: Queryable, findings: ReadonlyMap<string, TeamIntegrity>, period: string, now: Date): Promise<void> {
    const ids = [...findings.values()].flatMap((f) => f.selfCheckMissed.map((c) => c.id));
    await TicketFlags.markSelfCheckMissed(q, ids, period, now);
  },
} as const;

async function selfCheckListed(
  q: Queryable,
  inspectionIds: string[],
): Promise<Map<string, Array<{ title: string; category: string | null }>>> {
  const out = new Map<string, Array<{ title: string; category: string | null }>>();
  if (!inspectionIds.length) return out;
  const rows = await q.query<Array<{ inspection_id: string; title: string; category: string | null }>>(
    `SELECT inspection_id, title, category FROM ticket WHERE inspection_id = ANY($1::uuid[])`,
    [inspectionIds],
  );
  for (const r of rows) out.set(r.inspection_id, [...(out.get(r.inspection_id) ?? []), r]);
  return out;
}
