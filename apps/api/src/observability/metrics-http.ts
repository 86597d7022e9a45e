import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CYCLES_QUEUE } from '@app/cycles';
import { NOTIFICATIONS_QUEUE } from '@app/notifications';
import { AppConfig, CountedQueue, Metrics } from '@app/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import { createHash, timingSafeEqual } from 'node:crypto';

export const METRICS_PATH = '/metrics';

function isLoopback(address: string | undefined): boolean {
  if (!address || !ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'loopback';
}

const digest = (text: string) => createHash('sha256').update(text).digest();

function refuse(reply: FastifyReply, statusCode: 401 | 403, message: string): FastifyReply {
  const error = statusCode === 401 ? 'Unauthorized' : 'Forbidden';
  if (statusCode === 401) reply.header('www-authenticate', 'Bearer realm="metrics"');
  return reply.code(statusCode).type('application/json').send({ statusCode, error, message });
}

/**
 * Whether a scrape may read the metrics: with METRICS_TOKEN, the request carries it as a bearer
 * token (Prometheus's `authorization` setting); without it, the request comes from this machine,
 * directly (neither the socket nor, behind a trusted proxy, the forwarded client is elsewhere).
 */
function allowed(config: AppConfig, req: FastifyRequest): { ok: true } | { ok: false; status: 401 | 403; message: string } {
  if (config.METRICS_TOKEN) {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (m && timingSafeEqual(digest(m[1]), digest(config.METRICS_TOKEN))) return { ok: true };
    return { ok: false, status: 401, message: 'The metrics need the bearer token set in METRICS_TOKEN' };
  }
  if (isLoopback(req.socket.remoteAddress) && isLoopback(req.ip)) return { ok: true };
  return {
    ok: false,
    status: 403,
    message: 'The metrics answer only this machine; set METRICS_TOKEN to let a Prometheus elsewhere read them',
  };
}

/**
 * Prometheus metrics at `/metrics`: every request is timed by its route template (`/api/v1/issues/:id`,
 * never the id itself) and status; the queues are counted at each scrape.
 */
export function registerMetricsHttp(app: NestFastifyApplication): void {
  const metrics = app.get(Metrics);
  const config = app.get(AppConfig);
  const queues = [CYCLES_QUEUE, NOTIFICATIONS_QUEUE].map((name) => app.get<CountedQueue>(getQueueToken(name), { strict: false }));
  metrics.countQueues(queues);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const route = req.routeOptions.url ?? '(no route)';
    metrics.httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  fastify.get(METRICS_PATH, async (req: FastifyRequest, reply: FastifyReply) => {
    const verdict = allowed(config, req);
    if (!verdict.ok) return refuse(reply, verdict.status, verdict.message);
    const text = await metrics.text();
    return reply.type(metrics.contentType()).header('cache-control', 'no-store').send(text);
  });
}
