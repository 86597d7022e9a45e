import { Principal } from '@app/platform';
import { UnitRef, Units } from '@app/org';
import { DataSource } from 'typeorm';
import type { InspectionRow } from '../inspections/inspection.service';
import { mayRaise } from '../tickets/ticket-access';

const PATH_SEPARATOR = /\s*[/／>＞]\s*/;
/** Between the units of one 责任单位 cell: 勾腰坝村、黄家坪村 or 勾腰坝村，黄家坪村. */
const LIST_SEPARATOR = /\s*[、，,；;\n]\s*/;
/** Every village of the township: 各村, 全乡各村, 全镇各村（社区）, 各社区, 各村居. */
const EVERY_VILLAGE = /^(全[乡镇])?各(村|社区|村居|村[(（]社区[)）])$/;

/** The units one 责任单位 cell names: one unit, or several for a common problem (共性问题). */
export type OwnerMatch = { units: UnitRef[] } | { problem: string };

/**
 * The units a findings list may name as owners: those in the inspected unit's subtree where the
 * importer may raise tickets. A name is matched by itself or with the units above it
 * (白河县/中厂镇/第一社区); 各村 is every village of the inspection's township.
 */
export class OwnerUnits {
  private readonly cache = new Map<string, OwnerMatch>();

  private constructor(
    private readonly inspection: InspectionRow,
    private readonly byName: Map<string, UnitRef[]>,
    private readonly names: Map<string, string>,
    private readonly villages: UnitRef[] | undefined,
  ) {}

  static async load(db: DataSource, principal: Principal, inspection: InspectionRow): Promise<OwnerUnits> {
    const units = await Units.subtree(db, inspection.unit_path);
    // Names of every unit on the paths, those above the inspected unit too, for "白河县/中厂镇/…".
    const ids = [...new Set(units.flatMap((u) => u.path.split('/').filter(Boolean)))];
    const named = await Units.byIds(db, ids);
    const names = new Map(named.map((u) => [u.id, u.name]));
    const byName = new Map<string, UnitRef[]>();
    const raisable = units.filter((x) => mayRaise(principal, x));
    for (const u of raisable) {
      const k = u.name.replace(/\s/g, '');
      if (!byName.has(k)) byName.set(k, []);
      byName.get(k)!.push(u);
    }
    const township = await Units.enclosing(db, inspection.unit_path, 'township');
    const villages = township
      ? raisable.filter((u) => u.kind === 'village' && u.path.startsWith(township.path)).sort((a, b) => a.name.localeCompare(b.name, 'zh'))
      : undefined;
    return new OwnerUnits(inspection, byName, names, villages);
  }

  /** The units a cell names, each once, in the order written; or what is wrong with it. */
  resolve(text: string): OwnerMatch {
    if (!this.cache.has(text)) this.cache.set(text, this.match(text));
    return this.cache.get(text)!;
  }

  private match(text: string): OwnerMatch {
    const compact = text.replace(/\s/g, '');
    if (EVERY_VILLAGE.test(compact)) {
      if (!this.villages)
        return { problem: `"${text}" names every village of a township; this inspection is not of one township: list the units` };
      if (!this.villages.length) return { problem: `"${text}": the township has no village where you may raise tickets` };
      return { units: this.villages };
    }
    const units: UnitRef[] = [];
    for (const part of text.split(LIST_SEPARATOR).filter(Boolean)) {
      const found = this.one(part);
      if (typeof found === 'string') return { problem: found };
      if (!units.some((u) => u.id === found.id)) units.push(found);
    }
    if (units.length > 1 && units.some((u) => u.id === this.inspection.unit_id))
      return { problem: `"${text}" lists the inspected unit with units under it: a common problem's units lie under it` };
    return { units };
  }

  private one(text: string): UnitRef | string {
    const parts = text
      .split(PATH_SEPARATOR)
      .map((p) => p.replace(/\s/g, ''))
      .filter(Boolean);
    const candidates = (this.byName.get(parts[parts.length - 1]) ?? []).filter((u) => {
      const chain = this.chain(u);
      return parts.every((p, i) => chain[chain.length - parts.length + i] === p);
    });
    if (candidates.length === 1) return candidates[0];
    if (!candidates.length) return `no unit named "${text}" in the inspected unit (or you may not raise tickets there)`;
    return `"${text}" matches ${candidates.length} units; write it with its township, e.g. ${this.chain(candidates[0]).slice(-2).join('/')}`;
  }

  private chain(u: UnitRef): string[] {
    return u.path
      .split('/')
      .filter(Boolean)
      .map((id) => this.names.get(id) ?? '');
  }
}
