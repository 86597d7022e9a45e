import { Writable } from 'node:stream';

const LEVEL_STYLE: Record<string, string> = {
  fatal: '\x1b[41;97m',
  error: '\x1b[31m',
  warn: '\x1b[33m',
  info: '\x1b[32m',
  debug: '\x1b[36m',
  trace: '\x1b[90m',
};
const RESET = '\x1b[0m';
const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';
const SKIPPED = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'context', 'notice', 'reqId']);

/** One JSON log line as a person reads it: time, level, context, message, then the other fields. */
export function readableLine(json: string, colour = true): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const text = (v: unknown, fallback: string) => (typeof v === 'string' ? v : v === undefined ? fallback : JSON.stringify(v));
  const paint = (style: string, text: string) => (colour ? `${style}${text}${RESET}` : text);
  const level = text(entry.level, 'info');
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
  const context = entry.context ? `[${text(entry.context, '')}] ` : '';
  const extra = Object.entries(entry)
    .filter(([k]) => !SKIPPED.has(k))
    .map(([k, v]) => `${k}=${text(v, '')}`)
    .join(' ');
  const message = text(entry.msg, '');
  // Lines a newcomer needs (where to open the service, the logins, where the data is) stand out.
  const body = entry.notice ? paint(BOLD, `▶ ${message}`) : message;
  return `${paint(DIM, time)} ${paint(LEVEL_STYLE[level] ?? '', level.toUpperCase().padEnd(5))} ${paint(DIM, context)}${body}${extra ? ` ${paint(DIM, extra)}` : ''}\n`;
}

/** A destination for pino that writes readable lines (for a terminal) instead of JSON. */
export function readableDestination(out: NodeJS.WritableStream = process.stdout, colour = true): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        out.write(readableLine(pending.slice(0, nl), colour));
        pending = pending.slice(nl + 1);
      }
      done();
    },
  });
}
