import 'reflect-metadata';
import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { DateTime } from 'luxon';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  CalendarService,
  CYCLES_QUEUE,
  isPeriod,
  occurrences,
  parsePeriod,
  Period,
  periodBounds,
  SelfCheckService,
  shiftPeriod,
  STEPS,
  StepName,
  TaskListService,
  TaskService,
} from '@app/cycles';
import { UserService } from '@app/org';
import {
  createRootLogger,
  FakeClock,
  Infrastructure,
  loadConfig,
  PinoNestLogger,
  Principal,
  PrincipalResolver,
  startInfrastructure,
} from '@app/platform';
import { EvidenceService, TicketService, TransitionService } from '@app/tickets';
import { WorkerRootModule } from '../apps/worker/src/worker-root.module';
import { createTestDatabase, TestDatabase } from '../test/support/database';
import { removeQueueKeys } from '../test/support/redis-keys';
import { displayWidth, tableLine, tableRule } from '../test/support/text-table';

/** One township's month as the engine recorded it. */
export interface TownshipMonth {
  township: string;
  period: Period;
  tasks: number;
  tasksDone: number;
  opened: number;
  closed: number;
  closedLate: number;
  returned: number;
  overdue: number;
  selfChecksFiled: number;
  teams: number;
  leader: string | null;
  /** 第N期: the bulletin's number in the township's year. */
  bulletin: number | null;
  praised: number;
  criticised: number;
  /** How many runs of each step the scheduler made in the month (exactly one each when all went well). */
  runs: Record<StepName, number>;
}

export interface SimulationOptions {
  from: Period;
  months: number;
  seed?: number;
  /** Rows as they are finished (the table printer). */
  onRow?: (row: TownshipMonth) => void;
}

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e9e5b0a60000000049454e44ae426082',
  'hex',
);
const ZONE = 'Asia/Shanghai';
// When teams act, as days of the month at 10:00 in Shanghai.
const ACTION_DAYS = [3, 7, 12, 18, 22, 28];
const FINDINGS = [
  '危房改造进度滞后',
  '帮扶手册填写不规范',
  '饮水安全排查不全面',
  '产业扶持资金台账不完整',
  '政策宣传不到位',
  '公益性岗位考勤记录不全',
];
const SELF_CHECK_PROBLEMS = ['1户饮水设施老化', '2户危房改造资料缺失', '帮扶措施不具体', '走访记录不全'];

/** mulberry32: a small seeded PRNG, so that a simulation runs the same every time. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const localInstant = (period: Period, day: number, hour: number) =>
  DateTime.fromObject({ ...parsePeriod(period), day, hour }, { zone: ZONE }).toJSDate();
const localDay = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE }).toISODate()!;

interface Team {
  id: string;
  name: string;
  principal: Principal;
  /** How reliably the team does its work, 0..1; fixed for the year. */
  diligence: number;
}

interface Township {
  id: string;
  name: string;
  leader: Principal;
  teams: Team[];
}

/**
 * Drives the demo province's townships through `months` months on a fake clock: the engine's
 * schedulers are ticked through the real queue at each due time and the worker runs the steps,
 * while leaders draft task lists and raise findings and teams report progress, file
 * self-checks and work their tickets, some late and some sent back. Seeded, so reproducible.
 */
