import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CYCLES_QUEUE } from '@app/cycles';
import { NOTIFICATIONS_QUEUE } from '@app/notifications';
import { AppConfig, CountedQueue, Metrics, metricsAccess, metricsRefusal } from '@app/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const METRICS_PATH = '/metrics';

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
    const access = metricsAccess(config, {
      authorization: req.headers.authorization,
      socketAddress: req.socket.remoteAddress,
      clientAddress: req.ip,
    });
    if (!access.ok) {
      const refusal = metricsRefusal(access);
      return reply.code(access.status).headers(refusal.headers).send(refusal.body);
    }
    const text = await metrics.text();
    return reply.type(metrics.contentType()).header('cache-control', 'no-store').send(text);
  });
}
