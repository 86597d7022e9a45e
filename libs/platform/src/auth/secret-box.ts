import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';

const VERSION = 'v1';

/**
 * Seals the secrets the service keeps for others (a DingTalk robot's 加签 key) with AES-256-GCM.
 * The key is derived (HKDF-SHA256) from SECRETS_KEY, or when that is unset from a key generated
 * at first use and kept in the database, shared by every process.
 */
@Injectable()
export class SecretBox {
  private key?: Buffer;

  constructor(
    private readonly config: AppConfig,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  private async keyBytes(): Promise<Buffer> {
    if (this.key) return this.key;
    let material = this.config.SECRETS_KEY;
    if (!material) {
      await this.db.query(`INSERT INTO platform_setting (key, value) VALUES ('secrets_key', $1) ON CONFLICT (key) DO NOTHING`, [
        randomBytes(32).toString('base64url'),
      ]);
      const [row] = await this.db.query<Array<{ value: string }>>(`SELECT value FROM platform_setting WHERE key = 'secrets_key'`);
      material = row.value;
    }
    return (this.key = Buffer.from(hkdfSync('sha256', material, 'rectification-tracker', 'sealed secrets v1', 32)));
  }

  async seal(plain: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await this.keyBytes(), iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
  }

  async open(sealed: string): Promise<string> {
    const [version, body] = sealed.split(':');
    if (version !== VERSION || !body) throw new Error('not a sealed secret');
    const bytes = Buffer.from(body, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', await this.keyBytes(), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  }
}
