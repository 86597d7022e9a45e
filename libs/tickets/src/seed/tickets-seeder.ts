import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock, SeedContext, Seeder, SeedRunner } from '@app/platform';
import { Units } from '@app/org';
import { DateTime } from 'luxon';
import { EntityManager } from 'typeorm';
import { RectificationClass, Source } from '../domain/categories';
import { Status } from '../domain/ticket-state';
import { FileStore } from '../evidence/file-store';
import { TicketWriter } from '../tickets/ticket-writer';

interface DemoFinding {
  unit: string;
  title: string;
  description?: string;
  category: string;
  responsible: string;
  measures: string;
  /** Deadline in days from the first start (negative: already past). */
  dueIn: number;
  status: Status;
  class?: RectificationClass;
}

interface DemoInspection {
  unit: string;
  source: Source;
  title: string;
  issuedBy: string;
  daysAgo: number;
  findings: DemoFinding[];
}

/** Problems of the kinds the seeds name (精准识别, 政策落实, 项目实施 …), placed in the demo units. */
const INSPECTIONS: DemoInspection[] = [
  {
    unit: '椿木营乡',
    source: 'patrol',
    title: '州委第一巡察组巡察反馈问题',
    issuedBy: '州委第一巡察组',
    daysAgo: 60,
    findings: [
      {
        unit: '勾腰坝村',
        title: '个别贫困户识别不精准，家庭收入核算不实',
        category: '精准识别',
        responsible: '勾腰坝村第一书记',
        measures: '逐户入户核查，重新核算家庭收入，按程序调整',
        dueIn: -20,
        status: 'closed',
      },
      {
        unit: '甘竹坪村',
        title: '产业扶持资金发放台账不完整',
        category: '资金管理',
        responsible: '甘竹坪村村委会主任',
        measures: '补齐发放台账，逐户签字确认',
        dueIn: -10,
        status: 'in_progress',
      },
      {
        unit: '锣古圈村',
        title: '村卫生室维修项目进度滞后',
        category: '项目实施',
        responsible: '锣古圈村党支部书记',
        measures: '倒排工期，督促施工单位按期完工',
        dueIn: 12,
        status: 'in_progress',
      },
      {
        unit: '挖断山村',
        title: '村委会建设项目资料归档不规范',
        category: '基础工作',
        responsible: '挖断山村文书',
        measures: '按要求整理项目资料，建立档案',
        dueIn: 3,
        status: 'pending_review',
      },
      {
        unit: '黄家坪村',
        title: '部分脱贫户“回头看”走访记录缺失',
        category: '精准退出',
        responsible: '黄家坪村驻村工作队队长',
        measures: '开展回头看回头帮，补齐走访记录',
        dueIn: 20,
        status: 'open',
      },
      {
        unit: '深湾村',
        title: '易地扶贫搬迁户后续帮扶措施不具体',
        category: '精准帮扶',
        responsible: '深湾村第一书记',
        measures: '一户一策制定后续帮扶措施',
        dueIn: -35,
        status: 'in_progress',
      },
      {
        unit: '甘竹坪村',
        title: '扶贫政策宣传不到位，群众知晓率不高',
        category: '政策落实',
        responsible: '甘竹坪村驻村工作队',
        measures: '发放政策明白卡，召开院落会宣讲',
        dueIn: -5,
        status: 'closed',
      },
    ],
  },
  {
    unit: '中厂镇',
    source: 'supervision',
    title: '月度督导检查反馈问题',
    issuedBy: '中厂镇效能督查组',
    daysAgo: 25,
    findings: [
      {
        unit: '中厂镇第一社区',
        title: '2户危房改造未按期完成',
        category: '两不愁三保障',
        responsible: '第一社区工作队队长',
        measures: '督促施工进度，完工后组织验收',
        dueIn: 5,
        status: 'in_progress',
      },
      {
        unit: '中厂镇第一社区',
        title: '帮扶手册填写不规范',
        category: '基础工作',
        responsible: '第一社区帮扶干部',
        measures: '逐本核对，规范填写',
        dueIn: -3,
        status: 'open',
        class: 'immediate',
      },
      {
        unit: '中厂镇第二社区',
        title: '饮水安全问题排查不全面',
        category: '两不愁三保障',
        responsible: '第二社区工作队队长',
        measures: '全面排查饮水安全，建立问题台账',
        dueIn: 15,
        status: 'in_progress',
      },
      {
        unit: '中厂镇第二社区',
        title: '自查报告未对照“八个一批”逐项自查',
        category: '基础工作',
        responsible: '第二社区工作队',
        measures: '按要求重新自查',
        dueIn: -18,
        status: 'open',
      },
      {
        unit: '中厂镇第三社区',
        title: '公益性岗位人员考勤记录不全',
        category: '政策落实',
        responsible: '第三社区村委会主任',
        measures: '建立考勤制度，补齐记录',
        dueIn: -8,
        status: 'closed',
      },
      {
        unit: '中厂镇第四社区',
        title: '教育资助政策落实情况核查不细',
        category: '政策落实',
        responsible: '第四社区工作队',
        measures: '逐户核实教育资助落实情况',
        dueIn: 25,
        status: 'open',
      },
      {
        unit: '中厂镇农业综合服务站',
        title: '产业技术培训台账不完整',
        category: '精准帮扶',
        responsible: '服务站站长',
        measures: '补齐培训签到和照片资料',
        dueIn: 10,
        status: 'pending_review',
      },
    ],
  },
];

