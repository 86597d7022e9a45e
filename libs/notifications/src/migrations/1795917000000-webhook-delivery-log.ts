import { MigrationInterface, QueryRunner } from 'typeorm';

/** The delivery log of a unit's robot: when each delivery was last tried, newest first per unit. */
export class WebhookDeliveryLog1795917000000 implements MigrationInterface {
  name = 'WebhookDeliveryLog1795917000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_delivery ADD COLUMN last_attempt_at timestamptz`);
    await q.query(`CREATE INDEX webhook_delivery_by_unit ON webhook_delivery (unit_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX webhook_delivery_by_unit`);
    await q.query(`ALTER TABLE webhook_delivery DROP COLUMN last_attempt_at`);
  }
}
