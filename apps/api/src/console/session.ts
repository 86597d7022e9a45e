import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { workAreasOf, WorkArea } from '@app/org';
import { Principal, PrincipalResolver, RequestWithPrincipal, TokenService } from '@app/platform';
import { DICTIONARIES, Lang, LANG_COOKIE, langOf } from './i18n';
import { NavItem, PageFrame } from './views';

/** The session cookie carries the signed access token of the token service. */
export const SESSION_COOKIE = 'rt_session';

export interface CookieOptions {
  path: string;
  httpOnly: boolean;
  sameSite: 'lax';
  secure: boolean;
  maxAge?: number;
}

/** The Fastify request and reply as the console uses them (with @fastify/cookie and csrf-protection). */
export interface ConsoleRequest extends RequestWithPrincipal {
  url: string;
  protocol: string;
  ip: string;
  headers: Record<string, string | string[] | undefined>;
  cookies: Record<string, string | undefined>;
  body?: unknown;
  query: Record<string, string | undefined>;
}

export interface ConsoleReply {
  code(status: number): ConsoleReply;
  header(name: string, value: string): ConsoleReply;
  redirect(url: string, code?: number): ConsoleReply;
  send(payload?: unknown): ConsoleReply;
  setCookie(name: string, value: string, options: CookieOptions): ConsoleReply;
  clearCookie(name: string, options: { path: string }): ConsoleReply;
  generateCsrf(): string;
  sent: boolean;
}

export function cookieOptions(req: ConsoleRequest, maxAgeSeconds?: number): CookieOptions {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: req.protocol === 'https',
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}

/** Thrown when a console page needs a session: the error filter sends the browser to sign in. */
export class SignInRequired extends Error {}

/** Resolves the principal behind the session cookie, as the API's guard does behind a bearer token. */
@Injectable()
export class ConsoleSessions {
  constructor(
    private readonly tokens: TokenService,
    private readonly principals: PrincipalResolver,
  ) {}

  async principalOf(req: ConsoleRequest): Promise<Principal | undefined> {
    const token = req.cookies?.[SESSION_COOKIE];
    if (!token) return undefined;
    try {
      const claims = await this.tokens.verify(token);
      return await this.principals.resolve(claims.sub, claims.ver);
    } catch {
      return undefined;
    }
  }
}

/** Console pages need a session cookie; without one the browser is sent to the sign-in page. */
@Injectable()
export class ConsoleAuthGuard implements CanActivate {
  constructor(private readonly sessions: ConsoleSessions) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<ConsoleRequest>();
    const principal = await this.sessions.principalOf(req);
    if (!principal) throw new SignInRequired();
    req.principal = principal;
    return true;
  }
}

function navFor(principal: Principal | undefined, lang: Lang, path: string): NavItem[] {
  if (!principal) return [];
  const t = DICTIONARIES[lang].nav;
  const areas = workAreasOf(principal.scope);
  const team: Array<[string, string]> = areas.team
    ? [
        ['/tickets', t.tickets],
        ['/my-tasks', t.tasks],
        ['/self-check', t.selfCheck],
        ['/verification', t.verification],
      ]
    : [];
  const inspection: Array<[string, string]> = areas.inspection
    ? [
        ['/verify', t.verify],
        ['/findings', t.import],
        ['/docs', t.documents],
        ...(areas.team ? [] : [['/verification', t.verification] as [string, string]]),
      ]
    : [];
  const oversight: Array<[string, string]> = areas.oversight
    ? [
        ['/dashboard', t.dashboard],
        ['/dispatch', t.taskLists],
        ['/ranking', t.rankings],
        ['/calendar', t.calendar],
        ['/accountability-records', t.accountability],
      ]
    : [];
  // A team reads what its township addresses to the teams: the bulletins and the ranking.
  if (team.length && !inspection.length && !oversight.length) team.push(['/docs', t.documents], ['/ranking', t.rankings]);
  const sections: Record<WorkArea, Array<[string, string]>> = { team, inspection, oversight, administration: [] };
  const items = areas.order.flatMap((area) => sections[area]);
  items.push(['/inbox', t.notifications]);
  if (areas.administration) items.push(['/admin/org', t.org], ['/admin/users', t.users]);
  // The queue dashboard is the system administrator's alone.
  if (principal.scope.global) items.push(['/admin/queues', t.queues]);
  return items.map(([href, label]) => ({ href, label, current: path === href || path.startsWith(`${href}/`) }));
}

/** The console page where each work area starts. */
export const AREA_HOMES: Record<WorkArea, string> = {
  team: '/tickets',
  inspection: '/verify',
  oversight: '/dashboard',
  administration: '/admin/org',
};

/** The frame of a page for this request: language, CSRF token, user and menu. */
export function frameOf(req: ConsoleRequest, reply: ConsoleReply): PageFrame {
  const lang = langOf(req.cookies?.[LANG_COOKIE]);
  const path = req.url.split('?')[0];
  const p = req.principal;
  return {
    lang,
    csrf: reply.generateCsrf(),
    path,
    user: p ? { displayName: p.displayName, username: p.username } : undefined,
    nav: navFor(p, lang, path),
  };
}
