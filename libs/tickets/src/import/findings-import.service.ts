import { Inject, Injectable } from '@nestjs/common';
import {
  AppConfig,
  Clock,
  ColumnSpec,
  DEFAULT_TABLE_LIMITS,
  Forbidden,
  IdempotencyStore,
  localDay,
  ImportRejected,
  Principal,
  readTable,
  requestHash,
  RowProblem,
} from '@app/platform';
import { UnitRef, Units } from '@app/org';
import { DataSource } from 'typeorm';
import { DateTime } from 'luxon';
import { parseClass, RectificationClass } from '../domain/categories';
import { parseSheetDate } from '../domain/sheet-dates';
import { FeedbackDocument, feedbackDocumentOf } from '../inspections/feedback-document';
import { InspectionRow, InspectionService } from '../inspections/inspection.service';
import { CategoryList } from '../tickets/category-list';
import { mayRaise } from '../tickets/ticket-access';
import { draftProblems, NewTicket } from '../domain/ticket-draft';
import { TicketCreation } from '../tickets/ticket-creation.service';

type Column = 'no' | 'problem' | 'category' | 'unit' | 'responsible' | 'measures' | 'deadline' | 'leader' | 'class';

/** The columns of a findings list, with the header texts offices actually use. */
export const FINDING_COLUMNS: readonly ColumnSpec<Column>[] = [
  { key: 'no', headers: ['序号', '编号'], required: false },
  {
    key: 'problem',
    headers: ['问题描述', '存在问题', '问题表现', '问题内容', '反馈问题', '具体问题', '主要问题', '存在的问题', '问题清单', '问题'],
    required: true,
  },
  { key: 'category', headers: ['问题类别', '问题类型', '类别', '问题分类'], required: false },
  { key: 'unit', headers: ['责任单位', '整改责任单位', '责任主体', '牵头单位', '责任部门', '整改单位'], required: true },
  { key: 'responsible', headers: ['责任人', '整改责任人', '具体责任人'], required: false },
  { key: 'measures', headers: ['整改措施', '整改举措', '整改措施及要求'], required: false },
  { key: 'deadline', headers: ['整改时限', '完成时限', '整改期限', '完成时间', '整改时间', '完成期限', '时限要求'], required: true },
  { key: 'leader', headers: ['责任领导', '包抓领导', '分管领导', '督办领导', '包保领导'], required: false },
  { key: 'class', headers: ['整改类型', '整改方式', '整改性质'], required: false },
];

export const MAX_FINDINGS = 20_000;

/** The sheet column of each ticket field, for the problems of a row. */
const SHEET_COLUMNS: Partial<Record<keyof NewTicket, string>> = {
  title: '问题描述',
  description: '问题描述',
  category: '问题类别',
  responsible: '责任人',
  measures: '整改措施',
  supervisingLeader: '包抓领导',
  deadline: '整改时限',
  rectificationClass: '整改类型',
};
const MAX_PROBLEMS_LISTED = 2_000;
const PATH_SEPARATOR = /\s*[/／>＞]\s*/;

export interface ImportResult {
  dryRun: boolean;
  created: number;
  issues: string[];
  /** The round and feedback document the sheet's title rows name; the inspection takes those it lacks. */
  feedback: FeedbackDocument;
}

interface UnitIndex {
  byName: Map<string, UnitRef[]>;
  names: Map<string, string>;
}

/** A title from the problem text: its first sentence, short enough to scan in a list. */
export function titleOf(text: string): { title: string; description: string | null } {
  const first = text.split(/[。；;\n]/)[0].trim() || text.trim();
  const title = first.length > 120 ? `${first.slice(0, 119)}…` : first;
  return { title, description: title === text.trim() ? null : text.trim() };
}

/**
 * Turns an inspection's feedback list (a sheet with 序号, 问题描述, 问题类别, 责任单位, 责任人,
 * 整改措施, 整改时限) into tickets. Rows are read one at a time; every bad row is reported and
 * then nothing is written, or all rows are written set-based in one transaction.
 */
