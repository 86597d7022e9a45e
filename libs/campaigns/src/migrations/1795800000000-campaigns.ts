import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Verification campaigns (专项核查): the campaign (an inspection of source `verification`), the
 * households of the county's rosters kept across campaigns, each campaign's roster, the random
 * draws and their picks, cross-inspection assignments and the verdicts with the tickets they
 * opened.
 */
export class Campaigns1795800000000 implements MigrationInterface {
  name = 'Campaigns1795800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaign (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        inspection_id uuid NOT NULL UNIQUE REFERENCES inspection (id) ON DELETE RESTRICT,
        kind text NOT NULL CHECK (kind IN ('identification', 'exit', 'relocation', 'funds')),
        title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
        unit_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE RESTRICT,
        period_from text NOT NULL CHECK (period_from ~ '^\\d{4}-(0[1-9]|1[0-2])$'),
        period_to text NOT NULL CHECK (period_to ~ '^\\d{4}-(0[1-9]|1[0-2])$' AND period_to >= period_from),
        issued_by text NOT NULL CHECK (length(btrim(issued_by)) BETWEEN 1 AND 100),
        rules jsonb NOT NULL DEFAULT '{}',
        created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX campaign_unit ON campaign (unit_id, kind, period_from)`);

    // The key that salts the hash of ID numbers, made once per deployment.
    await q.query(`CREATE TABLE household_secret (id integer PRIMARY KEY CHECK (id = 1), salt text NOT NULL)`);

    // A household as the rosters name it, matched across campaigns by village, head and (when
    // given) the salted hash of the ID number; only the masked number is kept.
    await q.query(`
      CREATE TABLE household (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        village_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE RESTRICT,
        head_name text NOT NULL CHECK (length(head_name) BETWEEN 1 AND 50),
        id_hash text NOT NULL DEFAULT '',
        id_masked text,
        created_at timestamptz NOT NULL,
        UNIQUE (village_id, head_name, id_hash)
      )`);

    // A campaign's roster: the households it checks, with their 属性 and size as this roster gives them.
    await q.query(`
      CREATE TABLE campaign_household (
        campaign_id uuid NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
        household_id uuid NOT NULL REFERENCES household (id) ON DELETE RESTRICT,
        village_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE RESTRICT,
        group_name text,
        persons integer NOT NULL CHECK (persons BETWEEN 1 AND 99),
        attribute text NOT NULL CHECK (attribute IN ('registered', 'exited', 'non_registered')),
        row_number integer NOT NULL,
        PRIMARY KEY (campaign_id, household_id)
      )`);
    await q.query(`CREATE INDEX campaign_household_village ON campaign_household (campaign_id, village_id)`);
    await q.query(`CREATE INDEX campaign_household_household ON campaign_household (household_id)`);

    await q.query(`
      CREATE TABLE campaign_draw (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        campaign_id uuid NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        month text NOT NULL CHECK (month ~ '^\\d{4}-(0[1-9]|1[0-2])$'),
        seed text NOT NULL,
        algorithm text NOT NULL,
        created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL,
        UNIQUE (campaign_id, seq),
        UNIQUE (campaign_id, month)
      )`);
    // No household is drawn twice within a round (the campaign): the database refuses it.
    await q.query(`
      CREATE TABLE campaign_pick (
        campaign_id uuid NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
        draw_id uuid NOT NULL REFERENCES campaign_draw (id) ON DELETE CASCADE,
        household_id uuid NOT NULL REFERENCES household (id) ON DELETE RESTRICT,
        village_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE RESTRICT,
        position integer NOT NULL,
        PRIMARY KEY (campaign_id, household_id)
      )`);
    await q.query(`CREATE INDEX campaign_pick_draw ON campaign_pick (draw_id, position)`);

    // Cross-inspection (交叉互查): a sampled village checked by a team that is not its own, and
    // the same team never sent to the same village twice in a round.
    await q.query(`
      CREATE TABLE campaign_assignment (
        campaign_id uuid NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
        draw_id uuid NOT NULL REFERENCES campaign_draw (id) ON DELETE CASCADE,
        village_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE RESTRICT,
        team_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE RESTRICT,
        PRIMARY KEY (draw_id, village_id),
        UNIQUE (campaign_id, team_id, village_id),
        CHECK (team_id <> village_id)
      )`);
    await q.query(`CREATE INDEX campaign_assignment_team ON campaign_assignment (team_id)`);

    // One verdict per household and campaign; a wrong one names the ticket it opened.
    await q.query(`
      CREATE TABLE campaign_verdict (
        campaign_id uuid NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
        household_id uuid NOT NULL REFERENCES household (id) ON DELETE RESTRICT,
        verdict text NOT NULL CHECK (verdict IN ('correct', 'wrongly_included', 'wrongly_excluded', 'wrongly_exited', 'returned_to_poverty')),
        persons integer NOT NULL CHECK (persons BETWEEN 0 AND 99),
        note text CHECK (note IS NULL OR length(note) <= 2000),
        ticket_id uuid UNIQUE REFERENCES ticket (id) ON DELETE RESTRICT,
        checked_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        checked_at timestamptz NOT NULL,
        PRIMARY KEY (campaign_id, household_id),
        FOREIGN KEY (campaign_id, household_id) REFERENCES campaign_household (campaign_id, household_id) ON DELETE CASCADE,
        CHECK ((verdict = 'correct') = (ticket_id IS NULL))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'campaign_verdict',
      'campaign_assignment',
      'campaign_pick',
      'campaign_draw',
      'campaign_household',
      'household',
      'household_secret',
      'campaign',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
