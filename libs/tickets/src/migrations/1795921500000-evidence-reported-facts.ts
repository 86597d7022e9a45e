import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the uploading phone reported beside a photo (`{ takenAt?, lat?, lon? }`, read from the
 * original before it was compressed), kept with the upload apart from the file's own EXIF: it
 * stands in for the file's time or place only where the file has none, and is shown as the phone's.
 */
export class EvidenceReportedFacts1795921500000 implements MigrationInterface {
  name = 'EvidenceReportedFacts1795921500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket_evidence ADD COLUMN reported jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket_evidence DROP COLUMN reported`);
  }
}
