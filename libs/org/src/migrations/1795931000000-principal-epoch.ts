import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One counter that moves whenever anything a signed-in user's principal is made of changes: a
 * user's name, state or token version, a membership, a unit's place in the tree, an inspection
 * group's assignment. Each process keeps the principals it has loaded with the counter they were
 * loaded at and asks only for the counter on each request, so a change (a user disabled, a
 * password changed, a membership removed) takes effect on every process at its next request.
 */
export class PrincipalEpoch1795931000000 implements MigrationInterface {
  name = 'PrincipalEpoch1795931000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE principal_epoch (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        epoch bigint NOT NULL
      )`);
    await q.query(`INSERT INTO principal_epoch (epoch) VALUES (1)`);
    await q.query(`
      CREATE FUNCTION principal_epoch_advance() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE principal_epoch SET epoch = epoch + 1;
        RETURN NULL;
      END $$`);
    const on: Array<[string, string]> = [
      ['app_user', 'INSERT OR DELETE OR TRUNCATE OR UPDATE OF username, display_name, active, token_version'],
      ['membership', 'INSERT OR UPDATE OR DELETE OR TRUNCATE'],
      ['org_unit', 'DELETE OR TRUNCATE OR UPDATE OF path, parent_id, kind'],
      ['inspection_assignment', 'INSERT OR UPDATE OR DELETE OR TRUNCATE'],
    ];
    for (const [table, events] of on) {
      await q.query(`CREATE TRIGGER ${table}_principal_epoch AFTER ${events} ON ${table}
                       FOR EACH STATEMENT EXECUTE FUNCTION principal_epoch_advance()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['app_user', 'membership', 'org_unit', 'inspection_assignment']) {
      await q.query(`DROP TRIGGER ${table}_principal_epoch ON ${table}`);
    }
    await q.query(`DROP FUNCTION principal_epoch_advance`);
    await q.query(`DROP TABLE principal_epoch`);
  }
}
