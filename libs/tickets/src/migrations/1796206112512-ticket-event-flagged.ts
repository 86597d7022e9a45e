import { MigrationInterface, QueryRunner } from 'typeorm';

/** A ticket's history records when it is found to be a repeat (屡查屡犯) or a problem its self-check missed (自查不实). */
export class TicketEventFlagged1796206112512 implements MigrationInterface {
  name = 'TicketEventFlagged1796206112512';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket_event DROP CONSTRAINT ticket_event_kind_check`);
    await q.query(`
      ALTER TABLE ticket_event ADD CONSTRAINT ticket_event_kind_check
        CHECK (kind IN ('created', 'transition', 'deadline_changed', 'evidence_added', 'auto_transition', 'updated', 'flagged'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket_event DROP CONSTRAINT ticket_event_kind_check`);
    await q.query(`
      ALTER TABLE ticket_event ADD CONSTRAINT ticket_event_kind_check
        CHECK (kind IN ('created', 'transition', 'deadline_changed', 'evidence_added', 'auto_transition', 'updated')) NOT VALID`);
  }
}
