import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An accountability record names each level of the tree whose leaders were told of the overdue
 * ticket (the unit above its own, then the level above that). Records written before name the
 * levels their overdue notices went to.
 */
export class AccountabilityLevels1795912000000 implements MigrationInterface {
  name = 'AccountabilityLevels1795912000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accountability_record ADD COLUMN levels_told jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await q.query(`
      UPDATE accountability_record a
         SET levels_told = coalesce((
               SELECT jsonb_agg(jsonb_build_object('unitId', u.id, 'unitName', u.name, 'kind', u.kind, 'at', n.created_at)
                                ORDER BY u.depth DESC, n.created_at)
                 FROM notification n JOIN org_unit u ON u.id = n.unit_id
                WHERE n.dedupe_key IN ('overdue:ticket:' || a.ticket_id || ':' || to_char(a.deadline, 'YYYY-MM-DD'),
                                       'overdue-up:ticket:' || a.ticket_id || ':' || to_char(a.deadline, 'YYYY-MM-DD'))), '[]'::jsonb)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accountability_record DROP COLUMN levels_told`);
  }
}
