import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { DEFAULT_TABLE_LIMITS, mapHeaders, readSheet } from '@app/platform';
import { ROSTER_COLUMNS } from '@app/campaigns';
import { startTestApp } from '../test/support/test-app';
import {
  benchDatabase,
  cliArgs,
  existingDatabase,
  ms,
  printTable,
  ratio,
  seedCounty,
  verdict,
  withClient,
  runMain,
} from './support/bench-kit';
import { personName } from './support/findings-content';

/*
 * A county's verification campaign at scale: a 40,000-household roster over 300 villages
 * imported through the real path (HTTP, multipart, parse, village matching, ID hashing,
 * set-based writes), then a draw of every village (20 households each, with cross-inspection)
 * and the campaign with its rates (GET /campaigns/:id). Each is set against the same SQL run
 * bare from a plain client: the roster parsed by the same reader and written by the same two
 * statements; the draw's roster read and pick insert; the rates' grouped tally and per-village
 * statement. `--rows N` for a smaller roster.
 */

const TOWNSHIPS = 20;
const VILLAGES = 15;
const ATTRS = ['建档立卡', '已脱贫', '非建档立卡', '已脱贫', '建档立卡'];

function rosterCsv(rows: number): Buffer {
  const lines = ['户主,身份证号,村,组,人数,属性'];
  for (let i = 0; i < rows; i++) {
    const t = (i % TOWNSHIPS) + 1;
    const v = (Math.floor(i / TOWNSHIPS) % VILLAGES) + 1;
    const id =
      i % 2
        ? `4209211960${String((i % 12) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}${String(i % 10000).padStart(4, '0')}`
        : '';
    lines.push(
      [
        `${personName(i)}${i}`,
        id,
        `基准${String(t).padStart(2, '0')}乡第${String(v).padStart(2, '0')}村`,
        `${(i % 6) + 1}组`,
        String((i % 6) + 1),
        ATTRS[i % ATTRS.length],
      ].join(','),
    );
  }
  return Buffer.from('\ufeff' + lines.join('\r\n') + '\r\n', 'utf8');
}

