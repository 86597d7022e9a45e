import type { Queryable } from '@app/org';
import type { Period } from '../calendar/period';
import type { OutputKind } from './output-data';
import type { CycleOutputOf } from './output-listeners';

/** Whose output: a township's own (a bulletin, say), or one about a team (its task list). */
export type OutputSubject = { township: string } | { team: string };

interface Row {
  id: string;
  run_id: string;
  unit_id: string;
  period: Period;
  kind: OutputKind;
  subject_unit_id: string | null;
  data: unknown;
}

/** Reads of what the cycle steps wrote, for the libs that make documents of it. */
export const CycleOutputs = {
  /**
   * The latest output of `kind` for the period, of a township or about a team; `q` reads inside
   * the caller's transaction. Its data is of the kind's declared type, as the step wrote it.
   */
  async latest<K extends OutputKind>(q: Queryable, kind: K, period: Period, subject: OutputSubject): Promise<CycleOutputOf<K> | null> {
    const [unit, which] =
      'team' in subject ? [subject.team, 'subject_unit_id = $3'] : [subject.township, 'unit_id = $3 AND subject_unit_id IS NULL'];
    const [row] = await q.query<Row[]>(
      `SELECT id, run_id, unit_id, period, kind, subject_unit_id, data FROM cycle_output
        WHERE kind = $1 AND period = $2 AND ${which}
        ORDER BY created_at DESC LIMIT 1`,
      [kind, period, unit],
    );
    if (!row) return null;
    return {
      id: row.id,
      runId: row.run_id,
      unitId: row.unit_id,
      period: row.period,
      kind,
      subjectUnitId: row.subject_unit_id,
      data: row.data as CycleOutputOf<K>['data'],
    };
  },
} as const;
