import { PassThrough } from 'node:stream';
import { createRootLogger, logFormatOf } from './logger';
import { readableDestination, readableLine } from './readable-log';

describe('readable logs', () => {
  it('writes an entry as time, level, context, message and the other fields; start-up notices stand out', () => {
    const line =
      '{"level":"info","time":"2026-12-01T22:40:08.123Z","pid":1,"context":"api","notice":true,"msg":"listening on http://127.0.0.1:3000","port":3000}';
    expect(readableLine(line, false)).toBe('22:40:08 INFO  [api] ▶ listening on http://127.0.0.1:3000 port=3000\n');
    expect(readableLine(line, true)).toContain('\x1b[1m▶ listening');
    expect(readableLine('not json', false)).toBe('not json');
  });

  it('a logger for a terminal writes readable lines, with secrets still redacted', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const logger = createRootLogger('info', readableDestination(out, false));
    logger.child({ context: 'auth' }).warn({ password: 'Demo@2026' }, 'sign-in failed');
    await new Promise((r) => setImmediate(r));
    expect(text).toMatch(/^\d\d:\d\d:\d\d WARN {2}\[auth\] sign-in failed password=\[redacted\]\n$/);
  });

  it('JSON stays the format unless asked, or on a terminal', () => {
    expect(logFormatOf('json')).toBe('json');
    expect(logFormatOf('readable')).toBe('readable');
    expect(logFormatOf('auto')).toBe(process.stdout.isTTY ? 'readable' : 'json');
  });
});
