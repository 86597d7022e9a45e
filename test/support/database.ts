import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { EmbeddedPostgres } from '../../libs/platform/src/database/embedded-postgres';

export interface TestDatabase {
  url: string;
  embedded: boolean;
  drop(): Promise<void>;
}

const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

let serverChoice: Promise<string | undefined> | undefined;

/** The PostgreSQL server the tests use: DATABASE_URL, else 127.0.0.1:5432 if it answers. */
export function realServer(): Promise<string | undefined> {
  serverChoice ??= (async () => {
    const configured = process.env.DATABASE_URL;
    if (configured) return configured;
    return (await answers(DEFAULT_SERVER)) ? DEFAULT_SERVER : undefined;
  })();
  return serverChoice;
}

/**
 * A database of its own for one test file: a fresh database on the real server when one
 * answers, otherwise an in-memory embedded PostgreSQL.
 */
export async function createTestDatabase(options: { forceEmbedded?: boolean } = {}): Promise<TestDatabase> {
  const server = options.forceEmbedded ? undefined : await realServer();
  if (!server) {
    const embedded = new EmbeddedPostgres('memory');
    const url = await embedded.start();
    return { url, embedded: true, drop: () => embedded.stop() };
  }
  const name = `rt_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    embedded: false,
    drop: async () => {
      const c = new Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
