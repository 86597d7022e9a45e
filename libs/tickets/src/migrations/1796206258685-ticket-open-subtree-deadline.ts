import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The open tickets of a subtree by deadline, carrying what an overdue count or list reads (the
 * unit's zone, the state, the sort keys and the id): a subtree's overdue tickets are one range
 * of this index, answered from it alone, without visiting the tickets. Paths compare bytewise.
 */
export class TicketOpenSubtreeDeadline1796206258685 implements MigrationInterface {
  name = 'TicketOpenSubtreeDeadline1796206258685';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX ticket_open_subtree_deadline ON ticket ((unit_path COLLATE "C"), deadline)
        INCLUDE (unit_tz, status, created_at, code, id)
        WHERE status IN ('open', 'in_progress', 'pending_review')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ticket_open_subtree_deadline`);
  }
}
