import { Inject, Injectable } from '@nestjs/common';
import {
  AppConfig,
  Clock,
  ColumnSpec,
  DEFAULT_TABLE_LIMITS,
  ImportRejected,
  mapHeaders,
  Principal,
  readSheet,
  RowProblem,
} from '@app/platform';
import { Units } from '@app/org';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { HouseholdAttribute, parseAttribute } from '../domain/campaign-kinds';
import { hashIdNumber, isIdNumber, maskIdNumber, normaliseIdNumber } from '../domain/id-number';
import { CampaignService } from '../campaigns/campaign.service';
import { CampaignRow } from '../campaigns/campaign-row';

type Column = 'head' | 'idNumber' | 'village' | 'group' | 'persons' | 'attribute';

/** The columns of a household roster (花名册), with the header texts offices use. */
export const ROSTER_COLUMNS: readonly ColumnSpec<Column>[] = [
  { key: 'head', headers: ['户主', '户主姓名', '姓名'], required: true },
  { key: 'idNumber', headers: ['身份证号', '身份证号码', '户主身份证号', '证件号码'], required: false },
  { key: 'village', headers: ['村', '村名', '行政村', '所在村', '村（社区）'], required: true },
  { key: 'group', headers: ['组', '村民小组', '组别', '自然村'], required: false },
  { key: 'persons', headers: ['人数', '家庭人口', '家庭人口数', '户人数'], required: true },
  { key: 'attribute', headers: ['属性', '户属性', '户类型', '农户属性'], required: true },
];

export const MAX_ROSTER_ROWS = 50_000;
const MAX_PROBLEMS_LISTED = 2_000;
const CHUNK = 10_000;
const PATH_SEPARATOR = /\s*[/／>＞]\s*/;

export interface RosterImportResult {
  /** Households put on this campaign's roster. */
  created: number;
  /** Of those, households already known from an earlier roster (matched by village, head and ID). */
  matched: number;
}

interface RosterEntry {
  row: number;
  villageId: string;
  head: string;
  idHash: string;
  idMasked: string | null;
  group: string | null;
  persons: number;
  attribute: HouseholdAttribute;
}

interface VillageIndex {
  byName: Map<string, Array<{ id: string; chain: string[] }>>;
  /** Names with the township's name in front taken off. */
  shortNames: Map<string, Array<{ id: string; chain: string[] }>>;
}

/**
 * Puts a county's household roster (户主, 身份证号, 村, 组, 人数, 属性) on a campaign: every bad
 * row is reported and nothing is written, or every row is written set-based in one
 * transaction. Villages are found by name only inside the campaign's unit; ID numbers are kept
 * masked, with a keyed hash to match the household in later rosters.
 */
