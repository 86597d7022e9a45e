import { MigrationInterface, QueryRunner } from 'typeorm';

/** A DingTalk robot's 加签 secret, kept encrypted (AES-256-GCM); never returned by the API. */
export class WebhookSecret1795850000000 implements MigrationInterface {
  name = 'WebhookSecret1795850000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE unit_webhook ADD COLUMN secret_sealed text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE unit_webhook DROP COLUMN secret_sealed`);
  }
}
