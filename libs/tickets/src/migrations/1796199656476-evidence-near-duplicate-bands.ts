import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The near-duplicate index moves from the file to the ticket's link to it, bounded by county, and
 * from eight 8-bit bands to four 16-bit ones. Each link of a photo keeps the photo's difference
 * hash, its four 16-bit bands and the county of the ticket (the unit of the path's second level,
 * or its first for a root county); each band is indexed after the county, so a lookup reads only
 * its own county's photos. With a million photos an 8-bit band value matched about 3,900 rows a
 * band (31,000 candidates); a 16-bit one matches about 15, and the lookup asks for the value and
 * its one-bit neighbours (pigeonhole: within 7 bits, some band is within 1).
 */
export class EvidenceNearDuplicateBands1796199656476 implements MigrationInterface {
  name = 'EvidenceNearDuplicateBands1796199656476';

  async up(q: QueryRunner): Promise<void> {
    const bands = [0, 1, 2, 3];
    await q.query(`
      ALTER TABLE ticket_evidence
        ADD COLUMN county_id uuid,
        ADD COLUMN phash bigint,
        ${bands.map((b) => `ADD COLUMN phash_q${b} integer CHECK (phash_q${b} BETWEEN 0 AND 65535)`).join(',\n        ')}`);
    await q.query(`
      UPDATE ticket_evidence e
         SET county_id = coalesce(nullif(split_part(t.unit_path, '/', 3), ''), split_part(t.unit_path, '/', 2))::uuid,
             phash = f.phash,
             ${bands.map((b) => `phash_q${b} = ((f.phash >> ${(3 - b) * 16}) & 65535)::int`).join(',\n             ')}
        FROM ticket t, evidence_file f
       WHERE t.id = e.ticket_id AND f.sha256 = e.sha256 AND f.phash IS NOT NULL`);
    for (const b of bands) {
      await q.query(`CREATE INDEX ticket_evidence_phash_q${b} ON ticket_evidence (county_id, phash_q${b}) WHERE phash IS NOT NULL`);
    }
    await q.query(`ALTER TABLE evidence_file ${[0, 1, 2, 3, 4, 5, 6, 7].map((b) => `DROP COLUMN phash_b${b}`).join(', ')}`);
  }

  async down(q: QueryRunner): Promise<void> {
    const old = [0, 1, 2, 3, 4, 5, 6, 7];
    await q.query(`
      ALTER TABLE evidence_file
        ${old.map((b) => `ADD COLUMN phash_b${b} smallint CHECK (phash_b${b} BETWEEN 0 AND 255)`).join(',\n        ')}`);
    await q.query(`
      UPDATE evidence_file SET ${old.map((b) => `phash_b${b} = ((phash >> ${(7 - b) * 8}) & 255)::smallint`).join(', ')}
       WHERE phash IS NOT NULL`);
    for (const b of old) {
      await q.query(`CREATE INDEX evidence_file_phash_b${b} ON evidence_file (phash_b${b}) WHERE phash IS NOT NULL`);
    }
    await q.query(
      `ALTER TABLE ticket_evidence DROP COLUMN county_id, DROP COLUMN phash, ${[0, 1, 2, 3].map((b) => `DROP COLUMN phash_q${b}`).join(', ')}`,
    );
  }
}
