import { Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AuthService, workAreasOf } from '@app/org';
import { Clock, NotFound, Public, Unauthenticated } from '@app/platform';
import { ConsoleErrorFilter, safeNext } from './console-error.filter';
import { ConsolePages, field, formOf } from './console-page';
import { LANG_COOKIE, LANGS } from './i18n';
import { AREA_HOMES, ConsoleReply, ConsoleRequest, ConsoleSessions, cookieOptions, SESSION_COOKIE } from './session';
import { ASSETS } from './views';

/** Signing in and out, the language switch, the start page and the static assets. */
@ApiExcludeController()
@Public()
@UseFilters(ConsoleErrorFilter)
@Controller()
export class AuthConsoleController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: ConsoleSessions,
    private readonly pages: ConsolePages,
    private readonly clock: Clock,
  ) {}

  @Get()
  async home(@Req() req: ConsoleRequest, @Res() reply: ConsoleReply): Promise<void> {
    const p = await this.sessions.principalOf(req);
    if (!p) return this.pages.redirect(reply, '/login');
    const primary = workAreasOf(p.scope).primary;
    const home = primary ? AREA_HOMES[primary] : '/inbox';
    this.pages.redirect(reply, home);
  }

  @Get('login')
  async loginPage(@Req() req: ConsoleRequest, @Res() reply: ConsoleReply, @Query('next') next?: string): Promise<void> {
    if (await this.sessions.principalOf(req)) return this.pages.redirect(reply, safeNext(next));
    this.pages.show(req, reply, 'login', { title: this.pages.t(req).signIn, next: safeNext(next) });
  }

  @Post('login')
  async login(@Req() req: ConsoleRequest, @Res() reply: ConsoleReply): Promise<void> {
    const body = formOf(req);
    const username = field(body, 'username');
    const next = safeNext(field(body, 'next'));
    try {
      const result = await this.auth.login(username, typeof body.password === 'string' ? body.password : '', req.ip);
      const seconds = Math.max(60, Math.floor((Date.parse(result.expiresAt) - this.clock.nowMs()) / 1000));
      reply.setCookie(SESSION_COOKIE, result.accessToken, cookieOptions(req, seconds));
      this.pages.redirect(reply, next);
    } catch (e) {
      if (!(e instanceof Unauthenticated)) throw e;
      const t = this.pages.t(req);
      this.pages.show(req, reply, 'login', { title: t.signIn, next, username, failed: e.message }, 401);
    }
  }

  @Post('logout')
  logout(@Res() reply: ConsoleReply): void {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    this.pages.redirect(reply, '/login');
  }

  /** Switching the language is a plain link: it changes nothing but how pages read. */
  @Get('lang/:lang')
  lang(@Req() req: ConsoleRequest, @Res() reply: ConsoleReply, @Param('lang') lang: string, @Query('next') next?: string): void {
    if (!(LANGS as readonly string[]).includes(lang)) throw new NotFound('Language', lang);
    reply.setCookie(LANG_COOKIE, lang, { ...cookieOptions(req, 365 * 86400), httpOnly: false });
    this.pages.redirect(reply, safeNext(next));
  }

  @Get('assets/:name')
  asset(@Req() req: ConsoleRequest, @Res() reply: ConsoleReply, @Param('name') name: string): void {
    const found = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!found) throw new NotFound('Asset', name);
    reply.header('etag', found.etag).header('cache-control', 'public, max-age=604800');
    if (req.headers['if-none-match'] === found.etag) {
      reply.code(304).send();
      return;
    }
    reply.code(200).header('content-type', found.type).send(found.body);
  }
}
