import { Client, Connection } from 'pg';
import { EmbeddedPostgres } from './embedded-postgres';

/** The wire-protocol messages of pg's connection, sent one by one. */
interface RawConnection {
  connect(port: number, host: string): void;
  startup(config: { user: string; database: string }): void;
  parse(query: { text: string; types: number[] }): void;
  bind(config: { values: string[] }): void;
  execute(config: object): void;
  sync(): void;
  end(): void;
  on(event: string, listener: (message: never) => void): void;
  once(event: string, listener: () => void): void;
}

describe('the embedded database served to several connections', () => {
  const db = new EmbeddedPostgres('memory');
  let url: string;
  beforeAll(async () => {
    url = await db.start();
  });
  afterAll(() => db.stop());

  it('answers parameterised queries sent at once from many connections, each with its own values', async () => {
    const clients = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const c = new Client({ connectionString: url });
        await c.connect();
        return c;
      }),
    );
    try {
      const answers = await Promise.all(
        clients.flatMap((c, k) =>
          Array.from({ length: 25 }, async (_, i) => {
            // Statements of different shapes, so that a value bound to another connection's statement fails.
            if ((k + i) % 2) return (await c.query<{ n: number }>('SELECT $1::int + $2::int AS n', [k, i])).rows[0].n === k + i;
            const row = (await c.query<{ t: string }>('SELECT $1::text || $2::text || $3::text AS t', [k, '-', i])).rows[0];
            return row.t === `${k}-${i}`;
          }),
        ),
      );
      expect(answers).toHaveLength(150);
      expect(answers.every(Boolean)).toBe(true);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it("keeps one connection's Parse, Bind and Execute together while another connection queries", async () => {
    const { hostname, port } = new URL(url);
    const raw = new Connection() as unknown as RawConnection;
    const events: string[] = [];
    const ready = () => new Promise<void>((resolve) => raw.once('readyForQuery', () => resolve()));
    raw.on('dataRow', (m: { fields: Array<Buffer | string> }) => events.push(`row ${String(m.fields[0])}`));
    raw.on('errorMessage', (m: Error) => events.push(`error ${m.message}`));
    raw.connect(Number(port), hostname);
    await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
    const first = ready();
    raw.startup({ user: 'postgres', database: 'postgres' });
    await first;
    const other = new Client({ connectionString: url });
    await other.connect();
    try {
      // The raw connection parses its statement and pauses before binding it, as a busy client's
      // messages arrive apart; the other connection's whole query comes in between.
      raw.parse({ text: 'SELECT $1::int * 2 AS doubled', types: [] });
      await new Promise((r) => setTimeout(r, 50));
      const theirs = other.query<{ b: string }>('SELECT $1::text || $2::text AS b', ['x', 'y']);
      await new Promise((r) => setTimeout(r, 50));
      const done = ready();
      raw.bind({ values: ['21'] });
      raw.execute({});
      raw.sync();
      await done;
      expect(events).toEqual(['row 42']);
      expect((await theirs).rows).toEqual([{ b: 'xy' }]);
    } finally {
      await other.end();
      raw.end();
    }
  });

  it('finds the job queue schema after public, and creates unqualified tables in public', async () => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      await c.query('CREATE SCHEMA IF NOT EXISTS bullmq');
      await c.query('CREATE TABLE bullmq.queue_probe (x int)');
      await c.query('CREATE TABLE app_probe (x int)');
      expect((await c.query('SELECT count(*)::int AS n FROM queue_probe')).rows[0].n).toBe(0);
      expect((await c.query(`SELECT table_schema FROM information_schema.tables WHERE table_name = 'app_probe'`)).rows).toEqual([
        { table_schema: 'public' },
      ]);
    } finally {
      await c.end();
    }
  });
});
