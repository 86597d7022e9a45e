import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

/** A local robot webhook: records what arrives and answers as the test says. */
export class WebhookReceiver {
  readonly received: unknown[] = [];
  /** The path and query of each request, in the order they came. */
  readonly urls: string[] = [];
  /** When each request arrived (ms since the epoch). */
  readonly times: number[] = [];
  reply: { status: number; body: unknown } = { status: 200, body: { errcode: 0, errmsg: 'ok' } };
  /** Answers for the next requests, in order, before `reply` applies again. */
  script: Array<{ status: number; body: unknown }> = [];
  /** Requests whose body contains one of these keys are answered only after this many milliseconds. */
  slow = new Map<string, number>();
  /** Answers for the next requests whose body contains the key, in order, before the others apply. */
  scriptFor = new Map<string, Array<{ status: number; body: unknown }>>();
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let text = '';
      req.on('data', (d: Buffer) => (text += d.toString()));
      req.on('end', () => {
        this.received.push(JSON.parse(text || 'null'));
        this.urls.push(req.url ?? '');
        this.times.push(Date.now());
        const keyed = [...this.scriptFor.entries()].find(([key, answers]) => answers.length && text.includes(key));
        const answer = keyed?.[1].shift() ?? this.script.shift() ?? this.reply;
        const delay = [...this.slow.entries()].find(([key]) => text.includes(key))?.[1] ?? 0;
        setTimeout(() => {
          if (res.destroyed) return;
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(answer.body));
        }, delay);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const a = this.server.address();
    this.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/cgi-bin/webhook/send?key=test`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
