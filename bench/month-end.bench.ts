import 'reflect-metadata';
import { getQueueToken } from '@nestjs/bullmq';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { DataSource, QueryRunner } from 'typeorm';
import { CalendarService, CYCLES_QUEUE, CyclesModule, STEPS, StepName, StepRunner, TownshipCalendar } from '@app/cycles';
import { DocumentsModule } from '@app/documents';
import { createRootLogger, FakeClock, loadConfig, PinoNestLogger, PlatformModule, startInfrastructure } from '@app/platform';
import { TeamMetricsService } from '../libs/cycles/src/ranking/team-metrics.service';
import { TASK_VIEW_SQL } from '../libs/cycles/src/tasks/task-list.service';
import { teamsOf } from '../libs/cycles/src/tasks/teams';
import { MIGRATIONS } from '../apps/schema/migrations';
import { TicketFacts } from '@app/tickets';
import { benchDatabase, cliArgs, mb, ms, peakRssMb, printTable, ratio, report, runChild, seedCounty, verdict } from './support/bench-kit';

/**
 * Month end for a county: townships × 15 villages (and an office each), 2,700 tickets a
 * township over the year (a province's 1,500 townships: about 4,000,000), every township's five
 * steps for July 2026 (outputs, notifications, ranking, bulletin, and the documents they issue),
 * against the same aggregate SQL run alone. Several sizes give the time per township at each,
 * each size in a process and on a database of its own.
 *
 *   npm run bench:month-end [-- --townships 20,100,500,1500 --villages 15 --tickets-per-township 2700]
 *   npm run bench:month-end [-- --townships 20 --tickets 100000 --documents off]
 *   npm run bench:month-end [-- --townships 1500 --generate-only]
 */
const PERIOD = '2026-07';
// After the supervision step is due on 31 July (16:00 in Shanghai).
const MONTH_END = '2026-07-31T08:30:00Z';

/** The density of a province: about 4,000,000 tickets over 1,500 townships. */
const TICKETS_PER_TOWNSHIP = 2700;
/** Tickets written by one statement: the generator's progress and its transactions stay bounded. */
const TICKETS_PER_BATCH = 250_000;
/** Distinct titles; their search pieces are computed once each, not once a row. */
const TITLES = 1000;

/**
 * The ticket table's plain indexes (not those behind its constraints), dropped before a bulk
 * load and built again after it from their own definitions: building an index once is far
 * cheaper than growing it row by row (the search index above all).
 */
async function withoutTicketIndexes(db: QueryRunner, load: () => Promise<void>): Promise<void> {
  const indexes: Array<{ name: string; definition: string }> = await db.query(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid IN ('ticket'::regclass, 'ticket_event'::regclass)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
  );
  for (const { name } of indexes) await db.query(`DROP INDEX "${name}"`);
  await load();
  for (const { definition } of indexes) await db.query(definition);
}

/** The county, its tickets and its month's lists, written on one session (its settings hold throughout). */
async function generate(source: DataSource, townships: number, villages: number, tickets: number): Promise<void> {
  const db = source.createQueryRunner();
  await db.connect();
  try {
    await generateOn(db, townships, villages, tickets);
  } finally {
    await db.release();
  }
}

