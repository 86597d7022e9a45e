import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { PreparedQueries, PrincipalResolver, sqlLocalDay } from '@app/platform';
import { Units } from '@app/org';
import { sqlOverdue, sqlOverdueAt, TicketQueryService } from '@app/tickets';
import { startTestApp } from '../test/support/test-app';
import { benchDatabase, cliArgs, ms, percentile, printTable, runMain } from './support/bench-kit';
import { generateTickets, TICKETS } from './support/generate-tickets';

/*
 * The overdue count as GET /issues?unitId=&subtree=true&overdue=true&pageSize=1 runs it, on
 * 100,000 tickets, for a township and for the county: the statement the service runs (each
 * deadline first held against the latest and earliest local day on Earth, so the deadline index
 * narrows the rows) against the same statement with only each row's own local day, the two taken
 * in turn in one run. Prints p50/p95 of each and the plans.
 *
 *   npm run bench -- overdue [--repeats 200]
 */

async function main(): Promise<void> {
  const args = cliArgs();
  const repeats = Number(args.get('repeats') ?? 200);
  const db = await benchDatabase();
  const app = await startTestApp({ database: db });
  try {
    const source = app.app.get(DataSource);
    const started = Date.now();
    await generateTickets(source);
    console.log(`${TICKETS} tickets generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const [{ id, token_version }] = await source.query<Array<{ id: string; token_version: number }>>(
      `SELECT id, token_version FROM app_user WHERE username = 'county_admin'`,
    );
    const principal = (await app.app.get(PrincipalResolver).resolve(id, token_version))!;
    const prepared = app.app.get(PreparedQueries);
    const queries = app.app.get(TicketQueryService);
    const rowByRow = (sql: string) => sql.split(sqlOverdueAt('$1')).join(sqlOverdue(sqlLocalDay('$1', 't.unit_tz')));

    const rows: string[][] = [];
    for (const name of ['中厂镇', '白河县']) {
      const unit = (await Units.firstNamed(source, name))!;
      const { sql, params } = queries.buildListSql(principal, { unitId: unit.id, subtree: true, overdue: true, page: 1, pageSize: 1 });
      const forms = { 'deadline index': sql, 'row by row': rowByRow(sql) };
      if (forms['row by row'] === sql) throw new Error('the list statement no longer holds the overdue rule');
      const lat: Record<string, number[]> = { 'deadline index': [], 'row by row': [] };
      const totals = new Set<string>();
      for (let i = 0; i < repeats + 5; i++) {
        for (const [form, text] of Object.entries(forms)) {
          const t0 = performance.now();
          const [row] = await prepared.query<{ total: string }>(text, params);
          if (i >= 5) lat[form].push(performance.now() - t0);
          totals.add(row.total);
        }
      }
      if (totals.size !== 1) throw new Error(`the two forms count differently: ${[...totals].join(', ')}`);
      for (const [form, text] of Object.entries(forms)) {
        const sorted = lat[form].sort((a, b) => a - b);
        rows.push([name, form, [...totals][0], ms(percentile(sorted, 50)), ms(percentile(sorted, 95))]);
        if (args.has('explain') || form === 'deadline index') {
          const plan = await source.query<Array<{ 'QUERY PLAN': string }>>(`EXPLAIN (ANALYZE, COSTS OFF) ${text}`, params);
          console.log(`\n${name}, ${form}:\n${plan.map((r) => r['QUERY PLAN']).join('\n')}`);
        }
      }
    }
    printTable(
      `Overdue count on ${TICKETS} tickets, ${repeats} times each, the forms in turn`,
      ['unit', 'form', 'overdue', 'p50', 'p95'],
      rows,
    );
  } finally {
    await app.close({ keepDatabase: true });
    await db.drop();
  }
}

runMain(main);
