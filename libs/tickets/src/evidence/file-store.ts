import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/platform';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, ReadStream } from 'node:fs';
import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Files kept by their sha256 under DATA_DIR/evidence (ab/cd/abcd…): identical files are stored
 * once, and no uploaded name ever reaches the file system.
 */
@Injectable()
export class FileStore {
  private readonly root: string;

  constructor(config: AppConfig) {
    this.root = join(config.dataDir, 'evidence');
  }

  static sha256(data: Buffer): string {
    return createHash('sha256').update(data).digest('hex');
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a sha256');
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /** Writes the file unless the same content is stored already; atomic (temp file, rename). */
  async put(data: Buffer): Promise<string> {
    const sha = FileStore.sha256(data);
    const target = this.pathOf(sha);
    const exists = await stat(target).then(
      (s) => s.size === data.length,
      () => false,
    );
    if (exists) return sha;
    await mkdir(join(this.root, sha.slice(0, 2), sha.slice(2, 4)), { recursive: true });
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, data, { flag: 'wx' });
      await rename(tmp, target);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    return sha;
  }

  open(sha256: string): ReadStream {
    return createReadStream(this.pathOf(sha256));
  }
}
