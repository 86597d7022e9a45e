import { Inject, Injectable } from '@nestjs/common';
import {
  AppConfig,
  Clock,
  ColumnSpec,
  Conflict,
  DEFAULT_TABLE_LIMITS,
  Forbidden,
  ImportRejected,
  isValidZone,
  PG_UNIQUE_VIOLATION,
  Principal,
  readTable,
  RowProblem,
  sqlState,
} from '@app/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { childPath, OrgUnit, pathIds } from '../units/org-unit.entity';
import { parentRuleViolation, parseUnitKind, UnitKind } from '../units/unit-kind';

type OrgColumn = 'name' | 'kind' | 'parent' | 'code' | 'timezone' | 'lat' | 'lon';

export const ORG_COLUMNS: readonly ColumnSpec<OrgColumn>[] = [
  { key: 'name', headers: ['名称', '单位名称', '组织名称', 'name'], required: true },
  { key: 'kind', headers: ['类型', '单位类型', '层级', 'kind', 'type'], required: true },
  { key: 'parent', headers: ['上级', '上级单位', '所属上级', 'parent'], required: true },
  { key: 'code', headers: ['编码', '代码', '单位编码', 'code'], required: false },
  { key: 'timezone', headers: ['时区', 'timezone'], required: false },
  { key: 'lat', headers: ['纬度', 'lat', 'latitude'], required: false },
  { key: 'lon', headers: ['经度', 'lon', 'lng', 'longitude'], required: false },
];

const MAX_ORG_ROWS = 10_000;
const PATH_SEPARATOR = /\s*[/／>＞]\s*/;

interface Draft {
  row: number;
  name: string;
  kind: UnitKind;
  parentText: string;
  code: string | null;
  timezone: string | null;
  lat: number | null;
  lon: number | null;
  unit?: OrgUnit;
}

export interface OrgImportResult {
  dryRun: boolean;
  created: number;
  units: Array<{ row: number; id: string | null; name: string; kind: UnitKind; parentId: string | null }>;
}

