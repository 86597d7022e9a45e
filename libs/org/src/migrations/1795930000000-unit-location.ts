import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A unit's location (the village committee's or the township government's seat), optional: what
 * the GPS of evidence photos is compared with. Both coordinates or neither.
 */
export class UnitLocation1795930000000 implements MigrationInterface {
  name = 'UnitLocation1795930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE org_unit
        ADD COLUMN lat double precision CHECK (lat BETWEEN -90 AND 90),
        ADD COLUMN lon double precision CHECK (lon BETWEEN -180 AND 180),
        ADD CONSTRAINT org_unit_location_pair CHECK ((lat IS NULL) = (lon IS NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE org_unit DROP CONSTRAINT org_unit_location_pair, DROP COLUMN lat, DROP COLUMN lon`);
  }
}
