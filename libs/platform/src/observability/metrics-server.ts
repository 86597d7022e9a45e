import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AppConfig } from '../config/app-config';
import { metricsAccess, metricsRefusal } from './metrics-access';
import type { Metrics } from './metrics';

/**
 * A process without the HTTP API (the worker) serves its metrics on a port of its own, at
 * `/metrics`, under the same rule as the API's: the bearer token of METRICS_TOKEN, else this
 * machine only.
 */
export async function serveMetrics(
  metrics: Metrics,
  config: Pick<AppConfig, 'METRICS_TOKEN'>,
  port: number,
  host: string,
): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ statusCode: 404, error: 'Not Found', message: 'Only /metrics is served here' }));
      return;
    }
    const access = metricsAccess(config, { authorization: req.headers.authorization, socketAddress: req.socket.remoteAddress });
    if (!access.ok) {
      const refusal = metricsRefusal(access);
      res.writeHead(access.status, refusal.headers);
      res.end(refusal.body);
      return;
    }
    metrics.text().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.contentType(), 'cache-control': 'no-store' });
        res.end(text);
      },
      (e: Error) => {
        res.writeHead(503, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ statusCode: 503, error: 'Service Unavailable', message: e.message }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