@Injectable()
export class FindingsImportService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly inspections: InspectionService,
    private readonly creation: TicketCreation,
    private readonly categories: CategoryList,
    private readonly idempotency: IdempotencyStore,
    private readonly config: AppConfig,
  ) {}

  async import(
    principal: Principal,
    inspectionId: string,
    file: { filename: string; data: Buffer },
    options: { dryRun: boolean; idempotencyKey?: string; sheet?: string },
  ): Promise<ImportResult> {
    const inspection = await this.inspections.readable(principal, inspectionId);
    if (!mayRaise(principal, { id: inspection.unit_id, path: inspection.unit_path })) {
      throw new Forbidden('Only an inspector, a leader or an administrator over the inspected unit imports its findings');
    }
    const scope = `findings-import:${inspectionId}`;
    const hash = options.sheet === undefined ? requestHash(file.data) : requestHash(file.data, `sheet:${options.sheet}`);
    const key = options.dryRun ? undefined : options.idempotencyKey;
    if (key) {
      const earlier = await this.idempotency.find<ImportResult>(this.db.manager, principal.userId, scope, key, hash);
      if (earlier) return earlier;
    }
    const { drafts, feedback } = await this.parse(principal, inspection, file, { sheet: options.sheet });
    if (options.dryRun) return { dryRun: true, created: drafts.length, issues: [], feedback };
    return this.db.transaction(async (m) => {
      if (key) {
        const earlier = await this.idempotency.claim<ImportResult>(m, principal.userId, scope, key, hash);
        if (earlier) return earlier;
      }
      const created = await this.creation.createMany(principal, drafts, inspection.source, m);
      await this.inspections.completeFeedback(m, inspection.id, feedback);
      const result: ImportResult = { dryRun: false, created: created.length, issues: created.map((c) => c.id), feedback };
      if (key) await this.idempotency.complete(m, principal.userId, scope, key, result);
      return result;
    });
  }

  private async unitIndex(principal: Principal, inspection: InspectionRow): Promise<UnitIndex> {
    const units = await Units.subtree(this.db, inspection.unit_path);
    const byName = new Map<string, UnitRef[]>();
    // Names of every unit on the paths, those above the inspected unit too, for "白河县/中厂镇/…".
    const ids = [...new Set(units.flatMap((u) => u.path.split('/').filter(Boolean)))];
    const named = await Units.byIds(this.db, ids);
    const names = new Map(named.map((u) => [u.id, u.name]));
    for (const u of units.filter((x) => mayRaise(principal, x))) {
      const k = u.name.replace(/\s/g, '');
      if (!byName.has(k)) byName.set(k, []);
      byName.get(k)!.push(u);
    }
    return { byName, names };
  }

  private resolveUnit(text: string, index: UnitIndex): UnitRef | string {
    const parts = text
      .split(PATH_SEPARATOR)
      .map((p) => p.replace(/\s/g, ''))
      .filter(Boolean);
    const candidates = (index.byName.get(parts[parts.length - 1]) ?? []).filter((u) => {
      const chain = u.path
        .split('/')
        .filter(Boolean)
        .map((id) => index.names.get(id) ?? '');
      return parts.every((p, i) => chain[chain.length - parts.length + i] === p);
    });
    if (candidates.length === 1) return candidates[0];
    if (!candidates.length) return `no unit named "${text}" in the inspected unit (or you may not raise tickets there)`;
    const pathOf = (u: UnitRef) =>
      u.path
        .split('/')
        .filter(Boolean)
        .map((id) => index.names.get(id))
        .slice(-2)
        .join('/');
    return `"${text}" matches ${candidates.length} units; write it with its township, e.g. ${pathOf(candidates[0])}`;
  }

  /** The category a section heading names: 一、精准识别方面（共3个） is 精准识别; none when it names no configured one. */
  private sectionCategory(section: string): string | null {
    const name = section
      .replace(/^([一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百]+[）)]|\d+[、.．])\s*/, '')
      .replace(/[（(]共\s*\d+\s*[个项条][）)]/g, '')
      .replace(/\s/g, '');
    if (this.categories.has(name)) return name;
    const containing = this.categories.list.filter((c) => name.includes(c)).sort((a, b) => b.length - a.length);
    return containing[0] ?? null;
  }

  private async parse(
    principal: Principal,
    inspection: InspectionRow,
    file: { filename: string; data: Buffer },
    options: { sheet?: string },
  ): Promise<{ drafts: NewTicket[]; feedback: FeedbackDocument }> {
    const index = await this.unitIndex(principal, inspection);
    const problems: RowProblem[] = [];
    const drafts: NewTicket[] = [];
    let columns: Map<Column, number> | undefined;
    let feedback: FeedbackDocument = { round: null, docNumber: null, docDate: null };
    const now = this.clock.now();
    // A list names a handful of units and dates over thousands of rows: each is resolved once.
    const units = new Map<string, UnitRef | string>();
    const localToday = (zone: string) => localDay(now, zone);
    const sections = new Map<string, string | null>();
    const inspectionYear = Number(inspection.date.slice(0, 4));
    for await (const item of readTable(file.data, file.filename, FINDING_COLUMNS, {
      sheet: options.sheet,
      limits: { ...DEFAULT_TABLE_LIMITS, maxRows: MAX_FINDINGS, maxUnpackedBytes: this.config.IMPORT_MAX_UNPACKED_MB * 1024 * 1024 },
    })) {
      if (item.kind === 'header') {
        columns = item.columns;
        feedback = feedbackDocumentOf(item.above);
        continue;
      }
      if (!columns) continue;
      const row = item.row;
      const cell = (k: Column) => (columns!.has(k) ? (row.values[columns!.get(k)!] ?? '').trim() : '');
      const bad = (column: string, message: string) => {
        if (problems.length < MAX_PROBLEMS_LISTED) problems.push({ row: row.rowNumber, no: cell('no') || undefined, column, message });
      };
      const before = problems.length;
      const text = cell('problem');
      if (!text) bad('问题描述', 'the problem is empty');
      else if (text.length > 5000) bad('问题描述', 'longer than 5,000 characters');
      if (text.startsWith('=')) bad('问题描述', 'a formula, not text: paste the values');
      let category = cell('category');
      if (!columns.has('category') && row.section) {
        if (!sections.has(row.section)) sections.set(row.section, this.sectionCategory(row.section));
        category = sections.get(row.section) ?? '';
      }
      const unitText = cell('unit');
      let unit: UnitRef | undefined;
      if (!unitText) bad('责任单位', 'the owner unit is empty');
      else {
        if (!units.has(unitText)) units.set(unitText, this.resolveUnit(unitText, index));
        const found = units.get(unitText)!;
        if (typeof found === 'string') bad('责任单位', found);
        else unit = found;
      }
      let rectificationClass: RectificationClass = 'deadline';
      const classText = cell('class');
      if (classText) {
        const c = parseClass(classText);
        if (!c) bad('整改类型', `"${classText}" is not 立行立改, 限期整改 or 长期坚持`);
        else rectificationClass = c;
      }
      const deadlineText = cell('deadline');
      let deadline: string | undefined;
      const inline = parseClass(deadlineText);
      const zone = unit?.timezone ?? 'UTC'; // a row without a unit is rejected anyway
      if (inline === 'immediate' || (!deadlineText && rectificationClass === 'immediate')) {
        rectificationClass = 'immediate';
        deadline = DateTime.fromISO(localToday(zone)).plus({ days: this.config.IMMEDIATE_DAYS }).toISODate()!;
      } else if (inline === 'standing') {
        rectificationClass = 'standing';
        deadline = `${localToday(zone).slice(0, 4)}-12-31`;
      } else if (!deadlineText) bad('整改时限', 'the deadline is empty');
      else {
        deadline = parseSheetDate(deadlineText, inspectionYear);
        if (!deadline) bad('整改时限', `"${deadlineText}" is not a date (2026-07-28, 2026/7/28, 2026年7月28日, 9月底前)`);
      }
      const { title, description } = titleOf(text);
      // A literal, not a spread: spread into this many fields, V8 builds each of 20,000 drafts as
      // a dictionary object, three times the memory.
      const draft: NewTicket = {
        title,
        description,
        category: category || null,
        inspectionId: inspection.id,
        unitId: unit?.id ?? '',
        responsible: cell('responsible') || null,
        supervisingLeader: cell('leader') || null,
        measures: cell('measures') || null,
        rectificationClass,
        deadline: deadline ?? null,
      };
      // The rules every ticket meets, as this sheet's columns name the fields.
      if (text) for (const p of draftProblems(draft, this.categories)) bad(SHEET_COLUMNS[p.field] ?? '问题描述', p.message);
      if (problems.length > before || !unit || !deadline) continue;
      drafts.push(draft);
    }
    if (!columns) throw new ImportRejected([{ row: 1, column: '问题描述', message: 'the file has no header row' }]);
    if (problems.length)
      throw new ImportRejected(
        problems,
        `${problems.length >= MAX_PROBLEMS_LISTED ? 'At least ' : ''}${problems.length} problem(s) in the file; nothing was imported`,
      );
    if (!drafts.length) throw new ImportRejected([{ row: 2, column: '问题描述', message: 'the file has no findings' }]);
    return { drafts, feedback };
  }
}
