import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a ticket has been found to be, besides its state: `repeat` (屡查屡犯, `ref_ids` the
 * closed tickets of the same unit it repeats) and `self_check_missed` (自查不实, raised by
 * supervision or patrol in a month whose self-check of the team did not list it; `period` that
 * month). One row per ticket and flag.
 */
export class TicketFlags1795930000003 implements MigrationInterface {
  name = 'TicketFlags1795930000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ticket_flag (
        ticket_id uuid NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
        flag text NOT NULL CHECK (flag IN ('repeat', 'self_check_missed')),
        ref_ids uuid[] NOT NULL DEFAULT '{}',
        period text,
        at timestamptz NOT NULL,
        PRIMARY KEY (ticket_id, flag)
      )`);
    await q.query(`CREATE INDEX ticket_flag_period ON ticket_flag (flag, period)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ticket_flag`);
  }
}