async function generateOn(db: QueryRunner, townships: number, villages: number, tickets: number): Promise<void> {
  // Index builds (the search index above all) sort in memory rather than in many passes.
  await db.query(`SET maintenance_work_mem = '512MB'`);
  await seedCounty(db, '基准', townships, villages, { offices: true });
  await db.query(
    `CREATE UNLOGGED TABLE bench_team AS
       SELECT id, path, (row_number() OVER (ORDER BY path) - 1)::int AS k FROM org_unit WHERE kind IN ('village', 'office')`,
  );
  await db.query(`CREATE UNIQUE INDEX ON bench_team (k)`);
  await db.query(
    `CREATE UNLOGGED TABLE bench_title AS
       SELECT v, title, text_bigrams(title || ' ') AS grams
         FROM generate_series(0, $1::int - 1) v, LATERAL (SELECT '第' || (v + 1) || '号问题：危房改造和饮水安全排查不到位' AS title) x`,
    [TITLES],
  );
  await db.query(`ANALYZE bench_team`);
  await db.query(`ANALYZE bench_title`);
  const [{ teams }] = (await db.query(`SELECT count(*)::int AS teams FROM bench_team`)) as Array<{ teams: number }>;
  const codeDigits = Math.max(7, String(tickets).length);

  // The generated rows satisfy the foreign keys by construction: a superuser's session loads
  // them without checking each row (elsewhere they are checked, more slowly).
  const unchecked = await db.query(`SET session_replication_role = replica`).then(
    () => true,
    () => false,
  );
  // Tickets spread over the teams and the year so far: most closed (some late), the rest open,
  // in progress or waiting for review; a few without a person or measures. Their ids count up
  // in their first twelve hex digits, as time-ordered ids do, so the primary key grows at its end.
  await withoutTicketIndexes(db, async () => {
    for (let from = 1; from <= tickets; from += TICKETS_PER_BATCH) {
      const to = Math.min(tickets, from + TICKETS_PER_BATCH - 1);
      await db.query(
        `WITH g AS (SELECT i, (i::bigint * 7919 % 1000)::int AS r FROM generate_series($1::int, $2::int) i)
         INSERT INTO ticket (id, code, source, title, search_grams, unit_id, unit_path, unit_tz, responsible, measures, rectification_class,
                             deadline, original_deadline, status, closed_at, closed_on_time, returned_count, created_at, updated_at)
         SELECT overlay(md5(g.i::text) PLACING lpad(to_hex(g.i), 12, '0') FROM 1 FOR 12)::uuid, 'BM-' || lpad(g.i::text, $4::int, '0'),
                (ARRAY['patrol', 'supervision', 'self_check', 'audit', 'higher_feedback'])[1 + g.i % 5],
                n.title, n.grams, t.id, t.path, 'Asia/Shanghai',
                CASE WHEN g.r < 20 THEN NULL ELSE '责任人' || g.i % 97 END,
                CASE WHEN g.r BETWEEN 20 AND 30 THEN NULL ELSE '逐户排查，限期整改' END,
                'deadline', c.created::date + 30, c.created::date + 30,
                s.status,
                CASE WHEN s.status = 'closed' THEN c.created + (10 + g.r % 35) * interval '1 day' END,
                CASE WHEN s.status = 'closed' THEN 10 + g.r % 35 <= 30 END,
                CASE WHEN g.r % 20 = 0 THEN 1 ELSE 0 END,
                c.created, c.created
           FROM g
           JOIN bench_team t ON t.k = g.i % $3::int
           JOIN bench_title n ON n.v = g.i % ${TITLES}
           CROSS JOIN LATERAL (SELECT timestamptz '2026-01-01 00:00+08' + ((g.i * 7) % 211) * interval '1 day' + (g.i % 86400) * interval '1 second' AS created) c
           CROSS JOIN LATERAL (SELECT CASE WHEN g.r < 600 AND c.created < timestamptz '2026-06-15 00:00+08' THEN 'closed'
                                           WHEN g.r < 750 THEN 'in_progress' WHEN g.r < 830 THEN 'pending_review'
                                           WHEN g.r < 850 THEN 'cancelled' ELSE 'open' END AS status) s`,
        [from, to, teams, codeDigits],
      );
      if (tickets > TICKETS_PER_BATCH) console.log(`  ${to} of ${tickets} tickets written`);
    }
    // Close-outs sent back, some of them this month.
    await db.query(
      `INSERT INTO ticket_event (ticket_id, kind, action, from_status, to_status, actor_name, comment, at, seq, hash)
       SELECT id, 'transition', 'return', 'pending_review', 'in_progress', '督查组', '佐证材料不足', created_at + interval '5 days', 1, ''::bytea
         FROM ticket WHERE returned_count > 0`,
    );
    // Each generated history is one entry long; its hash is the chain's rule over its content.
    await db.query(`UPDATE ticket_event e SET hash = sha256(ticket_event_content(e)) WHERE e.hash = ''::bytea`);
  });
  if (unchecked) await db.query(`RESET session_replication_role`);
  await db.query(`DROP TABLE bench_team, bench_title`);

  // This month's task list, still a draft (the dispatch step sends it), and next month's.
  for (const [period, status] of [
    [PERIOD, 'draft'],
    ['2026-08', 'draft'],
  ]) {
    await db.query(
      `INSERT INTO task_list (unit_id, period, title, status, created_at, updated_at)
       SELECT id, $1, name || '重点工作任务清单', $2, $3::timestamptz, $3::timestamptz FROM org_unit WHERE kind = 'township'`,
      [period, status, '2026-06-25T00:00:00Z'],
    );
    await db.query(
      `INSERT INTO task (task_list_id, item_no, title, indicator, target, measure_unit, assignee_unit_id, deadline, actual, done, created_at, updated_at)
       SELECT l.id, n.item, n.title, n.indicator, n.target, n.unit, v.id, ($1 || '-20')::date,
              CASE WHEN $1 = '2026-07' THEN least(n.target, (abs(hashtext(v.id::text || n.item)) % 40)) ELSE 0 END,
              $1 = '2026-07' AND (abs(hashtext(v.id::text || n.item)) % 40) >= n.target, $2::timestamptz, $2::timestamptz
         FROM task_list l
         JOIN org_unit v ON v.parent_id = l.unit_id AND v.kind IN ('village', 'office')
         CROSS JOIN (VALUES (1, '入户走访', '走访贫困户', 30, '户'), (2, '政策宣讲', '召开院落会', 3, '场'), (3, '产业摸底', '摸底农户', 20, '户'))
                    AS n(item, title, indicator, target, unit)
        WHERE l.period = $1`,
      [period, '2026-06-25T00:00:00Z'],
    );
  }
  // Most teams filed their self-check, a few late.
  await db.query(
    `INSERT INTO self_check (unit_id, township_id, period, summary, checklist, filed_at, on_time)
     SELECT id, parent_id, $1, '对照“两不愁三保障”逐户自查。', '[]', $2::timestamptz, abs(hashtext(id::text)) % 10 < 8
       FROM org_unit WHERE kind IN ('village', 'office') AND abs(hashtext(id::text || 'sc')) % 10 < 9`,
    [PERIOD, '2026-07-09T02:00:00Z'],
  );
  await db.query('ANALYZE');
  await db.query('RESET maintenance_work_mem');
}

