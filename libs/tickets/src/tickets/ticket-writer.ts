import { Injectable } from '@nestjs/common';
import { Clock, localDay } from '@app/platform';
import { Units, UnitRef } from '@app/org';
import { EntityManager } from 'typeorm';
import type { RectificationClass, Source } from '../domain/categories';
import { searchText, textBigrams } from '../domain/search';
import type { PlannedMilestone } from '../domain/ticket-state';

/** A ticket to create, its owner unit resolved. */
export interface TicketDraft {
  title: string;
  description?: string | null;
  category?: string | null;
  source: Source;
  inspectionId?: string | null;
  parentId?: string | null;
  isCommon?: boolean;
  unitId: string;
  unitPath: string;
  unitTz: string;
  responsible?: string | null;
  supervisingLeader?: string | null;
  measures?: string | null;
  rectificationClass: RectificationClass;
  deadline?: string | null;
  milestones?: PlannedMilestone[];
  /** The comment of the "created" entry of its history: the progress so far, from a findings list. */
  progressNote?: string | null;
}

export interface Author {
  id: string | null;
  name: string;
}

interface CodeUnit {
  id: string;
  name: string;
}

const CHUNK = 2000;

/** A county's or city's name without its last character of kind: 宣恩县 → 宣恩, 恩施市 → 恩施 (two-character names stay whole). */
export function shortName(name: string): string {
  const n = name.replace(/[\s/-]/g, '');
  return n.length > 2 && /[县市区旗州盟]$/.test(n) ? n.slice(0, -1) : n;
}

/**
 * Writes tickets in set-based statements (one INSERT per 2,000 rows, with their "created"
 * history), numbering them per township and year without gaps: the counter row is locked and
 * advanced by the whole batch inside the caller's transaction.
 */
@Injectable()
export class TicketWriter {
  constructor(private readonly clock: Clock) {}

  /**
   * The unit that numbers a ticket: the owner's township, else its county, else the root. Its
   * name prefixes the code; where another unit of the same kind in the deployment has the same
   * name (城关镇 in two counties), the parent's short name goes before it (宣恩城关镇), so codes
   * stay unique and readable.
   */
  private async codeUnits(m: EntityManager, drafts: TicketDraft[]): Promise<Map<string, CodeUnit>> {
    const ids = [...new Set(drafts.flatMap((d) => d.unitPath.split('/').filter(Boolean)))];
    const byId = await Units.mapByIds(m, ids);
    const picks = new Map<string, UnitRef>();
    for (const d of drafts) {
      if (picks.has(d.unitPath)) continue;
      const chain = d.unitPath
        .split('/')
        .filter(Boolean)
        .map((id) => byId.get(id)!)
        .reverse();
      picks.set(d.unitPath, chain.find((u) => u.kind === 'township') ?? chain.find((u) => u.kind === 'county') ?? chain[chain.length - 1]);
    }
    const chosen = [...new Map([...picks.values()].map((u) => [u.id, u])).values()];
    const shared = await Units.namesakes(
      m,
      chosen.map((u) => u.id),
    );
    const prefixes = new Map(shared.map((r) => [r.id, shortName(r.parentName ?? '')]));
    const out = new Map<string, CodeUnit>();
    for (const [path, pick] of picks) out.set(path, { id: pick.id, name: `${prefixes.get(pick.id) ?? ''}${pick.name}` });
    return out;
  }

  async create(m: EntityManager, drafts: TicketDraft[], actor: Author): Promise<Array<{ id: string; code: string }>> {
    if (!drafts.length) return [];
    const now = this.clock.now();
    const codeUnits = await this.codeUnits(m, drafts);
    // Group by (code unit, year) and take a block of numbers for each, in a fixed order so that
    // concurrent batches lock counters in the same order.
    const groups = new Map<string, { unit: CodeUnit; year: number; drafts: number[] }>();
    const years = new Map<string, number>();
    drafts.forEach((d, i) => {
      const unit = codeUnits.get(d.unitPath)!;
      if (!years.has(d.unitTz)) years.set(d.unitTz, Number(localDay(now, d.unitTz).slice(0, 4)));
      const year = years.get(d.unitTz)!;
      const key = `${unit.id}|${year}`;
      if (!groups.has(key)) groups.set(key, { unit, year, drafts: [] });
      groups.get(key)!.drafts.push(i);
    });
    const codes: string[] = new Array<string>(drafts.length);
    for (const key of [...groups.keys()].sort()) {
      const g = groups.get(key)!;
      const [{ last }] = await m.query<Array<{ last: number }>>(
        `INSERT INTO ticket_sequence (unit_id, year, last) VALUES ($1, $2, $3)
         ON CONFLICT (unit_id, year) DO UPDATE SET last = ticket_sequence.last + $3 RETURNING last`,
        [g.unit.id, g.year, g.drafts.length],
      );
      const first = last - g.drafts.length + 1;
      g.drafts.forEach((draftIndex, j) => (codes[draftIndex] = `${g.unit.name}-${g.year}-${String(first + j).padStart(4, '0')}`));
    }

    const created: Array<{ id: string; code: string }> = [];
    for (let start = 0; start < drafts.length; start += CHUNK) {
      const slice = drafts.slice(start, start + CHUNK).map((d, j) => ({
        code: codes[start + j],
        inspection_id: d.inspectionId ?? null,
        parent_id: d.parentId ?? null,
        is_common: d.isCommon ?? false,
        source: d.source,
        title: d.title,
        description: d.description ?? null,
        category: d.category ?? null,
        unit_id: d.unitId,
        unit_path: d.unitPath,
        unit_tz: d.unitTz,
        responsible: d.responsible ?? null,
        supervising_leader: d.supervisingLeader ?? null,
        measures: d.measures ?? null,
        rectification_class: d.rectificationClass,
        deadline: d.deadline ?? null,
        milestones: d.milestones ?? [],
        // Space-separated (no piece contains white space): a third of the bytes of a JSON array.
        search_grams: textBigrams(searchText(d.title, d.description)).join(' '),
      }));
      const rows = await m.query<Array<{ id: string; code: string }>>(
        `INSERT INTO ticket (code, inspection_id, parent_id, is_common, source, title, description, category, unit_id, unit_path, unit_tz,
                             responsible, supervising_leader, measures, rectification_class, deadline, milestones, search_grams, status,
                             created_by, created_at, updated_at)
         SELECT r.code, r.inspection_id, r.parent_id, r.is_common, r.source, r.title, r.description, r.category, r.unit_id, r.unit_path, r.unit_tz,
                r.responsible, r.supervising_leader, r.measures, r.rectification_class, r.deadline, r.milestones, string_to_array(r.search_grams, ' '), 'open', $2, $3, $3
           FROM jsonb_to_recordset($1::jsonb) AS r(code text, inspection_id uuid, parent_id uuid, is_common boolean, source text, title text,
                description text, category text, unit_id uuid, unit_path text, unit_tz text, responsible text, supervising_leader text,
                measures text, rectification_class text, deadline date, milestones jsonb, search_grams text)
         RETURNING id, code`,
        [JSON.stringify(slice), actor.id, now],
      );
      await m.query(
        `INSERT INTO ticket_event (ticket_id, kind, to_status, actor_id, actor_name, comment, at)
         SELECT e.id, 'created', 'open', $2, $3, e.comment, $4 FROM unnest($1::uuid[], $5::text[]) AS e(id, comment)`,
        [rows.map((r) => r.id), actor.id, actor.name, now, drafts.slice(start, start + CHUNK).map((d) => d.progressNote ?? null)],
      );
      created.push(...rows);
    }
    return created;
  }
}
