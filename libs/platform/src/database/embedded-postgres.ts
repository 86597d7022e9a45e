import { Logger } from '@nestjs/common';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QUEUE_SCHEMA } from '../queue/queue-schema';
import { keepExtendedQueriesTogether } from './pglite-query-queue';

type PGliteInstance = { close(): Promise<void>; exec(sql: string): Promise<unknown>; closed?: boolean };
type SocketServer = { start(): Promise<void>; stop(): Promise<void>; getServerConn(): string };

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PostgreSQL compiled to WebAssembly (PGlite), served on a loopback port so that TypeORM and
 * every other client use their ordinary `pg` driver. The same migrations run on it as on a real
 * server. One process at a time may own a data directory; a lock file says which.
 */
export class EmbeddedPostgres {
  private readonly logger = new Logger('EmbeddedPostgres');
  private db?: PGliteInstance;
  private server?: SocketServer;
  private lockFile?: string;
  url?: string;

  /** `dataDir` is a directory, or `memory` for a database that lives only as long as the process. */
  constructor(private readonly dataDir: string) {}

  async start(): Promise<string> {
    const { PGlite } = await import('@electric-sql/pglite');
    const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    let dir: string | undefined;
    if (this.dataDir !== 'memory') {
      mkdirSync(this.dataDir, { recursive: true });
      this.acquireLock(this.dataDir);
      dir = join(this.dataDir, 'pgdata');
    }
    this.db = await PGlite.create({ dataDir: dir, extensions: { pg_trgm } });
    // PGlite is one session shared by every connection, and it ignores the search_path a client
    // asks for at connect. BullMQ's PostgreSQL backend names its tables and functions without
    // their schema, so its schema is on the path after public: the application's objects and
    // its migrations still go to public, and the queue's are found in their own schema.
    await this.db.exec(`SET search_path TO "$user", public, "${QUEUE_SCHEMA}"`);
    this.server = new PGLiteSocketServer({
      db: this.db as never,
      host: '127.0.0.1',
      port: 0,
      maxConnections: 200,
    });
    keepExtendedQueriesTogether(this.server);
    await this.server.start();
    const conn = this.server.getServerConn();
    this.url = `postgres://postgres@${conn}/postgres`;
    this.logger.log(`embedded PostgreSQL (PGlite) ${dir ? `with data in ${dir}` : 'in memory'}, serving on ${conn}`);
    return this.url;
  }

  async stop(): Promise<void> {
    await this.server?.stop().catch(() => undefined);
    if (this.db && !this.db.closed) await this.db.close().catch(() => undefined);
    this.server = undefined;
    this.db = undefined;
    if (this.lockFile) rmSync(this.lockFile, { force: true });
    this.lockFile = undefined;
  }

  private acquireLock(dir: string): void {
    const file = join(dir, 'embedded-postgres.pid');
    if (existsSync(file)) {
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && processAlive(pid)) {
        throw new Error(
          `The embedded database in ${dir} is in use by process ${pid}. Only one process can use it: ` +
            'to run the api and the worker as separate processes, set DATABASE_URL to a PostgreSQL server.',
        );
      }
      rmSync(file, { force: true });
    }
    const fd = openSync(file, 'wx');
    closeSync(fd);
    writeFileSync(file, String(process.pid));
    this.lockFile = file;
  }
}
