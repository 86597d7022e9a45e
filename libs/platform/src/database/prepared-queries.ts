import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { INFRASTRUCTURE, Infrastructure } from '../infrastructure';

/**
 * The statements a busy service runs on every request (who is asking, the ticket list) as named
 * prepared statements: each pooled connection parses and plans one once, and PostgreSQL keeps a
 * generic plan when it is as good as a fresh one, instead of planning every request (about 1 ms
 * of a 3 ms list query). The name is a hash of the text, so one text is one statement.
 *
 * The embedded database serves every connection from one backend, where names would collide
 * between connections; there the statements run unnamed.
 */
@Injectable()
export class PreparedQueries {
  private readonly names = new Map<string, string>();
  private readonly pool?: Pool;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(INFRASTRUCTURE) infrastructure: Infrastructure,
  ) {
    // TypeORM's PostgreSQL driver keeps its pg Pool as `master`.
    if (!infrastructure.embeddedDatabase) this.pool = (db.driver as unknown as { master: Pool }).master;
  }

  /** The statement's name for a text (also what a benchmark's bare endpoint uses to run it alike). */
  nameOf(sql: string): string {
    let name = this.names.get(sql);
    if (!name) {
      name = `rt_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
      if (this.names.size < 10_000) this.names.set(sql, name);
    }
    return name;
  }

  async query<T>(sql: string, params: unknown[]): Promise<T[]> {
    if (!this.pool) return this.db.query<T[]>(sql, params);
    const result = await this.pool.query({ name: this.nameOf(sql), text: sql, values: params });
    return result.rows as T[];
  }
}