async function main(): Promise<void> {
  const args = cliArgs();
  const rows = Number(args.get('rows') ?? 40_000);
  const db = await benchDatabase();
  try {
    const t = await startTestApp({ database: existingDatabase(db.url), env: { IMPORT_MAX_MB: '50' } });
    try {
      await withClient(db.url, (c) => seedCounty(c, '基准', TOWNSHIPS, VILLAGES));
      const admin = await t.login('admin');
      const auth = { authorization: `Bearer ${admin}` };
      const [{ id: county }] = (await withClient(db.url, (c) => c.query(`SELECT id FROM org_unit WHERE name = '基准县'`))).rows as Array<{
        id: string;
      }>;
      const campaign = async (title: string) =>
        (
          await t
            .http()
            .post('/api/v1/campaigns')
            .set(auth)
            .send({ title, kind: 'identification', unitId: county, period: '2026-07', rules: { villages: 300, householdsPerVillage: 20 } })
        ).body.id as string;
      const file = rosterCsv(rows);

      const appCampaign = await campaign('基准县精准识别核查');
      let start = performance.now();
      const imported = await t
        .http()
        .post(`/api/v1/campaigns/${appCampaign}/households/import`)
        .set(auth)
        .attach('file', file, '花名册.csv');
      const importMs = performance.now() - start;
      if (imported.status !== 200 || imported.body.created !== rows)
        throw new Error(`import: ${imported.status} ${JSON.stringify(imported.body).slice(0, 300)}`);

      // The reference: the same reader, villages by name, then the same two statements (a fresh campaign, the households known).
      const refCampaign = await campaign('基准县参照');
      const refImportMs = await withClient(db.url, async (c: Client) => {
        const s = performance.now();
        const villages = new Map(
          (
            await c.query<{ id: string; name: string }>(`SELECT id, name FROM org_unit WHERE kind = 'village' AND name LIKE '基准%'`)
          ).rows.map((r) => [r.name, r.id]),
        );
        const parsed: Array<[string, string, string, string, number, string, number]> = [];
        let cols: Map<string, number> | undefined;
        for await (const row of readSheet(file, 'x.csv', { ...DEFAULT_TABLE_LIMITS, maxRows: 50_000 })) {
          if (!cols) {
            cols = mapHeaders(row, ROSTER_COLUMNS);
            continue;
          }
          const attr = { 建档立卡: 'registered', 已脱贫: 'exited', 非建档立卡: 'non_registered' }[row.values[5]] ?? 'registered';
          parsed.push([
            villages.get(row.values[2])!,
            row.values[0],
            row.values[1],
            row.values[3],
            Number(row.values[4]),
            attr,
            row.rowNumber,
          ]);
        }
        await c.query('BEGIN');
        for (let i = 0; i < parsed.length; i += 10_000) {
          const slice = parsed.slice(i, i + 10_000);
          const hh = await c.query<{ id: string }>(
            `INSERT INTO household (village_id, head_name, id_hash, id_masked, created_at)
             SELECT *, now() FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])
             ON CONFLICT (village_id, head_name, id_hash) DO UPDATE SET id_masked = coalesce(EXCLUDED.id_masked, household.id_masked)
             RETURNING id`,
            [slice.map((p) => p[0]), slice.map((p) => p[1]), slice.map((p) => `ref${p[2]}`), slice.map((p) => p[2] || null)],
          );
          await c.query(
            `INSERT INTO campaign_household (campaign_id, household_id, village_id, group_name, persons, attribute, row_number)
             SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::int[], $6::text[], $7::int[])`,
            [
              refCampaign,
              hh.rows.map((r) => r.id),
              slice.map((p) => p[0]),
              slice.map((p) => p[3]),
              slice.map((p) => p[4]),
              slice.map((p) => p[5]),
              slice.map((p) => p[6]),
            ],
          );
        }
        await c.query('COMMIT');
        return performance.now() - s;
      });

      start = performance.now();
      const drawn = await t.http().post(`/api/v1/campaigns/${appCampaign}/sample`).set(auth).send({ seed: 'bench' });
      const sampleMs = performance.now() - start;
      if (drawn.status !== 200) throw new Error(`sample: ${drawn.status} ${JSON.stringify(drawn.body).slice(0, 300)}`);
      const picked = (drawn.body.villages as Array<{ households: unknown[] }>).reduce((s, v) => s + v.households.length, 0);
      // Every drawn household checked, as the teams would report them.
      await withClient(db.url, (c) =>
        c.query(
          `INSERT INTO campaign_verdict (campaign_id, household_id, verdict, persons, checked_at)
           SELECT p.campaign_id, p.household_id, 'correct', ch.persons, now() FROM campaign_pick p
             JOIN campaign_household ch ON ch.campaign_id = p.campaign_id AND ch.household_id = p.household_id WHERE p.campaign_id = $1`,
          [appCampaign],
        ),
      );
      start = performance.now();
      const detail = await t.http().get(`/api/v1/campaigns/${appCampaign}`).set(auth);
      const ratesMs = performance.now() - start;
      if (detail.status !== 200 || detail.body.villages.length !== TOWNSHIPS * VILLAGES) throw new Error(`detail: ${detail.status}`);

      const { sampleRefMs, ratesRefMs } = await withClient(db.url, async (c) => {
        let s = performance.now();
        await c.query('BEGIN');
        const roster = await c.query<{ village_id: string; household_id: string }>(
          `SELECT village_id, household_id, attribute FROM campaign_household WHERE campaign_id = $1 ORDER BY village_id, household_id`,
          [refCampaign],
        );
        const [{ id: draw }] = (
          await c.query<{ id: string }>(
            `INSERT INTO campaign_draw (campaign_id, seq, month, seed, algorithm, created_at) VALUES ($1, 1, '2026-07', 'ref', 'ref', now()) RETURNING id`,
            [refCampaign],
          )
        ).rows;
        const per = new Map<string, string[]>();
        for (const r of roster.rows)
          if ((per.get(r.village_id) ?? []).length < 20) per.set(r.village_id, [...(per.get(r.village_id) ?? []), r.household_id]);
        const flat = [...per.entries()].flatMap(([v, hs]) => hs.map((h) => [v, h]));
        await c.query(
          `INSERT INTO campaign_pick (campaign_id, draw_id, household_id, village_id, position)
           SELECT $1, $2, h, v, n FROM unnest($3::uuid[], $4::uuid[]) WITH ORDINALITY AS x(h, v, n)`,
          [refCampaign, draw, flat.map((f) => f[1]), flat.map((f) => f[0])],
        );
        await c.query('COMMIT');
        const sampleRefMs = performance.now() - s;
        s = performance.now();
        await c.query(
          `SELECT ch.village_id, ch.attribute, cv.verdict, count(*)::int, sum(cv.persons)::int FROM campaign_verdict cv
             JOIN campaign_household ch ON ch.campaign_id = cv.campaign_id AND ch.household_id = cv.household_id
            WHERE cv.campaign_id = $1 GROUP BY 1, 2, 3`,
          [appCampaign],
        );
        await c.query(
          `SELECT v.id, v.name, count(*)::int, sum(ch.persons)::int, count(p.household_id)::int FROM campaign_household ch
             JOIN org_unit v ON v.id = ch.village_id
             LEFT JOIN campaign_pick p ON p.campaign_id = ch.campaign_id AND p.household_id = ch.household_id
            WHERE ch.campaign_id = $1 GROUP BY v.id, v.name ORDER BY v.name`,
          [appCampaign],
        );
        return { sampleRefMs, ratesRefMs: performance.now() - s };
      });

      printTable(
        `Verification campaign, ${rows} households in ${TOWNSHIPS * VILLAGES} villages`,
        ['case', 'app', 'same SQL bare', 'ratio'],
        [
          ['roster import (HTTP, parse, match, write)', ms(importMs), ms(refImportMs), ratio(importMs / refImportMs)],
          [`draw of ${picked} households + cross-inspection`, ms(sampleMs), ms(sampleRefMs), ratio(sampleMs / sampleRefMs)],
          ['campaign with rates per village (GET)', ms(ratesMs), ms(ratesRefMs), ratio(ratesMs / ratesRefMs)],
        ],
      );
      printTable(
        'Targets',
        ['target', 'measured', ''],
        [
          verdict(`import of ${rows} households < 10 s`, ms(importMs), importMs < 10_000),
          verdict('draw + rates for 300 villages < 1 s', ms(sampleMs + ratesMs), sampleMs + ratesMs < 1000),
        ],
      );
    } finally {
      await t.close({ keepDatabase: true });
    }
  } finally {
    await db.drop();
  }
}

runMain(main);
