import { Client } from 'pg';

/** The part of pg's connection a COPY needs (the calls `pg-copy-streams` makes, which is not installed here). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/**
 * `COPY … FROM STDIN` through pg's submittable-query interface: pg hands the connection to
 * `submit`, then calls the handlers as the server answers.
 */
class CopyIn {
  private error: Error | undefined;
  private rows = 0;

  constructor(
    private readonly text: string,
    private readonly chunks: readonly Buffer[],
    private readonly done: (error: Error | undefined, rows: number) => void,
  ) {}

  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    for (const chunk of this.chunks) connection.sendCopyFromChunk(chunk);
    connection.endCopyFrom();
  }

  handleCommandComplete(message: { text: string }): void {
    this.rows = Number(message.text.split(' ').pop());
  }

  handleError(error: Error): void {
    this.error = error;
  }

  handleReadyForQuery(): void {
    this.done(this.error, this.rows);
  }
}

/** Sends rows already in COPY text format; resolves with the number of rows copied. */
export function copyFrom(client: Client, statement: string, lines: readonly string[]): Promise<number> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < lines.length; i += 500) chunks.push(Buffer.from(lines.slice(i, i + 500).join(''), 'utf8'));
  return new Promise((resolve, reject) => {
    const query = new CopyIn(statement, chunks, (error, rows) => (error ? reject(error) : resolve(rows)));
    void (client as unknown as { query(q: CopyIn): unknown }).query(query);
  });
}

/** One row in COPY text format: tab-separated, `\N` for NULL, backslash escapes. */
export function copyLine(values: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return (
    values
      .map((v) =>
        v === null || v === undefined
          ? '\\N'
          : String(v).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')),
      )
      .join('\t') + '\n'
  );
}

/** A text[] literal: every element quoted, so no element text is taken for syntax. */
export function pgTextArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}