/** A coordinate cell in decimal degrees: null when empty, undefined when not a number within ±`limit`. */
function coordinate(text: string, limit: number): number | null | undefined {
  if (!text) return null;
  if (!/^[+-]?\d{1,3}(\.\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Math.abs(value) <= limit ? value : undefined;
}

/** A node that a 上级 cell can name: an existing unit in scope, or a row of the same file. */
interface Candidate {
  unit: OrgUnit;
  names: string[]; // the names from the root down to this unit
}

/**
 * Loads a county's org tree from a sheet with the columns 名称, 类型, 上级 (and optionally 编码,
 * 时区, 经度 and 纬度). All or nothing: any bad row rejects the file with every problem listed.
 */
@Injectable()
export class OrgImportService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async import(principal: Principal, file: Buffer, filename: string, dryRun: boolean): Promise<OrgImportResult> {
    if (!principal.scope.holdsAny('admin')) throw new Forbidden('Only an administrator can import the org tree');
    const { drafts, problems } = await this.parse(file, filename);
    const existing = await this.existingCandidates(principal);
    this.resolve(principal, drafts, existing, problems);
    if (problems.length) throw new ImportRejected(problems.sort((a, b) => a.row - b.row));
    const units = drafts.map((d) => d.unit!);
    if (!dryRun) {
      try {
        await this.db.transaction(async (m) => {
          for (let i = 0; i < units.length; i += 500) await m.insert(OrgUnit, units.slice(i, i + 500));
        });
      } catch (e) {
        if (sqlState(e) === PG_UNIQUE_VIOLATION) {
          throw new Conflict('Another change created a unit with the same name or code meanwhile; nothing was imported. Try again.');
        }
        throw e;
      }
    }
    return {
      dryRun,
      created: units.length,
      units: drafts.map((d) => ({ row: d.row, id: dryRun ? null : d.unit!.id, name: d.name, kind: d.kind, parentId: d.unit!.parentId })),
    };
  }

  private async parse(file: Buffer, filename: string): Promise<{ drafts: Draft[]; problems: RowProblem[] }> {
    const drafts: Draft[] = [];
    const problems: RowProblem[] = [];
    let columns: Map<OrgColumn, number> | undefined;
    const seenCodes = new Map<string, number>();
    for await (const item of readTable(file, filename, ORG_COLUMNS, { limits: { ...DEFAULT_TABLE_LIMITS, maxRows: MAX_ORG_ROWS } })) {
      if (item.kind === 'header') {
        columns = item.columns;
        continue;
      }
      if (!columns) continue;
      const row = item.row;
      const cell = (k: OrgColumn) => (columns!.has(k) ? (row.values[columns!.get(k)!] ?? '').trim() : '');
      const bad = (column: string, message: string) => problems.push({ row: row.rowNumber, column, message });
      const name = cell('name');
      const kindText = cell('kind');
      const kind = parseUnitKind(kindText);
      const code = cell('code') || null;
      const timezone = cell('timezone') || null;
      if (!name) bad('名称', 'the name is empty');
      else if (name.length > 100) bad('名称', 'the name is longer than 100 characters');
      else if (PATH_SEPARATOR.test(name)) bad('名称', 'a name cannot contain / or >');
      if (!kind) bad('类型', kindText ? `"${kindText}" is not a unit type (县, 乡镇, 村, 站所办, 督查组)` : 'the type is empty');
      if (timezone && !isValidZone(timezone)) bad('时区', `"${timezone}" is not a time zone such as Asia/Shanghai`);
      const lat = coordinate(cell('lat'), 90);
      const lon = coordinate(cell('lon'), 180);
      if (lat === undefined) bad('纬度', `"${cell('lat')}" is not a latitude between -90 and 90 (decimal degrees such as 29.99)`);
      if (lon === undefined) bad('经度', `"${cell('lon')}" is not a longitude between -180 and 180 (decimal degrees such as 109.48)`);
      if (lat !== undefined && lon !== undefined && (lat === null) !== (lon === null)) {
        bad(lat === null ? '纬度' : '经度', 'give both 经度 and 纬度, or neither');
      }
      if (code) {
        if (seenCodes.has(code)) bad('编码', `the code ${code} is also used in row ${seenCodes.get(code)}`);
        else seenCodes.set(code, row.rowNumber);
      }
      if (name && kind) {
        drafts.push({ row: row.rowNumber, name, kind, parentText: cell('parent'), code, timezone, lat: lat ?? null, lon: lon ?? null });
      }
    }
    if (!columns) throw new ImportRejected([{ row: 1, column: '名称', message: 'the file has no header row' }]);
    if (!drafts.length && !problems.length)
      throw new ImportRejected([{ row: 2, column: '名称', message: 'the file has no rows to import' }]);
    await this.checkCodesFree(drafts, problems);
    return { drafts, problems };
  }

  private async checkCodesFree(drafts: Draft[], problems: RowProblem[]): Promise<void> {
    const codes = drafts.map((d) => d.code).filter((c): c is string => !!c);
    if (!codes.length) return;
    const taken = await this.db.query<Array<{ code: string }>>(`SELECT code FROM org_unit WHERE code = ANY($1::text[])`, [codes]);
    const set = new Set(taken.map((t) => t.code));
    for (const d of drafts)
      if (d.code && set.has(d.code)) problems.push({ row: d.row, column: '编码', message: `the code ${d.code} is already used` });
  }

  private async existingCandidates(principal: Principal): Promise<Candidate[]> {
    const scope = principal.scope.sqlFilter('path', 1);
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT id, name, kind, parent_id, path, depth, code, timezone FROM org_unit WHERE ${scope.sql}`,
      scope.params,
    );
    const byId = new Map<string, string>();
    // Names of ancestors outside the scope are needed for path matching too.
    const allIds = new Set(rows.flatMap((r) => pathIds(String(r.path))));
    const names = await this.db.query<Array<{ id: string; name: string }>>(`SELECT id, name FROM org_unit WHERE id = ANY($1::uuid[])`, [
      [...allIds],
    ]);
    for (const n of names) byId.set(n.id, n.name);
    return rows.map((r) => {
      const unit = Object.assign(new OrgUnit(), {
        id: r.id,
        name: r.name,
        kind: r.kind,
        parentId: r.parent_id,
        path: r.path,
        depth: r.depth,
        code: r.code,
        timezone: r.timezone,
      });
      return { unit, names: pathIds(unit.path).map((id) => byId.get(id) ?? '') };
    });
  }

  /** Resolves each row's parent (in any order of rows) and builds the units to insert. */
  private resolve(principal: Principal, drafts: Draft[], existing: Candidate[], problems: RowProblem[]): void {
    const candidates = [...existing];
    const siblings = new Set(existing.map((c) => `${c.unit.parentId ?? ''}\u0000${c.unit.name}`));
    const now = this.clock.now();
    let pending = drafts.filter((d) => !problems.some((p) => p.row === d.row));
    const failed = new Map<number, RowProblem>();
    for (let progress = true; pending.length && progress;) {
      progress = false;
      const next: Draft[] = [];
      for (const d of pending) {
        const outcome = this.place(principal, d, candidates, siblings, now);
        if (outcome === 'wait') {
          next.push(d);
          continue;
        }
        if (outcome) {
          failed.set(d.row, { row: d.row, column: outcome.column, message: outcome.message });
          continue;
        }
        progress = true;
        const parentNames = d.unit!.parentId ? candidates.find((c) => c.unit.id === d.unit!.parentId)!.names : [];
        candidates.push({ unit: d.unit!, names: [...parentNames, d.name] });
      }
      pending = next;
    }
    for (const d of pending) {
      failed.set(d.row, {
        row: d.row,
        column: '上级',
        message: `上级 "${d.parentText}" was not found among existing units or the rows of this file`,
      });
    }
    problems.push(...failed.values());
  }

  private place(
    principal: Principal,
    d: Draft,
    candidates: Candidate[],
    siblings: Set<string>,
    now: Date,
  ): 'wait' | { column: string; message: string } | undefined {
    let parent: OrgUnit | null = null;
    if (d.parentText) {
      const wanted = d.parentText.split(PATH_SEPARATOR).filter(Boolean);
      const matches = candidates.filter((c) => {
        if (c.names.length < wanted.length) return false;
        const tail = c.names.slice(c.names.length - wanted.length);
        return tail.every((n, i) => n === wanted[i]);
      });
      if (matches.length === 0) return 'wait';
      if (matches.length > 1) {
        return {
          column: '上级',
          message: `上级 "${d.parentText}" matches ${matches.length} units; write its full path, e.g. ${matches[0].names.join('/')}`,
        };
      }
      parent = matches[0].unit;
    }
    const rule = parentRuleViolation(d.kind, parent?.kind ?? null);
    if (rule) return { column: d.parentText ? '上级' : '类型', message: rule };
    const allowed = parent ? principal.scope.hasRoleOver(parent, 'admin') : principal.scope.global;
    if (!allowed) {
      return {
        column: '上级',
        message: parent ? `you do not administer ${parent.name}` : 'only a system administrator can add a root unit',
      };
    }
    const key = `${parent?.id ?? ''}\u0000${d.name}`;
    if (siblings.has(key)) return { column: '名称', message: `${parent?.name ?? 'the root'} already has a unit named ${d.name}` };
    siblings.add(key);
    const id = randomUUID();
    d.unit = Object.assign(new OrgUnit(), {
      id,
      name: d.name,
      kind: d.kind,
      parentId: parent?.id ?? null,
      path: childPath(parent?.path ?? null, id),
      depth: (parent?.depth ?? 0) + 1,
      code: d.code,
      timezone: d.timezone ?? parent?.timezone ?? this.config.TZ_DEFAULT,
      lat: d.lat,
      lon: d.lon,
      createdAt: now,
      updatedAt: now,
    });
    return undefined;
  }
}
