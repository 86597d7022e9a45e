import fastifyCookie from '@fastify/cookie';
import fastifyCsrfProtection from '@fastify/csrf-protection';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConsoleRequest, ConsoleSessions, frameOf } from './session';
import { ConsoleViews } from './views';

/**
 * The console's top-level paths. They are served at the site root, outside the API's
 * `/api/v1` prefix; each covers the path itself and everything under it. Nest applies the
 * exclusion to every controller, so none of them may be the first segment of an API route.
 */
const CONSOLE_SEGMENTS = [
  'login',
  'logout',
  'lang',
  'assets',
  'tickets',
  'my-tasks',
  'self-check',
  'verification',
  'verify',
  'findings',
  'docs',
  'bulletin',
  'dashboard',
  'cycle',
  'dispatch',
  'ranking',
  'calendar',
  'accountability-records',
  'inbox',
  'admin',
  'favicon.ico',
  'manifest.webmanifest',
  'sw.js',
];

/** Routes the global prefix must leave alone. */
export const CONSOLE_ROUTES: string[] = ['/', ...CONSOLE_SEGMENTS.flatMap((s) => [`/${s}`, `/${s}/{*rest}`])];

export const CSRF_FIELD = '_csrf';

/** Paths of the API (and its OpenAPI pages), which keep the JSON error shape of API.md. */
export function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

/** A client that asks for JSON and not HTML (a script that lost the `/api` prefix) gets JSON. */
function wantsJson(req: FastifyRequest): boolean {
  const accept = String(req.headers.accept ?? '').toLowerCase();
  return accept.includes('json') && !accept.includes('text/html');
}

/** The token of a form post: a hidden field, or for multipart forms the query (bodies are streamed). */
function csrfTokenOf(req: FastifyRequest): string {
  const body = req.body as Record<string, unknown> | undefined;
  const query = req.query as Record<string, unknown> | undefined;
  const header = req.headers['x-csrf-token'];
  const token = body?.[CSRF_FIELD] ?? header ?? query?.[CSRF_FIELD];
  return typeof token === 'string' ? token : '';
}

/**
 * Cookies, and CSRF protection for every form post outside the API: the token of the form must
 * match the secret in the browser's `_csrf` cookie (a double submit signed by the plugin). The API
 * itself takes bearer tokens, which a cross-site form cannot send, so it needs no token.
 */
export async function registerConsoleHttp(app: NestFastifyApplication): Promise<void> {
  await app.register(fastifyCookie);
  await app.register(fastifyCsrfProtection, {
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true },
    getToken: csrfTokenOf,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // Nest answers a path without a route with its JSON 404; outside the API a person typed or
  // followed it, so they get the console's page, in their language, with the menu when signed in.
  fastify.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.is404 || isApiPath(req.url) || wantsJson(req)) return;
    const creq = req as unknown as ConsoleRequest;
    creq.principal = await app.get(ConsoleSessions).principalOf(creq);
    const views = app.get(ConsoleViews);
    const frame = frameOf(creq, reply);
    const t = views.dictionary(frame.lang);
    views.sendError(reply, frame, { title: t.errors[404], statusCode: 404, error: 'Not Found', message: t.noSuchPage }, false);
    return reply;
  });
  fastify.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method !== 'POST' || isApiPath(req.url)) return;
    let refused = false;
    // The plugin answers a bad token with a JSON error; the console answers with a page instead.
    const probe = { send: () => (refused = true) } as unknown as FastifyReply;
    fastify.csrfProtection(req, probe, () => undefined);
    if (!refused) return;
    const views = app.get(ConsoleViews);
    const frame = frameOf(req as unknown as ConsoleRequest, reply);
    const t = views.dictionary(frame.lang);
    const error = { title: t.errors[403], statusCode: 403, error: 'Forbidden', message: t.csrf };
    views.sendError(reply, frame, error, Boolean(req.headers['hx-request']));
    return reply;
  });
}