/** The aggregate SQL the five steps read, run alone for one township: the reference. */
async function aggregates(db: DataSource, facts: TicketFacts, metrics: TeamMetricsService, cal: TownshipCalendar): Promise<void> {
  const m = db.manager;
  const today = '2026-07-31';
  // dispatch
  const [list] = await m.query<Array<{ id: string }>>(`SELECT id FROM task_list WHERE unit_id = $1 AND period = $2`, [cal.unitId, PERIOD]);
  await m.query(`${TASK_VIEW_SQL} WHERE t.task_list_id = $1 ORDER BY t.item_no`, [list.id]);
  await teamsOf(m, cal.unitId);
  // self_check
  await m.query(
    `SELECT unit_id, summary, checklist, on_time, filed_at, problem_count, inspection_id FROM self_check WHERE township_id = $1 AND period = $2`,
    [cal.unitId, PERIOD],
  );
  // review
  await facts.openTickets(m, cal.unitId, today);
  // report and supervision: the teams' month, twice, and the year's totals
  await metrics.forMonth(m, cal, PERIOD, today, 30);
  await metrics.forMonth(m, cal, PERIOD, today, 30);
  await facts.totals(m, cal.unitId, { from: '2026-01-01', to: today });
}

@Module({})
class BenchModule {}

