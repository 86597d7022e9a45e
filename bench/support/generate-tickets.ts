import { DataSource } from 'typeorm';
import { searchText, textBigrams, titleOf } from '@app/tickets';
import { problemText } from './findings-content';

/** The tickets the list and overdue benchmarks run on. */
export const TICKETS = 100_000;
const TEXTS = 3_000;

/** 100,000 tickets over every village of the demo province, written set-based. */
export async function generateTickets(source: DataSource): Promise<void> {
  // The distinct texts and their search pieces come from the app's own functions, so the
  // column holds what the app writes; the rows reuse them.
  const texts = Array.from({ length: TEXTS }, (_, i) => titleOf(problemText(i + 1)));
  await source.query(
    `CREATE TEMP TABLE bench_text AS
    SELECT n - 1 AS n, title, description, grams::text[] AS grams
      FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS x(title, description, grams, n)`,
    [
      texts.map((t) => t.title),
      texts.map((t) => t.description),
      texts.map(
        (t) =>
          `{${textBigrams(searchText(t.title, t.description))
            .map((g) => `"${g.replace(/[\\"]/g, (c) => `\\${c}`)}"`)
            .join(',')}}`,
      ),
    ],
  );
  await source.query(
    `WITH units AS (SELECT array_agg(id ORDER BY path) AS ids, array_agg(path ORDER BY path) AS paths,
                           array_agg(timezone ORDER BY path) AS tzs, count(*)::int AS n
                      FROM org_unit WHERE kind = 'village'),
          rows AS (SELECT g, (g % units.n) + 1 AS k, units.*,
                          (ARRAY['open','open','open','in_progress','in_progress','pending_review','closed','closed','closed','cancelled'])[(g * 7) % 10 + 1] AS status,
                          now() - make_interval(days => g % 400, secs => (g * 37) % 86400) AS created
                     FROM generate_series(1, $1::int) AS g, units)
     INSERT INTO ticket (code, source, title, description, category, unit_id, unit_path, unit_tz, responsible, measures,
                         rectification_class, deadline, original_deadline, status, closed_at, closed_on_time, search_grams,
                         created_at, updated_at)
     SELECT 'BENCH-' || g, (ARRAY['patrol','supervision','self_check','audit','higher_feedback'])[g % 5 + 1], t.title, t.description,
            (ARRAY['精准识别','精准退出','政策落实','精准帮扶','项目实施','资金管理','基础工作','两不愁三保障'])[g % 8 + 1],
            ids[k], paths[k], tzs[k], '责任人' || (g % 500), '逐户核查，建立问题台账，限期整改到位', 'deadline',
            (created + make_interval(days => 30 + g % 90))::date, (created + make_interval(days => 30 + g % 90))::date,
            status, CASE WHEN status = 'closed' THEN created + interval '20 days' END,
            CASE WHEN status = 'closed' THEN g % 4 <> 0 END, t.grams, created, created
       FROM rows JOIN bench_text t ON t.n = g % $2::int`,
    [TICKETS, TEXTS],
  );
  // As autovacuum leaves a table that has settled: statistics, and the visibility map that lets
  // an index answer alone.
  await source.query(`VACUUM (ANALYZE) ticket`);
}
