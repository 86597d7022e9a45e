import 'reflect-metadata';
import { getQueueToken } from '@nestjs/bullmq';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { CalendarService, CYCLES_QUEUE, CyclesModule, STEPS, StepName, StepRunner, TownshipCalendar } from '@app/cycles';
import { DocumentsModule } from '@app/documents';
import { createRootLogger, FakeClock, loadConfig, PinoNestLogger, PlatformModule, startInfrastructure } from '@app/platform';
import { TeamMetricsService } from '../libs/cycles/src/ranking/team-metrics.service';
import { TASK_VIEW_SQL } from '../libs/cycles/src/tasks/task-list.service';
import { teamsOf } from '../libs/cycles/src/tasks/teams';
import { MIGRATIONS } from '../apps/schema/migrations';
import { TicketFacts } from '@app/tickets';
import { benchDatabase, cliArgs, seedCounty, mb, ms, peakRssMb, printTable, ratio } from './support/bench-kit';

/**
 * Month end for a county: 20 townships × 15 villages (and an office each), 100,000 tickets
 * over the year, every township's five steps for July 2026 (outputs, notifications, ranking,
 * bulletin, and the documents they issue), against the same aggregate SQL run alone.
 *
 *   npm run bench:month-end [-- --townships 20 --villages 15 --tickets 100000]
 */
const PERIOD = '2026-07';
// After the supervision step is due on 31 July (16:00 in Shanghai).
const MONTH_END = '2026-07-31T08:30:00Z';

async function generate(db: DataSource, townships: number, villages: number, tickets: number): Promise<void> {
  await seedCounty(db, '基准', townships, villages, { offices: true });

  // Tickets spread over the teams and the year so far: most closed (some late), the rest open,
  // in progress or waiting for review; a few without a person or measures.
  await db.query(
    `WITH teams AS (SELECT id, path, row_number() OVER (ORDER BY path) - 1 AS k, count(*) OVER () AS n
                      FROM org_unit WHERE kind IN ('village', 'office')),
          g AS (SELECT i, (i * 7919) % 1000 AS r FROM generate_series(1, $1::int) i)
     INSERT INTO ticket (code, source, title, unit_id, unit_path, unit_tz, responsible, measures, rectification_class,
                         deadline, original_deadline, status, closed_at, closed_on_time, returned_count, created_at, updated_at)
     SELECT 'BM-' || lpad(g.i::text, 7, '0'),
            (ARRAY['patrol', 'supervision', 'self_check', 'audit', 'higher_feedback'])[1 + g.i % 5],
            '第' || g.i || '号问题：危房改造和饮水安全排查不到位', t.id, t.path, 'Asia/Shanghai',
            CASE WHEN g.r < 20 THEN NULL ELSE '责任人' || g.i % 97 END,
            CASE WHEN g.r BETWEEN 20 AND 30 THEN NULL ELSE '逐户排查，限期整改' END,
            'deadline', c.created::date + 30, c.created::date + 30,
            s.status,
            CASE WHEN s.status = 'closed' THEN c.created + ((10 + g.r % 35) || ' days')::interval END,
            CASE WHEN s.status = 'closed' THEN 10 + g.r % 35 <= 30 END,
            CASE WHEN g.r % 20 = 0 THEN 1 ELSE 0 END,
            c.created, c.created
       FROM g
       JOIN teams t ON t.k = g.i % t.n
       CROSS JOIN LATERAL (SELECT timestamptz '2026-01-01 00:00+08' + ((g.i * 7) % 211) * interval '1 day' + (g.i % 86400) * interval '1 second' AS created) c
       CROSS JOIN LATERAL (SELECT CASE WHEN g.r < 600 AND c.created < timestamptz '2026-06-15 00:00+08' THEN 'closed'
                                       WHEN g.r < 750 THEN 'in_progress' WHEN g.r < 830 THEN 'pending_review'
                                       WHEN g.r < 850 THEN 'cancelled' ELSE 'open' END AS status) s`,
    [tickets],
  );
  // Close-outs sent back, some of them this month.
  await db.query(
    `INSERT INTO ticket_event (ticket_id, kind, action, from_status, to_status, actor_name, comment, at)
     SELECT id, 'transition', 'return', 'pending_review', 'in_progress', '督查组', '佐证材料不足', created_at + interval '5 days'
       FROM ticket WHERE returned_count > 0`,
  );

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

async function main(): Promise<void> {
  const args = cliArgs();
  const townships = Number(args.get('townships') ?? 20);
  const villages = Number(args.get('villages') ?? 15);
  const tickets = Number(args.get('tickets') ?? 100_000);
  const withDocuments = args.get('documents') !== 'off';
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

    const calendars = app.get(CalendarService);
    const towns = (await calendars.all()).filter((c) => c.unitName.startsWith('基准'));
    const facts = app.get(TicketFacts, { strict: false });
    const metrics = app.get(TeamMetricsService, { strict: false });
    // Warm the caches, then time the reference: the steps' aggregate SQL alone, township by township.
    for (const cal of towns) await aggregates(db, facts, metrics, cal);
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

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  },
);