interface CaseResult {
  townships: number;
  tickets: number;
  generateMs: number;
  referenceMs: number;
  monthEndMs: number;
  peakRssMb: number;
}

/** One county of `townships` townships on a database of its own: generated, then its month end timed. */
async function runCase(
  townships: number,
  villages: number,
  tickets: number,
  opts: { documents: boolean; generateOnly: boolean },
): Promise<CaseResult> {
  const withDocuments = opts.documents;
  const database = await benchDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'rt-bench-month-end-'));
  const config = loadConfig({
    DATABASE_URL: database.url,
    QUEUE_PREFIX: `rt-bench-${randomBytes(4).toString('hex')}`,
    DATA_DIR: dataDir,
    CONFIG_DIR: join(dataDir, 'config'),
    DEMO: '0',
    ADMIN_PASSWORD: randomBytes(12).toString('hex'),
    LOG_LEVEL: 'error',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  });
  const logger = createRootLogger(config.LOG_LEVEL);
  Logger.overrideLogger(new PinoNestLogger(logger));
  const infrastructure = await startInfrastructure(config);
  const clock = new FakeClock(MONTH_END);
  // The cycle engine (and the documents its steps issue) without a queue worker: the steps are run here, timed.
  const app = await NestFactory.createApplicationContext(
    {
      module: BenchModule,
      imports: [
        PlatformModule.forRoot({ config, logger, infrastructure, clock, migrations: MIGRATIONS }),
        CyclesModule,
        ...(withDocuments ? [DocumentsModule] : []),
      ],
    },
    { logger: new PinoNestLogger(logger), abortOnError: false },
  );
  await app.init();
  try {
    const db = app.get(DataSource);
    let t0 = performance.now();
    await generate(db, townships, villages, tickets);
    const generated = performance.now() - t0;
    const [{ n }] = await db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ticket`);
    console.log(`county of ${townships} townships × ${villages} villages, ${n} tickets generated in ${ms(generated)}`);
    if (opts.generateOnly)
      return { townships, tickets: n, generateMs: generated, referenceMs: NaN, monthEndMs: NaN, peakRssMb: peakRssMb() };

    const calendars = app.get(CalendarService);
    const towns = (await calendars.all()).filter((c) => c.unitName.startsWith('基准'));
    const facts = app.get(TicketFacts, { strict: false });
    const metrics = app.get(TeamMetricsService, { strict: false });
    // Warm the caches (and the statements' plans) on the first townships, then time the
    // reference: the steps' aggregate SQL alone, township by township.
    for (const cal of towns.slice(0, 20)) await aggregates(db, facts, metrics, cal);
    t0 = performance.now();
    for (const cal of towns) await aggregates(db, facts, metrics, cal);
    const reference = performance.now() - t0;

    const runner = app.get(StepRunner);
    const perStep = new Map<StepName, number>();
    const rssBefore = process.memoryUsage().rss / 1024 / 1024;
    t0 = performance.now();
    for (const step of STEPS) {
      const s0 = performance.now();
      for (const cal of towns) {
        const run = await runner.run(cal.unitId, PERIOD, `step:${step}`, { kind: 'schedule' });
        if (run.state !== 'done') throw new Error(`${cal.unitName} ${step}: ${run.state} ${run.error ?? ''}`);
      }
      perStep.set(step, performance.now() - s0);
    }
    const monthEnd = performance.now() - t0;
    const [outputs] = await db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM cycle_output WHERE period = $1`, [PERIOD]);

    printTable(
      `Month end ${PERIOD}: ${towns.length} townships, ${n} tickets, ${outputs.n} outputs${withDocuments ? ' (with their documents)' : ''}`,
      ['what', 'time', 'per township', 'ratio to the SQL alone'],
      [
        ['aggregate SQL alone (reference)', ms(reference), ms(reference / towns.length), ratio(1)],
        ...STEPS.map((s) => [`step ${s}`, ms(perStep.get(s)!), ms(perStep.get(s)! / towns.length), ratio(perStep.get(s)! / reference)]),
        ['all five steps', ms(monthEnd), ms(monthEnd / towns.length), ratio(monthEnd / reference)],
      ],
    );
    console.log(`peak RSS ${mb(peakRssMb())} (RSS before the steps ${mb(rssBefore)})`);
    return {
      townships: towns.length,
      tickets: n,
      generateMs: generated,
      referenceMs: reference,
      monthEndMs: monthEnd,
      peakRssMb: peakRssMb(),
    };
  } finally {
    // The queue's keys (its metadata) go with the run.
    await app
      .get<Queue>(getQueueToken(CYCLES_QUEUE), { strict: false })
      .obliterate({ force: true })
      .catch(() => undefined);
    await app.close();
    await infrastructure.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A count option: a positive whole number. */
function count(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, not ${text}`);
  return n;
}

async function main(): Promise<void> {
  const args = cliArgs();
  const sizes = (args.get('townships') ?? '20').split(',').map((t) => count('townships', t.trim()));
  const villages = count('villages', args.get('villages') ?? '15');
  if (args.has('tickets') && sizes.length > 1)
    throw new Error('--tickets is a total for one size; give --tickets-per-township with several');
  const perTownship = count('tickets-per-township', args.get('tickets-per-township') ?? String(TICKETS_PER_TOWNSHIP));
  const ticketsFor = (townships: number) => (args.has('tickets') ? count('tickets', args.get('tickets')!) : townships * perTownship);
  const documents = args.get('documents') === 'off' ? 'off' : 'on';
  // Only the county and its tickets: how long the generator takes at a size.
  const generateOnly = args.has('generate-only');

  if (args.has('case')) {
    const result = await runCase(sizes[0], villages, ticketsFor(sizes[0]), { documents: documents === 'on', generateOnly });
    return report('result', result);
  }
  // Each size in a process of its own, on a database of its own, so that its memory is its own.
  const results: CaseResult[] = [];
  for (const townships of sizes) {
    const caseArgs = ['--case', '1', '--townships', String(townships), '--villages', String(villages)];
    caseArgs.push('--tickets', String(ticketsFor(townships)), '--documents', documents, ...(generateOnly ? ['--generate-only'] : []));
    results.push(await runChild<CaseResult>(__filename, caseArgs, 6 * 3600_000));
  }
  const first = results[0];
  const perTown = (r: CaseResult) => r.monthEndMs / r.townships;
  printTable(
    `Month end ${PERIOD} by county size (${villages} villages a township)`,
    ['townships', 'tickets', 'generated in', 'month end', 'per township', `per township, to ${first.townships}`, 'peak RSS'],
    results.map((r) => [
      String(r.townships),
      String(r.tickets),
      ms(r.generateMs),
      generateOnly ? '—' : ms(r.monthEndMs),
      generateOnly ? '—' : ms(perTown(r)),
      generateOnly ? '—' : ratio(perTown(r) / perTown(first)),
      mb(r.peakRssMb),
    ]),
  );
  const province = generateOnly ? undefined : results.find((r) => r.townships >= 1500);
  printTable(
    'Targets',
    ['target', 'measured', ''],
    [
      ...(province
        ? [verdict(`month end of ${province.townships} townships < 60 s`, ms(province.monthEndMs), province.monthEndMs < 60_000)]
        : []),
      verdict(
        'peak memory < 500 MB at every size',
        mb(Math.max(...results.map((r) => r.peakRssMb))),
        results.every((r) => r.peakRssMb < 500),
      ),
    ],
  );
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  },
);
