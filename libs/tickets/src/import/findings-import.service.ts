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
import { UnitRef } from '@app/org';
import { DataSource } from 'typeorm';
import { findRepeats, RepeatMatch } from '../repeats/repeat-check';
import { DateTime } from 'luxon';
import { CLASS_LABELS, parseClass, RectificationClass } from '../domain/categories';
import { parseSheetDate } from '../domain/sheet-dates';
import { FeedbackDocument, feedbackDocumentOf } from '../inspections/feedback-document';
import { InspectionRow, InspectionService } from '../inspections/inspection.service';
import { CategoryList } from '../tickets/category-list';
import { mayRaise } from '../tickets/ticket-access';
import { draftProblems, NewTicket } from '../domain/ticket-draft';
import { TicketCreation } from '../tickets/ticket-creation.service';
import { ColumnMapping, parseMapping, recallMapping, rememberMapping, withMapping } from './column-mapping';
import { findDuplicates, OpenDuplicate } from './duplicates';
import { OwnerUnits } from './owner-units';

type Column = 'no' | 'problem' | 'category' | 'unit' | 'responsible' | 'measures' | 'deadline' | 'leader' | 'class' | 'progress';

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
  { key: 'progress', headers: ['完成情况', '整改进展', '整改完成情况', '整改进展情况', '进展情况'], required: false },
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
  progressNote: '完成情况',
};
const MAX_PROBLEMS_LISTED = 2_000;

/** A row of the list as it will be imported, with the likely duplicates it has. */
export interface ImportedRow {
  row: number;
  no: string | null;
  title: string;
  units: string[];
  /** Several units (or 各村): a common problem (共性问题) with a child ticket per unit. */
  common: boolean;
  category: string | null;
  rectificationClass: RectificationClass;
  classLabel: string;
  deadline: string;
  progressNote: string | null;
  /** Earlier rows of the list for one of its units with a near-identical title. */
  sameInFile: Array<{ row: number; no: string | null }>;
  /** Open tickets of its units with a similar title. */
  sameOpen: OpenDuplicate[];
}

export interface ImportResult {
  dryRun: boolean;
  /** Findings: one ticket each, or a common problem's parent. */
  created: number;
  /** The tickets of the findings, in the list's order (a common problem's parent). */
  issues: string[];
  /** In a dry run: the rows (from 1) that repeat a closed ticket of their unit (屡查屡犯), and the tickets they repeat. */
  repeats?: Array<{ row: number; title: string; repeatOf: RepeatMatch[] }>;
  /** A common problem's tickets of its units. */
  unitTickets?: number;
  /** A dry run: each row as it will be imported. */
  rows?: ImportedRow[];
  /** The column mapping the list was read with: the request's, or the one last used for the issuing body. */
  mapping?: ColumnMapping;
  /** The round and feedback document the sheet's title rows name; the inspection takes those it lacks. */
  feedback: FeedbackDocument;
}

