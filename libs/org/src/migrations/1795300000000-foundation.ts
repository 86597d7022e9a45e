import { MigrationInterface, QueryRunner } from 'typeorm';

/** Settings the service keeps for itself, the org tree, users and their memberships. */
export class Foundation1795300000000 implements MigrationInterface {
  name = 'Foundation1795300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE platform_setting (
        key text PRIMARY KEY,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE org_unit (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
        kind text NOT NULL CHECK (kind IN ('province', 'county', 'township', 'village', 'office', 'inspection_group')),
        parent_id uuid REFERENCES org_unit (id) ON DELETE RESTRICT,
        path text NOT NULL UNIQUE,
        depth integer NOT NULL CHECK (depth >= 1),
        code text UNIQUE CHECK (code IS NULL OR length(btrim(code)) BETWEEN 1 AND 64),
        -- The time zone "the month" and "overdue" are computed in; inherited from the parent at creation.
        timezone text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((parent_id IS NULL) = (depth = 1)),
        CHECK (parent_id IS NOT NULL OR kind IN ('province', 'county'))
      )`);
    await q.query(`CREATE INDEX org_unit_path_prefix ON org_unit (path text_pattern_ops)`);
    await q.query(`CREATE INDEX org_unit_parent ON org_unit (parent_id)`);
    // Siblings have distinct names, so that a unit is found by name inside its parent.
    await q.query(`
      CREATE UNIQUE INDEX org_unit_sibling_name
        ON org_unit (coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), name)`);

    await q.query(`
      CREATE TABLE app_user (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL CHECK (username ~ '^[A-Za-z0-9_.@-]{2,64}$'),
        password_hash text NOT NULL,
        display_name text NOT NULL CHECK (length(btrim(display_name)) BETWEEN 1 AND 100),
        phone text,
        active boolean NOT NULL DEFAULT true,
        token_version integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX app_user_username ON app_user (lower(username))`);

    await q.query(`
      CREATE TABLE membership (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
        unit_id uuid REFERENCES org_unit (id) ON DELETE RESTRICT,
        role text NOT NULL CHECK (role IN ('admin', 'leader', 'member', 'inspector', 'viewer')),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (unit_id IS NOT NULL OR role = 'admin')
      )`);
    await q.query(`
      CREATE UNIQUE INDEX membership_user_unit
        ON membership (user_id, coalesce(unit_id, '00000000-0000-0000-0000-000000000000'::uuid))`);
    await q.query(`CREATE INDEX membership_unit ON membership (unit_id)`);

    // Units an inspection group inspects beyond the subtree it sits in.
    await q.query(`
      CREATE TABLE inspection_assignment (
        group_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE CASCADE,
        unit_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, unit_id),
        CHECK (group_id <> unit_id)
      )`);
    await q.query(`CREATE INDEX inspection_assignment_unit ON inspection_assignment (unit_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE inspection_assignment`);
    await q.query(`DROP TABLE membership`);
    await q.query(`DROP TABLE app_user`);
    await q.query(`DROP TABLE org_unit`);
    await q.query(`DROP TABLE platform_setting`);
  }
}