@Injectable()
export class RosterImportService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly campaigns: CampaignService,
    private readonly config: AppConfig,
  ) {}

  async import(principal: Principal, campaignId: string, file: { filename: string; data: Buffer }): Promise<RosterImportResult> {
    const campaign = await this.campaigns.runnable(principal, campaignId);
    const salt = await this.salt();
    const entries = await this.parse(campaign, file, salt);
    return this.db.transaction(async (m) => {
      await this.campaigns.readable(principal, campaignId, m, true);
      return this.write(m, campaign.id, entries);
    });
  }

  private async salt(): Promise<string> {
    await this.db.query(`INSERT INTO household_secret (id, salt) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, [
      randomBytes(32).toString('base64url'),
    ]);
    const [row] = await this.db.query<Array<{ salt: string }>>(`SELECT salt FROM household_secret WHERE id = 1`);
    return row.salt;
  }

  private async villages(campaign: CampaignRow): Promise<VillageIndex> {
    const rows = await Units.under(this.db, campaign.unit_path, 'village');
    const ids = rows.flatMap((r) => r.path.split('/').filter(Boolean));
    const names = new Map((await Units.byIds(this.db, ids)).map((u) => [u.id, u.name.replace(/\s/g, '')]));
    const byName = new Map<string, Array<{ id: string; chain: string[] }>>();
    const shortNames = new Map<string, Array<{ id: string; chain: string[] }>>();
    for (const r of rows) {
      const key = r.name.replace(/\s/g, '');
      const chain = r.path
        .split('/')
        .filter(Boolean)
        .map((id) => names.get(id) ?? '');
      if (!byName.has(key)) byName.set(key, []);
      byName.get(key)!.push({ id: r.id, chain });
      const township = chain[chain.length - 2] ?? '';
      if (township && key.startsWith(township) && key.length > township.length) {
        const short = key.slice(township.length);
        if (!shortNames.has(short)) shortNames.set(short, []);
        shortNames.get(short)!.push({ id: r.id, chain: [...chain.slice(0, -1), short] });
      }
    }
    return { byName, shortNames };
  }

  private resolveVillage(text: string, index: VillageIndex, unitName: string): string | { problem: string } {
    const parts = text
      .split(PATH_SEPARATOR)
      .map((p) => p.replace(/\s/g, ''))
      .filter(Boolean);
    const last = parts[parts.length - 1];
    const within = (v: { chain: string[] }) => parts.slice(0, -1).every((p, i) => v.chain[v.chain.length - parts.length + i] === p);
    let found = (index.byName.get(last) ?? []).filter(within);
    // Rosters often leave out the township of names that carry it (第三社区 for 中厂镇第三社区).
    if (!found.length) found = (index.shortNames.get(last) ?? []).filter(within);
    if (found.length === 1) return found[0].id;
    if (!found.length) return { problem: `no village named "${text}" in ${unitName}` };
    const [a] = found;
    return {
      problem: `"${text}" names ${found.length} villages in ${unitName}; write it with its township, e.g. ${a.chain.slice(-2).join('/')}`,
    };
  }

  private async parse(campaign: CampaignRow, file: { filename: string; data: Buffer }, salt: string): Promise<RosterEntry[]> {
    const index = await this.villages(campaign);
    const problems: RowProblem[] = [];
    const entries: RosterEntry[] = [];
    const seen = new Map<string, number>();
    const villages = new Map<string, string | { problem: string }>();
    let columns: Map<Column, number> | undefined;
    for await (const row of readSheet(file.data, file.filename, {
      ...DEFAULT_TABLE_LIMITS,
      maxRows: MAX_ROSTER_ROWS,
      maxUnpackedBytes: this.config.IMPORT_MAX_UNPACKED_MB * 1024 * 1024,
    })) {
      if (!columns) {
        columns = mapHeaders(row, ROSTER_COLUMNS);
        continue;
      }
      const cell = (k: Column) => (columns!.has(k) ? (row.values[columns!.get(k)!] ?? '').trim() : '');
      const before = problems.length;
      const bad = (column: string, message: string) => {
        if (problems.length < MAX_PROBLEMS_LISTED) problems.push({ row: row.rowNumber, column, message });
      };
      const head = cell('head').replace(/\s/g, '');
      if (!head) bad('户主', 'the head of household is empty');
      else if (head.length > 50) bad('户主', 'longer than 50 characters');
      else if (head.startsWith('=')) bad('户主', 'a formula, not text: paste the values');
      const idText = normaliseIdNumber(cell('idNumber'));
      if (idText && !isIdNumber(idText)) bad('身份证号', 'not an ID number (18 digits, the last may be X)');
      const villageText = cell('village');
      let villageId: string | undefined;
      if (!villageText) bad('村', 'the village is empty');
      else {
        if (!villages.has(villageText)) villages.set(villageText, this.resolveVillage(villageText, index, campaign.unit_name));
        const v = villages.get(villageText)!;
        if (typeof v === 'string') villageId = v;
        else bad('村', v.problem);
      }
      const group = cell('group');
      if (group.length > 50) bad('组', 'longer than 50 characters');
      const personsText = cell('persons').replace(/人$/, '');
      const persons = Number(personsText);
      if (!personsText) bad('人数', 'the number of persons is empty');
      else if (!Number.isInteger(persons) || persons < 1 || persons > 99)
        bad('人数', `"${cell('persons')}" is not a number of persons (1 to 99)`);
      const attributeText = cell('attribute');
      const attribute = parseAttribute(attributeText);
      if (!attribute) bad('属性', `"${attributeText}" is not 建档立卡, 已脱贫 or 非建档立卡`);
      if (problems.length > before || !villageId || !attribute) continue;
      const idHash = idText ? hashIdNumber(idText, salt) : '';
      const key = `${villageId}|${head}|${idHash}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        bad('户主', `the same household as row ${earlier}${idText ? '' : ' (add 身份证号 to tell two heads of the same name apart)'}`);
        continue;
      }
      seen.set(key, row.rowNumber);
      entries.push({
        row: row.rowNumber,
        villageId,
        head,
        idHash,
        idMasked: idText ? maskIdNumber(idText) : null,
        group: group || null,
        persons,
        attribute,
      });
    }
    if (!columns) throw new ImportRejected([{ row: 1, column: '户主', message: 'the file has no header row' }]);
    if (problems.length) throw new ImportRejected(problems, `${problems.length} problem(s) in the roster; nothing was imported`);
    if (!entries.length) throw new ImportRejected([{ row: 2, column: '户主', message: 'the file has no households' }]);
    return entries;
  }

  private async write(m: EntityManager, campaignId: string, entries: RosterEntry[]): Promise<RosterImportResult> {
    const now = this.clock.now();
    let matched = 0;
    const problems: RowProblem[] = [];
    for (let start = 0; start < entries.length; start += CHUNK) {
      const slice = entries.slice(start, start + CHUNK);
      // Known households are matched (the no-op update makes RETURNING give their ids too).
      const rows = await m.query<Array<{ id: string; village_id: string; head_name: string; id_hash: string; known: boolean }>>(
        `INSERT INTO household (village_id, head_name, id_hash, id_masked, created_at)
         SELECT * , $5::timestamptz FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])
         ON CONFLICT (village_id, head_name, id_hash) DO UPDATE SET id_masked = coalesce(EXCLUDED.id_masked, household.id_masked)
         RETURNING id, village_id, head_name, id_hash, (xmax <> 0) AS known`,
        [slice.map((e) => e.villageId), slice.map((e) => e.head), slice.map((e) => e.idHash), slice.map((e) => e.idMasked), now],
      );
      const ids = new Map(rows.map((r) => [`${r.village_id}|${r.head_name}|${r.id_hash}`, r]));
      const householdIds = slice.map((e) => ids.get(`${e.villageId}|${e.head}|${e.idHash}`)!.id);
      matched += rows.filter((r) => r.known).length;
      const inserted = await m.query<Array<{ household_id: string }>>(
        `INSERT INTO campaign_household (campaign_id, household_id, village_id, group_name, persons, attribute, row_number)
         SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::int[], $6::text[], $7::int[])
         ON CONFLICT (campaign_id, household_id) DO NOTHING RETURNING household_id`,
        [
          campaignId,
          householdIds,
          slice.map((e) => e.villageId),
          slice.map((e) => e.group),
          slice.map((e) => e.persons),
          slice.map((e) => e.attribute),
          slice.map((e) => e.row),
        ],
      );
      if (inserted.length < slice.length) {
        const fresh = new Set(inserted.map((r) => r.household_id));
        slice.forEach((e, i) => {
          if (!fresh.has(householdIds[i]) && problems.length < MAX_PROBLEMS_LISTED)
            problems.push({ row: e.row, column: '户主', message: 'this household is already on the campaign’s roster' });
        });
      }
    }
    // Thrown inside the transaction: the households matched or added above are rolled back too.
    if (problems.length) throw new ImportRejected(problems, `${problems.length} household(s) already on the roster; nothing was imported`);
    return { created: entries.length, matched };
  }
}
