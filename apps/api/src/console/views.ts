import { Injectable } from '@nestjs/common';
import { percent } from '@app/documents';
import { AppConfig, Clock } from '@app/platform';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DICTIONARIES, Dictionary, fill, Lang } from './i18n';

/** Templates and the stylesheet sit beside the code, in the TypeScript sources and in dist/ alike. */
const VIEWS_DIR = join(__dirname, 'views');
const ASSETS_DIR = join(__dirname, 'assets');

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

function asset(path: string, type: string): Asset {
  const body = readFileSync(path);
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
}

const JS = 'text/javascript; charset=utf-8';

/** The Workbox runtime the service worker loads, module by module, from this site (never a CDN). */
const WORKBOX_MODULES = ['core', 'routing', 'strategies', 'expiration', 'cacheable-response'];

/**
 * The stylesheet and the scripts, served from memory with long caching (pages name them by
 * content hash): htmx, the phone's offline outbox (with idb for IndexedDB), photo compression
 * (browser-image-compression), the photo's EXIF read on the phone (exifr) and the Workbox runtime of the service worker.
 */
export const ASSETS: Record<string, Asset> = {
  'console.css': asset(join(ASSETS_DIR, 'console.css'), 'text/css; charset=utf-8'),
  'htmx.min.js': asset(require.resolve('htmx.org/dist/htmx.min.js'), JS),
  'console.js': asset(join(ASSETS_DIR, 'console.js'), JS),
  'outbox.js': asset(join(ASSETS_DIR, 'outbox.js'), JS),
  'idb.js': asset(require.resolve('idb/build/umd.js'), JS),
  'image-compression.js': asset(require.resolve('browser-image-compression/dist/browser-image-compression.js'), JS),
  'exifr.js': asset(require.resolve('exifr/dist/lite.umd.js'), JS),
  'workbox-sw.js': asset(require.resolve('workbox-sw/build/workbox-sw.js'), JS),
  ...Object.fromEntries(
    WORKBOX_MODULES.map((m) => [`workbox-${m}.prod.js`, asset(require.resolve(`workbox-${m}/build/workbox-${m}.prod.js`), JS)]),
  ),
};

const versionOf = (name: string) => ASSETS[name].etag.slice(1, 9);

/** Asset URLs carry the content hash, so a new release is never served a stale copy. */
const ASSET_VERSIONS = {
  css: versionOf('console.css'),
  htmx: versionOf('htmx.min.js'),
  console: versionOf('console.js'),
  outbox: versionOf('outbox.js'),
  idb: versionOf('idb.js'),
  compression: versionOf('image-compression.js'),
  exif: versionOf('exifr.js'),
};

/** The words the phone's scripts show (the offline outbox), handed over in a JSON data block. */
function clientText(t: Dictionary) {
  return { ...t.offline, status: t.status, htmlLang: t.htmlLang };
}

export interface NavItem {
  href: string;
  label: string;
  current: boolean;
}

/** What every page's layout needs: who is signed in, the language, the CSRF token, the menu. */
export interface PageFrame {
  lang: Lang;
  csrf: string;
  path: string;
  user?: { displayName: string; username: string };
  nav: NavItem[];
}

export interface ReplyLike {
  code(status: number): ReplyLike;
  header(name: string, value: string): ReplyLike;
  send(payload: unknown): unknown;
}

/**
 * Renders the console's Handlebars views inside one layout. Templates are compiled once, at
 * start; every value is HTML-escaped unless a template asks for raw output (server-made SVG).
 */
@Injectable()
export class ConsoleViews {
  private readonly hbs = Handlebars.create();
  private readonly pages = new Map<string, Handlebars.TemplateDelegate>();
  private readonly layout: Handlebars.TemplateDelegate;

  constructor(
    config: AppConfig,
    private readonly clock: Clock,
  ) {
    // Times read in the zone the townships keep (units default to it), not in UTC.
    const zone = config.TZ_DEFAULT;
    this.hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    this.hbs.registerHelper('gt', (a: number, b: number) => a > b);
    this.hbs.registerHelper('lt', (a: number, b: number) => a < b);
    this.hbs.registerHelper('array', (...args: unknown[]) => args.slice(0, -1));
    this.hbs.registerHelper('includes', (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item));
    this.hbs.registerHelper('fill', (template: string, options: Handlebars.HelperOptions) =>
      fill(template ?? '', options.hash as Record<string, string | number>),
    );
    this.hbs.registerHelper('uri', (v: string | number | undefined) => encodeURIComponent(v ?? ''));
    this.hbs.registerHelper('pct', (v: number) => percent(Number(v) || 0));
    this.hbs.registerHelper('time', (iso: string | null) =>
      iso ? DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toFormat('yyyy-MM-dd HH:mm') : '',
    );
    for (const file of readdirSync(join(VIEWS_DIR, 'partials'))) {
      if (file.endsWith('.hbs')) this.hbs.registerPartial(file.slice(0, -4), readFileSync(join(VIEWS_DIR, 'partials', file), 'utf8'));
    }
    for (const file of readdirSync(VIEWS_DIR)) {
      if (file.endsWith('.hbs')) this.pages.set(file.slice(0, -4), this.hbs.compile(readFileSync(join(VIEWS_DIR, file), 'utf8')));
    }
    const layout = this.pages.get('layout');
    if (!layout) throw new Error(`the console layout is missing from ${VIEWS_DIR}`);
    this.layout = layout;
  }

  dictionary(lang: Lang): Dictionary {
    return DICTIONARIES[lang];
  }

  /** A page's HTML. htmx requests get whole pages too and pick their part (hx-select). */
  render(view: string, frame: PageFrame, data: Record<string, unknown> & { title: string }): string {
    const page = this.pages.get(view);
    if (!page) throw new Error(`no console view ${view}`);
    const t = DICTIONARIES[frame.lang];
    // When the page was made: a phone showing its kept copy offline says "last synced at" that time.
    const renderedAt = this.clock.now().toISOString();
    const context = {
      ...data,
      t,
      frame,
      assets: ASSET_VERSIONS,
      client: JSON.stringify(clientText(t)).replace(/</g, '\\u003c'),
      renderedAt,
    };
    return this.layout({ ...context, body: page(context) });
  }

  /**
   * Sends the error page with `status`. For an htmx request (`swapMain`) the error page's main
   * part takes the place of the page's, rather than the part the request aimed at.
   */
  sendError(
    reply: ReplyLike,
    frame: PageFrame,
    data: Record<string, unknown> & { title: string; statusCode: number },
    swapMain: boolean,
  ): void {
    if (swapMain) reply.header('hx-retarget', '#main').header('hx-reswap', 'outerHTML').header('hx-reselect', '#main');
    this.send(reply, this.render('error', frame, data), data.statusCode);
  }

  send(reply: ReplyLike, html: string, status = 200): void {
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'same-origin')
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY');
    reply.send(html);
  }
}
