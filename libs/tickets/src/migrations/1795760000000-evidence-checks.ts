import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evidence checks (防纸面销号). A photo keeps its difference hash (64-bit dHash) and the EXIF
 * read from it. The hash is also split into eight 8-bit bands, each indexed: two hashes within
 * Hamming distance 7 agree on at least one band, so near-duplicates are found through the
 * indexes and only those candidates are compared bit by bit. A ticket's link to a file keeps the
 * warnings raised when it was uploaded.
 */
export class EvidenceChecks1795760000000 implements MigrationInterface {
  name = 'EvidenceChecks1795760000000';

  async up(q: QueryRunner): Promise<void> {
    const bands = [0, 1, 2, 3, 4, 5, 6, 7];
    await q.query(`
      ALTER TABLE evidence_file
        ADD COLUMN phash bigint,
        ${bands.map((b) => `ADD COLUMN phash_b${b} smallint CHECK (phash_b${b} BETWEEN 0 AND 255)`).join(',\n        ')},
        ADD COLUMN taken_at timestamptz,
        ADD COLUMN lat double precision CHECK (lat BETWEEN -90 AND 90),
        ADD COLUMN lon double precision CHECK (lon BETWEEN -180 AND 180),
        ADD COLUMN device text`);
    for (const b of bands) {
      await q.query(`CREATE INDEX evidence_file_phash_b${b} ON evidence_file (phash_b${b}) WHERE phash IS NOT NULL`);
    }
    await q.query(`ALTER TABLE ticket_evidence ADD COLUMN warnings jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await q.query(`CREATE INDEX ticket_evidence_sha256 ON ticket_evidence (sha256)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ticket_evidence_sha256`);
    await q.query(`ALTER TABLE ticket_evidence DROP COLUMN warnings`);
    await q.query(`
      ALTER TABLE evidence_file
        DROP COLUMN phash, ${[0, 1, 2, 3, 4, 5, 6, 7].map((b) => `DROP COLUMN phash_b${b}`).join(', ')},
        DROP COLUMN taken_at, DROP COLUMN lat, DROP COLUMN lon, DROP COLUMN device`);
  }
}