export async function simulate(options: SimulationOptions): Promise<TownshipMonth[]> {
  if (!isPeriod(options.from)) throw new Error(`--from must be a month YYYY-MM, not ${String(options.from)}`);
  if (!Number.isInteger(options.months) || options.months < 1 || options.months > 36) throw new Error('--months must be 1 to 36');
  const random = prng(options.seed ?? 2026);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];

  const db: TestDatabase = await createTestDatabase();
  // A throwaway database: commits need not wait for the disk.
  if (!db.embedded) {
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`ALTER DATABASE "${new URL(db.url).pathname.slice(1)}" SET synchronous_commit = off`);
    await admin.end();
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'rt-simulate-'));
  const config = loadConfig({
    DATABASE_URL: db.url,
    QUEUE_PREFIX: `rt-sim-${randomBytes(4).toString('hex')}`,
    DATA_DIR: dataDir,
    CONFIG_DIR: join(dataDir, 'config'),
    ADMIN_PASSWORD: randomBytes(12).toString('hex'),
    LOG_LEVEL: process.env.SIMULATE_LOG_LEVEL ?? 'error',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  });
  const logger = createRootLogger(config.LOG_LEVEL);
  Logger.overrideLogger(new PinoNestLogger(logger));
  // The demo data is written (a first start) an hour before the first month begins, so the
  // calendars start then and no step of the month before is due.
  const clock = new FakeClock(new Date(periodBounds(options.from, ZONE).start.getTime() - 3_600_000));
  let infrastructure: Infrastructure | undefined;
  let app: INestApplicationContext | undefined;
  try {
    infrastructure = await startInfrastructure(config);
    if (infrastructure.queue.kind !== 'redis')
      throw new Error('the simulation runs the real queue: it needs Redis (REDIS_URL, 127.0.0.1:6379 or redis-server on the PATH)');
    app = await NestFactory.createApplicationContext(WorkerRootModule.forRoot({ config, logger, infrastructure, clock }), {
      logger: new PinoNestLogger(logger),
      abortOnError: false,
    });
    await app.init();
    const queue = app.get<Queue>(getQueueToken(CYCLES_QUEUE), { strict: false });
    const sim = new Simulation(app, clock, queue, random, pick);
    const rows: TownshipMonth[] = [];
    await sim.prepare();
    for (let i = 0; i < options.months; i++) {
      const period = shiftPeriod(options.from, i);
      await sim.month(period);
      for (const row of await sim.rows(period)) {
        rows.push(row);
        options.onRow?.(row);
      }
    }
    return rows;
  } finally {
    await app?.close();
    // The simulation's queue keys (every queue's) go with it.
    if (infrastructure?.queue.kind === 'redis') await removeQueueKeys(config.QUEUE_PREFIX, infrastructure.queue.url);
    await infrastructure?.stop();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

class Simulation {
  private readonly db: DataSource;
  private townships: Township[] = [];
  private tick = 0;

  constructor(
    private readonly app: INestApplicationContext,
    private readonly clock: FakeClock,
    private readonly queue: Queue,
    private readonly random: () => number,
    private readonly pick: <T>(list: T[]) => T,
  ) {
    this.db = app.get(DataSource, { strict: false });
  }

  private get<T>(type: abstract new (...args: never[]) => T): T {
    return this.app.get(type as never, { strict: false });
  }

  private async principal(userId: string): Promise<Principal> {
    const p = await this.get(PrincipalResolver).resolve(userId, 0);
    if (!p) throw new Error(`no principal for ${userId}`);
    return p;
  }

  /** A leader for each township and a member for each team, who act in the simulation. */
  async prepare(): Promise<void> {
    const users = this.get(UserService);
    const towns = await this.db.query<Array<{ id: string; name: string }>>(
      `SELECT id, name FROM org_unit WHERE kind = 'township' ORDER BY name`,
    );
    for (const [i, t] of towns.entries()) {
      const leaderId = await users.insert(this.db.manager, {
        username: `sim_leader_${i + 1}`,
        displayName: `${t.name}分管领导`,
        passwordHash: '!',
        memberships: [{ unitId: t.id, role: 'leader' }],
      });
      const teams = await this.db.query<Array<{ id: string; name: string }>>(
        `SELECT id, name FROM org_unit WHERE parent_id = $1 AND kind IN ('village', 'office') ORDER BY kind DESC, name`,
        [t.id],
      );
      const members: Team[] = [];
      for (const [j, team] of teams.entries()) {
        const id = await users.insert(this.db.manager, {
          username: `sim_team_${i + 1}_${j + 1}`,
          displayName: `${team.name}工作队`,
          passwordHash: '!',
          memberships: [{ unitId: team.id, role: 'member' }],
        });
        members.push({ ...team, principal: await this.principal(id), diligence: 0.35 + this.random() * 0.6 });
      }
      this.townships.push({ id: t.id, name: t.name, leader: await this.principal(leaderId), teams: members });
    }
  }

  /**
   * Moves the clock to `at`, ticks the schedulers through the queue (all of them when something
   * is due, else only the reminder sweep) and waits until the worker has run all they enqueued.
   */
  private async runDue(at: Date, due: boolean): Promise<void> {
    this.clock.set(at);
    this.tick += 1;
    if (due)
      for (const what of [...STEPS, 'events'] as const) await this.queue.add('tick', { what }, { jobId: `sim|${what}|${this.tick}` });
    await this.queue.add('sweep', {}, { jobId: `sim|sweep|${this.tick}` });
    for (;;) {
      // The schedulers' own next ticks wait, delayed, in real time: they are not ours to wait for.
      const c = await this.queue.getJobCounts('waiting', 'active', 'prioritized');
      if (Object.values(c).every((n) => n === 0)) return;
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  async month(period: Period): Promise<void> {
    const first = this.townships.length && !(await this.db.query(`SELECT 1 FROM task_list WHERE period = $1 LIMIT 1`, [period])).length;
    if (first) for (const t of this.townships) await this.draftTasks(t, period);
    const calendars = this.get(CalendarService);
    const moments: Array<{ at: Date; act?: number }> = [];
    const due = new Set<number>();
    for (const t of this.townships) {
      const cal = await calendars.forTownship(t.id);
      for (const o of occurrences(cal.config, period, calendars.workingDays)) due.add(o.dueAt.getTime() + 60_000);
    }
    for (const at of due) moments.push({ at: new Date(at) });
    for (const day of ACTION_DAYS) moments.push({ at: localInstant(period, day, 10), act: day });
    moments.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.act ?? 0) - (b.act ?? 0));
    for (const m of moments) {
      await this.runDue(m.at, m.act === undefined);
      if (m.act === undefined) continue;
      for (const t of this.townships) await this.act(t, period, m.act);
    }
  }

  private async draftTasks(t: Township, period: Period): Promise<void> {
    const units = t.teams.map((x) => x.id);
    const last = localDay(new Date(periodBounds(period, ZONE).end.getTime() - 1));
    await this.get(TaskListService).create(t.leader, {
      unitId: t.id,
      period,
      tasks: [
        {
          title: '入户走访',
          indicator: '走访贫困户',
          target: 20 + Math.floor(this.random() * 20),
          measureUnit: '户',
          unitIds: units,
          deadline: `${period}-20`,
        },
        {
          title: '政策宣讲',
          indicator: '召开院落会',
          target: 2 + Math.floor(this.random() * 3),
          measureUnit: '场',
          unitIds: units,
          deadline: last,
        },
        { title: '问题整改回头看', unitIds: units, deadline: last },
      ],
    });
  }

  private async act(t: Township, period: Period, day: number): Promise<void> {
    if (day === 3) await this.raiseFindings(t, period);
    if (day === 22) await this.draftTasks(t, shiftPeriod(period, 1));
    for (const team of t.teams) {
      // A good month or a bad one: the team's habit, give or take.
      const effort = Math.min(1, Math.max(0, team.diligence + (this.random() - 0.5) * 0.3));
      if (day >= 7) await this.reportProgress(team, period, effort);
      if ((day === 7 && this.random() < effort) || (day === 12 && this.random() < 0.5)) await this.fileSelfCheck(team, period);
      await this.workTickets(t, team, effort);
    }
  }

  private async raiseFindings(t: Township, period: Period): Promise<void> {
    const tickets = this.get(TicketService);
    const n = 2 + Math.floor(this.random() * 4);
    for (let i = 0; i < n; i++) {
      const team = this.pick(t.teams);
      const days = 10 + Math.floor(this.random() * 30);
      await tickets.create(t.leader, {
        title: `${team.name}${this.pick(FINDINGS)}`,
        unitId: team.id,
        responsible: `${team.name}工作队队长`,
        measures: '逐项整改，限期销号',
        deadline: localDay(new Date(localInstant(period, 3, 10).getTime() + days * 86_400_000)),
        source: 'supervision',
      });
    }
  }

  private async reportProgress(team: Team, period: Period, effort: number): Promise<void> {
    const tasks = this.get(TaskService);
    for (const task of await tasks.list(team.principal, { unitId: team.id, period })) {
      if (task.done || this.random() > effort) continue;
      if (task.target === null) {
        if (this.random() < effort) await tasks.reportProgress(team.principal, task.id, { actual: 1, done: true, comment: '已完成' });
        continue;
      }
      const actual = Math.min(task.target, task.actual + Math.ceil(task.target * (0.15 + this.random() * 0.35)));
      await tasks.reportProgress(team.principal, task.id, { actual, comment: `已完成${actual}${task.measureUnit ?? ''}` });
    }
  }

  private async fileSelfCheck(team: Team, period: Period): Promise<void> {
    const [filed] = await this.db.query(`SELECT 1 FROM self_check WHERE unit_id = $1 AND period = $2`, [team.id, period]);
    if (filed) return;
    const problems = this.random() < 0.5 ? [] : [this.pick(SELF_CHECK_PROBLEMS)];
    await this.get(SelfCheckService).file(team.principal, {
      unitId: team.id,
      period,
      summary: `对照“两不愁三保障”和本月任务清单逐户自查，发现问题${problems.length}个。`,
      checklist: [{ item: '“八个一批”落实情况', status: problems.length ? 'partial' : 'done' }],
      problems: problems.map((title) =>
        // Some problems arrive without a person, deadline or measures: the review flags them.
        this.random() < 0.3
          ? { title }
          : {
              title,
              responsible: `${team.name}帮扶干部`,
              measures: '立即整改',
              deadline: localDay(new Date(this.clock.nowMs() + 20 * 86_400_000)),
            },
      ),
    });
  }

  private async workTickets(t: Township, team: Team, effort: number): Promise<void> {
    const transitions = this.get(TransitionService);
    const open = await this.db.query<Array<{ id: string; status: string; deadline: string | null }>>(
      `SELECT id, status, to_char(deadline, 'YYYY-MM-DD') AS deadline FROM ticket
        WHERE unit_id = $1 AND status IN ('open', 'in_progress', 'pending_review') AND NOT is_common ORDER BY code`,
      [team.id],
    );
    for (const ticket of open) {
      const roll = this.random();
      if (ticket.status === 'open' && ticket.deadline && roll < effort) {
        await transitions.apply(team.principal, ticket.id, { action: 'start', comment: '已开始整改' });
      } else if (ticket.status === 'in_progress' && roll < effort * 0.6) {
        const evidence = await this.get(EvidenceService).upload(team.principal, ticket.id, { filename: '整改照片.png', data: PNG });
        await transitions.apply(team.principal, ticket.id, {
          action: 'submit',
          comment: '已整改到位，申请销号',
          evidenceIds: [evidence.id],
        });
      } else if (ticket.status === 'pending_review') {
        // The township verifies: most close-outs pass, some go back.
        if (roll < 0.8) await transitions.apply(t.leader, ticket.id, { action: 'approve', comment: '经核查整改到位，同意销号' });
        else await transitions.apply(t.leader, ticket.id, { action: 'return', reason: '佐证材料不充分，请补充' });
      }
    }
  }

  /** What the engine produced for the month, township by township. */
  async rows(period: Period): Promise<TownshipMonth[]> {
    const out: TownshipMonth[] = [];
    for (const t of this.townships) {
      const runs = await this.db.query<Array<{ key: string; n: number }>>(
        `SELECT key, count(*)::int AS n FROM cycle_run WHERE unit_id = $1 AND period = $2 AND state = 'done' AND trigger = 'schedule' AND key LIKE 'step:%'
          GROUP BY key`,
        [t.id, period],
      );
      // The number the documents lib gave the issued bulletin; without it, its place in the year.
      const documents = (await this.db.query<Array<{ t: string | null }>>(`SELECT to_regclass('document')::text AS t`))[0].t !== null;
      const [bulletin] = await this.db.query<Array<{ data: BulletinData; number: number }>>(
        `SELECT data, ${documents ? `coalesce((SELECT d.number FROM document d WHERE d.source_output_id = o.id), ` : '('}
                (SELECT count(*)::int FROM cycle_output b WHERE b.unit_id = o.unit_id AND b.kind = 'bulletin'
                    AND left(b.period, 4) = left(o.period, 4) AND b.period <= o.period)) AS number
           FROM cycle_output o WHERE o.unit_id = $1 AND o.period = $2 AND o.kind = 'bulletin'`,
        [t.id, period],
      );
      const [progress] = await this.db.query<Array<{ data: { rows: Array<{ tickets: { returned: number } }> } }>>(
        `SELECT data FROM cycle_output WHERE unit_id = $1 AND period = $2 AND kind = 'progress_list'`,
        [t.id, period],
      );
      const [leader] = await this.db.query<Array<{ name: string }>>(
        `SELECT u.name FROM ranking r JOIN org_unit u ON u.id = r.unit_id WHERE r.township_id = $1 AND r.period = $2 AND r.rank = 1 ORDER BY u.name LIMIT 1`,
        [t.id, period],
      );
      const f = bulletin?.data.figures;
      out.push({
        township: t.name,
        period,
        tasks: f?.tasks ?? 0,
        tasksDone: f?.tasksDone ?? 0,
        opened: f?.ticketsFound ?? 0,
        closed: f?.ticketsClosed ?? 0,
        closedLate: f ? f.ticketsClosed - f.ticketsClosedOnTime : 0,
        returned: progress ? progress.data.rows.reduce((a, r) => a + r.tickets.returned, 0) : 0,
        overdue: f?.overdue ?? 0,
        selfChecksFiled: f?.selfChecksFiled ?? 0,
        teams: f?.teams ?? t.teams.length,
        leader: leader?.name ?? null,
        bulletin: bulletin?.number ?? null,
        praised: bulletin?.data.praised.length ?? 0,
        criticised: bulletin?.data.criticised.length ?? 0,
        runs: Object.fromEntries(STEPS.map((s) => [s, runs.find((r) => r.key === `step:${s}`)?.n ?? 0])) as Record<StepName, number>,
      });
    }
    return out;
  }
}

interface BulletinData {
  figures: {
    teams: number;
    ticketsFound: number;
    ticketsClosed: number;
    ticketsClosedOnTime: number;
    overdue: number;
    tasks: number;
    tasksDone: number;
    selfChecksFiled: number;
  };
  praised: unknown[];
  criticised: unknown[];
}

const COLUMNS: Array<[string, (r: TownshipMonth) => string]> = [
  ['township', (r) => r.township],
  ['month', (r) => r.period],
  ['tasks done/total', (r) => `${r.tasksDone}/${r.tasks}`],
  ['self-checks', (r) => `${r.selfChecksFiled}/${r.teams}`],
  ['tickets opened', (r) => String(r.opened)],
  ['closed', (r) => String(r.closed)],
  ['closed late', (r) => String(r.closedLate)],
  ['returned', (r) => String(r.returned)],
  ['overdue', (r) => String(r.overdue)],
  ['rank leader', (r) => r.leader ?? '—'],
  ['bulletin', (r) => (r.bulletin ? `第${r.bulletin}期` : '—')],
  ['praised/criticised', (r) => `${r.praised}/${r.criticised}`],
];

/** `npm run simulate -- --from 2026-01 --months 12 [--seed 2026]` */
async function main(): Promise<void> {
  const args = new Map<string, string>();
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) args.set(argv[i].replace(/^--/, ''), argv[i + 1]);
  const from = args.get('from') ?? '2026-01';
  const months = Number(args.get('months') ?? '12');
  const seed = Number(args.get('seed') ?? '2026');
  const widths = COLUMNS.map(([h]) => Math.max(displayWidth(h), h === 'township' ? 8 : h === 'month' ? 7 : h === 'rank leader' ? 24 : 0));
  const line = (cells: string[]) => tableLine(cells, widths, (i) => i < 2 || i === 9);
  const started = Date.now();
  console.log(`Simulating ${months} month(s) from ${from} (seed ${seed}) on a fake clock, through the real queue…\n`);
  console.log(line(COLUMNS.map(([h]) => h)));
  console.log(tableRule(widths));
  const rows = await simulate({ from, months, seed, onRow: (r) => console.log(line(COLUMNS.map(([, f]) => f(r)))) });
  const twice = rows.filter((r) => STEPS.some((s) => r.runs[s] !== 1));
  console.log(
    `\n${rows.length} township-months in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      (twice.length ? `${twice.length} without exactly one run of each step` : 'every step ran exactly once in each'),
  );
  if (twice.length) process.exitCode = 1;
}

if (require.main === module) {
  main().then(
    () => process.exit(),
    (e: Error) => {
      console.error(e.stack ?? e.message);
      process.exit(1);
    },
  );
}
