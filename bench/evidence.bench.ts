import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Units } from '@app/org';
import { countyIdOf, findNearDuplicates, nearDuplicateValues, OtherTicket, toSigned64 } from '@app/tickets';
import { startTestApp } from '../test/support/test-app';
import { benchDatabase, cliArgs, ms, percentile, printTable, ratio, verdict, runMain } from './support/bench-kit';
import { generateTickets } from './support/generate-tickets';
import { copyFrom, copyLine } from './support/pg-copy';
import { flipBits, splitmix64 } from '../test/support/random-hashes';

/*
 * Near-duplicate lookup of an uploaded photo among 1,000,000 photos of one county: the service's
 * own statement (findNearDuplicates, four 16-bit bands of the dHash indexed with the county)
 * against a linear scan of the same rows (bit_count of the XOR over every photo of the county),
 * the two taken in turn for each query. Half the queries have a stored photo 1..distance bits
 * away. Prints p50/p95 of each, the ratio, and whether both found the same tickets.
 *
 *   npm run bench -- evidence [--photos 1000000] [--queries 300] [--distance 6]
 */

async function main(): Promise<void> {
  const args = cliArgs();
  const photos = Number(args.get('photos') ?? 1_000_000);
  const queries = Number(args.get('queries') ?? 300);
  const distance = Number(args.get('distance') ?? 6);
  const db = await benchDatabase();
  const app = await startTestApp({ database: db });
  try {
    const source = app.app.get(DataSource);
    let started = Date.now();
    await generateTickets(source);
    const county = (await Units.firstNamed(source, '白河县'))!;
    const tickets = (
      await source.query<Array<{ id: string }>>(`SELECT id FROM ticket WHERE unit_path LIKE $1 || '%' ORDER BY id`, [county.path])
    ).map((r) => r.id);
    const countyId = countyIdOf(county.path);
    // Photos of 20,000 scenes, each photo 10–20 bits off its scene: alike, not near-identical.
    const next = splitmix64(2026n);
    const scenes = Array.from({ length: 20_000 }, () => next());
    const hashes: bigint[] = [];
    const client = new Client({ connectionString: db.url });
    await client.connect();
    const indexes = await client.query<{ indexdef: string; indexname: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('ticket_evidence', 'evidence_file') AND indexname NOT LIKE '%pkey'`,
    );
    for (const i of indexes.rows) await client.query(`DROP INDEX ${i.indexname}`);
    const at = '2026-06-01T00:00:00Z';
    for (let from = 0; from < photos; from += 100_000) {
      const files: string[] = [];
      const links: string[] = [];
      for (let i = from; i < Math.min(photos, from + 100_000); i++) {
        const h = flipBits(scenes[Number(next() % 20_000n)], 10 + Number(next() % 11n), next);
        hashes.push(h);
        const sha = i.toString(16).padStart(64, '0');
        files.push(copyLine([sha, 100_000, 'image/jpeg', at, toSigned64(h).toString()]));
        links.push(copyLine([tickets[i % tickets.length], sha, `照片${i}.jpg`, at, countyId, ...nearDuplicateValues(h)]));
      }
      await copyFrom(client, `COPY evidence_file (sha256, size, media_type, created_at, phash) FROM STDIN`, files);
      await copyFrom(
        client,
        `COPY ticket_evidence (ticket_id, sha256, filename, uploaded_at, county_id, phash, phash_q0, phash_q1, phash_q2, phash_q3) FROM STDIN`,
        links,
      );
    }
    for (const i of indexes.rows) await client.query(i.indexdef);
    await client.query(`ANALYZE evidence_file; ANALYZE ticket_evidence`);
    await client.end();
    console.log(`${photos} photos on ${tickets.length} tickets of 白河县 loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const linear = `
      SELECT t.id, t.code, u.name AS "unitName"
        FROM (SELECT DISTINCT e.ticket_id FROM ticket_evidence e
               WHERE e.county_id = $1::uuid AND e.phash IS NOT NULL AND bit_count((e.phash # $2::bigint)::bit(64)) <= $3::int) m
        JOIN ticket t ON t.id = m.ticket_id JOIN org_unit u ON u.id = t.unit_id
       ORDER BY t.code LIMIT 20`;
    const lat = { indexed: [] as number[], linear: [] as number[] };
    let same = 0;
    let withNeighbour = 0;
    let found = 0;
    started = Date.now();
    for (let i = 0; i < queries; i++) {
      const planted = i % 2 === 0;
      const hash = planted ? flipBits(hashes[Number(next() % BigInt(hashes.length))], 1 + (i % distance), next) : next();
      const t0 = performance.now();
      const a: OtherTicket[] = await findNearDuplicates(source, { hash, countyId, distance });
      const t1 = performance.now();
      const b = await source.query<OtherTicket[]>(linear, [countyId, toSigned64(hash).toString(), distance]);
      const t2 = performance.now();
      lat.indexed.push(t1 - t0);
      lat.linear.push(t2 - t1);
      if (JSON.stringify(a) === JSON.stringify(b)) same++;
      if (planted) {
        withNeighbour++;
        if (a.length) found++;
      }
    }
    const s = { indexed: lat.indexed.sort((x, y) => x - y), linear: lat.linear.sort((x, y) => x - y) };
    printTable(
      `Near-duplicate lookup among ${photos} photos of one county, distance ${distance}, ${queries} queries`,
      ['lookup', 'p50', 'p95'],
      [
        ['the service (4 × 16-bit bands)', ms(percentile(s.indexed, 50)), ms(percentile(s.indexed, 95))],
        ['linear scan (bit_count)', ms(percentile(s.linear, 50)), ms(percentile(s.linear, 95))],
        ['linear / service (p50)', ratio(percentile(s.linear, 50) / percentile(s.indexed, 50)), ''],
      ],
    );
    console.log(`same tickets found by both: ${same} of ${queries}; queries with a planted neighbour found: ${found} of ${withNeighbour}`);
    printTable(
      'Targets',
      ['target', 'measured', ''],
      [
        verdict('under 50 ms per upload (p95)', ms(percentile(s.indexed, 95)), percentile(s.indexed, 95) < 50),
        verdict('the same result as the linear scan', `${same} of ${queries}`, same === queries),
      ],
    );
  } finally {
    await app.close({ keepDatabase: true });
    await db.drop();
  }
}

runMain(main);