/** A 1×1 PNG: the demo's evidence photo. */
const DEMO_PHOTO = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e9e5b0a60000000049454e44ae426082',
  'hex',
);

/** Demo findings on the first start: two inspections with tickets in every state. */
@Injectable()
export class TicketsSeeder implements Seeder, OnModuleInit {
  readonly name = 'tickets';
  readonly order = 20;

  constructor(
    private readonly runner: SeedRunner,
    private readonly writer: TicketWriter,
    private readonly clock: Clock,
    private readonly files: FileStore,
  ) {}

  onModuleInit(): void {
    this.runner.register(this);
  }

  async seed(ctx: SeedContext): Promise<void> {
    if (!ctx.firstStart || !ctx.demo) return;
    const m = ctx.manager;
    const [{ n }] = await m.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ticket`);
    const demo = await Units.firstNamed(m, '中厂镇');
    if (n > 0 || !demo) return;
    const units = new Map((await Units.all(m)).map((u) => [u.name, u]));
    const now = this.clock.now();
    let count = 0;
    for (const insp of INSPECTIONS) {
      const unit = units.get(insp.unit)!;
      const local = DateTime.fromJSDate(now, { zone: unit.timezone });
      const [row] = await m.query<Array<{ id: string }>>(
        `INSERT INTO inspection (source, title, issued_by, date, unit_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [insp.source, insp.title, insp.issuedBy, local.minus({ days: insp.daysAgo }).toISODate(), unit.id, now],
      );
      const created = await this.writer.create(
        m,
        insp.findings.map((f) => {
          const u = units.get(f.unit)!;
          return {
            title: f.title,
            category: f.category,
            source: insp.source,
            inspectionId: row.id,
            unitId: u.id,
            unitPath: u.path,
            unitTz: u.timezone,
            responsible: f.responsible,
            measures: f.measures,
            rectificationClass: f.class ?? 'deadline',
            deadline: local.plus({ days: f.dueIn }).toISODate(),
          };
        }),
        { id: null, name: insp.issuedBy },
      );
      for (const [i, f] of insp.findings.entries()) await this.advance(m, created[i].id, f, insp.issuedBy, f.dueIn < 0);
      count += created.length;
    }
    ctx.notes.push(`wrote ${count} demo tickets from two inspections (椿木营乡 patrol feedback, 中厂镇 supervision)`);
  }

  /** Walks a demo ticket to its state through the same history a real one would have. */
  private async advance(m: EntityManager, id: string, f: DemoFinding, verifier: string, late: boolean): Promise<void> {
    const now = this.clock.now();
    const path: Array<[string, Status, Status, string, string | null]> = [];
    if (f.status !== 'open') path.push(['start', 'open', 'in_progress', f.responsible, '已开始整改']);
    if (f.status === 'pending_review' || f.status === 'closed')
      path.push(['submit', 'in_progress', 'pending_review', f.responsible, '已完成整改，申请销号']);
    if (f.status === 'closed') path.push(['approve', 'pending_review', 'closed', verifier, '经核查整改到位，同意销号']);
    for (const [action, from, to, actor, comment] of path) {
      await m.query(
        `INSERT INTO ticket_event (ticket_id, kind, action, from_status, to_status, actor_name, comment, at) VALUES ($1, 'transition', $2, $3, $4, $5, $6, $7)`,
        [id, action, from, to, actor, comment, now],
      );
      if (action === 'submit') await this.attachPhoto(m, id, f.responsible, now);
    }
    await m.query(
      `UPDATE ticket SET status = $2, closed_at = CASE WHEN $2 = 'closed' THEN $3::timestamptz END,
              closed_on_time = CASE WHEN $2 = 'closed' THEN $4::boolean END WHERE id = $1`,
      [id, f.status, now, !late],
    );
  }

  private async attachPhoto(m: EntityManager, id: string, who: string, now: Date): Promise<void> {
    const digest = await this.files.put(DEMO_PHOTO);
    await m.query(
      `INSERT INTO evidence_file (sha256, size, media_type, created_at) VALUES ($1, $2, 'image/png', $3) ON CONFLICT DO NOTHING`,
      [digest, DEMO_PHOTO.length, now],
    );
    const [row] = await m.query<Array<{ id: string }>>(
      `INSERT INTO ticket_evidence (ticket_id, sha256, filename, uploaded_at) VALUES ($1, $2, '现场照片.png', $3) RETURNING id`,
      [id, digest, now],
    );
    await m.query(
      `INSERT INTO ticket_event (ticket_id, kind, from_status, to_status, actor_name, data, at) VALUES ($1, 'evidence_added', 'in_progress', 'in_progress', $2, $3, $4)`,
      [id, who, JSON.stringify({ evidenceId: row.id, sha256: digest, filename: '现场照片.png', mediaType: 'image/png' }), now],
    );
  }
}