/** A row read and checked: the ticket it opens, and the units of a common problem. */
interface Finding {
  row: number;
  no: string | null;
  draft: NewTicket;
  units: UnitRef[];
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
    options: { dryRun: boolean; idempotencyKey?: string; sheet?: string; mapping?: string },
  ): Promise<ImportResult> {
    const given = parseMapping(options.mapping, FINDING_COLUMNS);
    const inspection = await this.inspections.readable(principal, inspectionId);
    if (!mayRaise(principal, { id: inspection.unit_id, path: inspection.unit_path })) {
      throw new Forbidden('Only an inspector, a leader or an administrator over the inspected unit imports its findings');
    }
    const scope = `findings-import:${inspectionId}`;
    const hash = requestHash(
      file.data,
      ...(options.sheet === undefined ? [] : [`sheet:${options.sheet}`]),
      ...(given ? [`mapping:${JSON.stringify(given)}`] : []),
    );
    const key = options.dryRun ? undefined : options.idempotencyKey;
    if (key) {
      const earlier = await this.idempotency.find<ImportResult>(this.db.manager, principal.userId, scope, key, hash);
      if (earlier) return earlier;
    }
    const mapping = given ?? (await recallMapping(this.db, inspection.issued_by));
    const { findings, feedback } = await this.parse(principal, inspection, file, { sheet: options.sheet, mapping });
    const used = mapping ? { mapping } : {};
    if (options.dryRun) {
      const drafts = findings.map((f) => f.draft);
      const matches = await findRepeats(this.db, drafts, this.clock.now(), this.config.REPEAT_LOOKBACK_MONTHS);
      const repeats = drafts.flatMap((d, i) => (matches[i].length ? [{ row: i + 1, title: d.title, repeatOf: matches[i] }] : []));
      return { dryRun: true, created: findings.length, issues: [], repeats, rows: await this.described(findings), feedback, ...used };
    }
    return this.db.transaction(async (m) => {
      if (key) {
        const earlier = await this.idempotency.claim<ImportResult>(m, principal.userId, scope, key, hash);
        if (earlier) return earlier;
      }
      const created = await this.creation.createMany(
        principal,
        findings.map((f) => f.draft),
        inspection.source,
        m,
      );
      // A common problem's parent first, then each unit's child of it, as POST /issues with unitIds.
      const children = findings.flatMap((f, i) =>
        f.draft.isCommon ? f.units.map((u) => ({ ...f.draft, isCommon: false, parentId: created[i].id, unitId: u.id })) : [],
      );
      const unitTickets = await this.creation.createMany(principal, children, inspection.source, m);
      await this.inspections.completeFeedback(m, inspection.id, feedback);
      const result: ImportResult = {
        dryRun: false,
        created: created.length,
        issues: created.map((c) => c.id),
        unitTickets: unitTickets.length,
        feedback,
        ...used,
      };
      // The issuing body's next list is read with the same mapping.
      if (given) await rememberMapping(m, inspection.issued_by, given, this.clock.now());
      if (key) await this.idempotency.complete(m, principal.userId, scope, key, result);
      return result;
    });
  }

  /** Each finding as it will be imported, with its likely duplicates in the list and among open tickets. */
  private async described(findings: Finding[]): Promise<ImportedRow[]> {
    const dup = await findDuplicates(
      this.db.manager,
      findings.map((f) => ({ title: f.draft.title, unitIds: f.units.map((u) => u.id) })),
    );
    return findings.map((f, i) => ({
      row: f.row,
      no: f.no,
      title: f.draft.title,
      units: f.units.map((u) => u.name),
      common: f.draft.isCommon ?? false,
      category: f.draft.category ?? null,
      rectificationClass: f.draft.rectificationClass ?? 'deadline',
      classLabel: CLASS_LABELS[f.draft.rectificationClass ?? 'deadline'],
      deadline: f.draft.deadline!,
      progressNote: f.draft.progressNote ?? null,
      sameInFile: dup.inFile[i].map((j) => ({ row: findings[j].row, no: findings[j].no })),
      sameOpen: dup.open[i],
    }));
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
    options: { sheet?: string; mapping?: ColumnMapping },
  ): Promise<{ findings: Finding[]; feedback: FeedbackDocument }> {
    const owners = await OwnerUnits.load(this.db, principal, inspection);
    const problems: RowProblem[] = [];
    const drafts: Finding[] = [];
    let columns: Map<Column, number> | undefined;
    let feedback: FeedbackDocument = { round: null, docNumber: null, docDate: null };
    const now = this.clock.now();
    const localToday = (zone: string) => localDay(now, zone);
    const sections = new Map<string, string | null>();
    const inspectionYear = Number(inspection.date.slice(0, 4));
    for await (const item of readTable(file.data, file.filename, withMapping(FINDING_COLUMNS, options.mapping), {
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
      let rowUnits: UnitRef[] = [];
      if (!unitText) bad('责任单位', 'the owner unit is empty');
      else {
        // A list names a handful of units over thousands of rows: each cell text is resolved once.
        const found = owners.resolve(unitText);
        if ('problem' in found) bad('责任单位', found.problem);
        else rowUnits = found.units;
      }
      const unit = rowUnits[0] as UnitRef | undefined;
      const common = rowUnits.length > 1;
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
        unitId: common ? inspection.unit_id : (unit?.id ?? ''),
        isCommon: common,
        responsible: cell('responsible') || null,
        supervisingLeader: cell('leader') || null,
        measures: cell('measures') || null,
        rectificationClass,
        deadline: deadline ?? null,
        progressNote: cell('progress') || null,
      };
      // The rules every ticket meets, as this sheet's columns name the fields.
      if (text) for (const p of draftProblems(draft, this.categories)) bad(SHEET_COLUMNS[p.field] ?? '问题描述', p.message);
      if (problems.length > before || !unit || !deadline) continue;
      drafts.push({ row: row.rowNumber, no: cell('no') || null, draft, units: rowUnits });
    }
    if (!columns) throw new ImportRejected([{ row: 1, column: '问题描述', message: 'the file has no header row' }]);
    if (problems.length)
      throw new ImportRejected(
        problems,
        `${problems.length >= MAX_PROBLEMS_LISTED ? 'At least ' : ''}${problems.length} problem(s) in the file; nothing was imported`,
      );
    if (!drafts.length) throw new ImportRejected([{ row: 2, column: '问题描述', message: 'the file has no findings' }]);
    return { findings: drafts, feedback };
  }
}
