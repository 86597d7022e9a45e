import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BoardAdapter } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CYCLES_QUEUE } from '@app/cycles';
import { NOTIFICATIONS_QUEUE } from '@app/notifications';
import { Principal, PrincipalResolver, TokenService } from '@app/platform';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConsoleRequest, ConsoleSessions, frameOf } from '../console/session';
import { ConsoleViews } from '../console/views';

/** Where the queue dashboard is served, under the console's administration pages. */
export const QUEUE_BOARD_PATH = '/admin/queues';

function wantsHtml(req: FastifyRequest): boolean {
  return String(req.headers.accept ?? '').includes('text/html');
}

/** The principal of a console session, or of a bearer token (a script reading the board's JSON). */
async function principalOf(app: NestFastifyApplication, req: FastifyRequest): Promise<Principal | undefined> {
  const session = await app.get(ConsoleSessions).principalOf(req as unknown as ConsoleRequest);
  if (session) return session;
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  try {
    const claims = await app.get(TokenService).verify(m[1]);
    return await app.get(PrincipalResolver).resolve(claims.sub, claims.ver);
  } catch {
    return undefined;
  }
}

/**
 * Admits system administrators only (the service-wide `admin`, not a county's): an anonymous
 * browser is sent to sign in, anyone else gets 403; scripts get API.md's JSON error shape.
 */
function guard(app: NestFastifyApplication) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const principal = await principalOf(app, req);
    if (principal?.scope.global) return undefined;
    const status = principal ? 403 : 401;
    if (wantsHtml(req)) {
      if (!principal) return reply.redirect(`/login?next=${encodeURIComponent(QUEUE_BOARD_PATH)}`, 303);
      const creq = req as unknown as ConsoleRequest;
      creq.principal = principal;
      const views = app.get(ConsoleViews);
      const frame = frameOf(creq, reply);
      const t = views.dictionary(frame.lang);
      views.sendError(reply, frame, { title: t.errors[403], statusCode: 403, error: 'Forbidden', message: t.errors[403] }, false);
      return reply;
    }
    return reply
      .code(status)
      .type('application/json')
      .send({
        statusCode: status,
        error: principal ? 'Forbidden' : 'Unauthorized',
        message: principal ? 'The queue dashboard is for system administrators' : 'Sign in as a system administrator',
      });
  };
}

/** The BullMQ dashboard (bull-board) of the service's queues at /admin/queues, for system administrators. */
export async function registerQueueBoard(app: NestFastifyApplication): Promise<void> {
  const queues = [CYCLES_QUEUE, NOTIFICATIONS_QUEUE].map((name) => app.get<Queue>(getQueueToken(name), { strict: false }));
  const board = new BoardAdapter();
  board.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    // The Fastify adapter declares the board's types from its own copy of @bull-board/api.
    serverAdapter: board as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: '整改销号 · 任务队列' } },
  });
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(
    async (scope: FastifyInstance) => {
      scope.addHook('onRequest', guard(app));
      await scope.register(board.registerPlugin());
    },
    { prefix: QUEUE_BOARD_PATH },
  );
}
