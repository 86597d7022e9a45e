import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who started a ticket's work and who submitted its close-out, kept on the ticket so that four
 * eyes are decided from the ticket's own row (filled for existing tickets from their history);
 * and the extension request (延期申请) that waits for a leader's or an inspector's decision.
 */
export class TicketFourEyesExtensions1795650000000 implements MigrationInterface {
  name = 'TicketFourEyesExtensions1795650000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ticket
        ADD COLUMN started_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        ADD COLUMN submitted_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        ADD COLUMN extension_deadline date,
        ADD COLUMN extension_reason text,
        ADD COLUMN extension_requested_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        ADD COLUMN extension_requested_at timestamptz,
        ADD CONSTRAINT ticket_extension_whole
          CHECK ((extension_deadline IS NULL) = (extension_requested_at IS NULL) AND (extension_deadline IS NULL) = (extension_reason IS NULL))`);
    await q.query(`
      UPDATE ticket t SET
        started_by = (SELECT e.actor_id FROM ticket_event e WHERE e.ticket_id = t.id AND e.action = 'start' ORDER BY e.id LIMIT 1),
        submitted_by = (SELECT e.actor_id FROM ticket_event e WHERE e.ticket_id = t.id AND e.action = 'submit' ORDER BY e.id DESC LIMIT 1)
       WHERE t.status <> 'open'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ticket DROP CONSTRAINT ticket_extension_whole,
        DROP COLUMN extension_requested_at, DROP COLUMN extension_requested_by, DROP COLUMN extension_reason,
        DROP COLUMN extension_deadline, DROP COLUMN submitted_by, DROP COLUMN started_by`);
  }
}
