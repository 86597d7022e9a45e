import { MigrationInterface, QueryRunner } from 'typeorm';

/** Monthly rankings of teams, written by the report step; the year-end roll-up reads them. */
export class Assessment1795400000001 implements MigrationInterface {
  name = 'Assessment1795400000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ranking (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        township_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE CASCADE,
        period text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        unit_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE CASCADE,
        score numeric(6, 2) NOT NULL CHECK (score BETWEEN 0 AND 1000),
        rank integer NOT NULL CHECK (rank >= 1),
        breakdown jsonb NOT NULL,
        metrics jsonb NOT NULL,
        run_id uuid NOT NULL REFERENCES cycle_run (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        CONSTRAINT ranking_once UNIQUE (township_id, period, unit_id),
        CONSTRAINT ranking_rank_once UNIQUE (township_id, period, rank)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ranking`);
  }
}
