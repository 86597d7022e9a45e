import { MigrationInterface, QueryRunner } from 'typeorm';

/** The group role whose rights the service's login role takes (README: "Two database roles"). */
export const SERVICE_ROLE = 'rectification_service';

/**
 * What the service may do to the schema, as a group role: read and write rows, nothing else.
 * Without TRUNCATE and without owning the tables, a service connected as a member of this role
 * cannot wipe the history, alter a table or switch off the triggers that keep ticket history and
 * issued documents append-only. Tables that later migrations create get the same rights.
 *
 * The role is created when the migrating user may create roles; otherwise a notice says so and
 * the administrator creates it (the README gives the statements). On the embedded database and
 * on a single-role setup nothing changes: the owner keeps every right.
 */
export class ServiceRole1795900000001 implements MigrationInterface {
  name = 'ServiceRole1795900000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${SERVICE_ROLE}') THEN
          IF (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
            BEGIN
              CREATE ROLE ${SERVICE_ROLE} NOLOGIN;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
              NULL; -- another database of the same server created it a moment ago
            END;
          ELSE
            RAISE NOTICE 'role ${SERVICE_ROLE} does not exist and % may not create it: create it as the README says', current_user;
            RETURN;
          END IF;
        END IF;
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${SERVICE_ROLE}', current_schema());
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO ${SERVICE_ROLE}', current_schema());
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO ${SERVICE_ROLE}', current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${SERVICE_ROLE}', current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO ${SERVICE_ROLE}', current_schema());
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${SERVICE_ROLE}') THEN
          EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON TABLES FROM ${SERVICE_ROLE}', current_schema());
          EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON SEQUENCES FROM ${SERVICE_ROLE}', current_schema());
          EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM ${SERVICE_ROLE}', current_schema());
          EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM ${SERVICE_ROLE}', current_schema());
          EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM ${SERVICE_ROLE}', current_schema());
        END IF;
      END $$`);
  }
}
