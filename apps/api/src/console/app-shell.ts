import { Controller, Get, Injectable, OnModuleInit, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { NotFound, Public } from '@app/platform';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { DICTIONARIES, LANG_COOKIE, langOf } from './i18n';
import { ConsoleReply, ConsoleRequest } from './session';
import { Asset } from './views';

const ASSETS_DIR = join(__dirname, 'assets');

/** The sizes of the app's PNG icons: the manifest's two, the home-screen icon of iOS, the favicon. */
const ICON_SIZES = [512, 192, 180, 32] as const;

function asAsset(body: Buffer, type: string): Asset {
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
}

/**
 * An .ico holding one PNG (the format every browser since Vista-era Windows reads): a six-byte
 * header and one sixteen-byte directory entry in front of the PNG.
 */
export function icoOf(png: Buffer, size: number): Buffer {
  const header = Buffer.alloc(22);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(1, 4);
  header.writeUInt8(size >= 256 ? 0 : size, 6);
  header.writeUInt8(size >= 256 ? 0 : size, 7);
  header.writeUInt16LE(1, 10);
  header.writeUInt16LE(32, 12);
  header.writeUInt32LE(png.length, 14);
  header.writeUInt32LE(22, 18);
  return Buffer.concat([header, png]);
}

/**
 * What makes the team pages an installable app: the icons (drawn from one SVG with sharp when
 * the service starts, so nothing binary is kept in the sources), the web app manifest and the
 * service worker.
 */
@Injectable()
export class AppShell implements OnModuleInit {
  readonly svg = asAsset(readFileSync(join(ASSETS_DIR, 'icon.svg')), 'image/svg+xml');
  readonly worker = asAsset(readFileSync(join(ASSETS_DIR, 'sw.js')), 'text/javascript; charset=utf-8');
  private readonly icons = new Map<string, Asset>();

  async onModuleInit(): Promise<void> {
    for (const size of ICON_SIZES) {
      const png = await sharp(this.svg.body, { density: 300 }).resize(size, size).png({ compressionLevel: 9 }).toBuffer();
      this.icons.set(`icon-${size}.png`, asAsset(png, 'image/png'));
      if (size === 32) this.icons.set('favicon.ico', asAsset(icoOf(png, size), 'image/x-icon'));
    }
  }

  icon(name: string): Asset | undefined {
    return name === 'icon.svg' ? this.svg : this.icons.get(name);
  }

  manifest(lang: 'zh' | 'en'): Asset {
    const t = DICTIONARIES[lang];
    const body = {
      name: t.appName,
      short_name: t.appShortName,
      description: t.appDescription,
      lang: t.htmlLang,
      start_url: '/',
      scope: '/',
      display: 'standalone',
      background_color: '#ffffff',
      theme_color: '#b71c1c',
      icons: [
        { src: '/assets/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
        { src: '/assets/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
        { src: '/assets/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        { src: '/assets/icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
      ],
      shortcuts: [
        { name: t.nav.tickets, url: '/tickets' },
        { name: t.nav.tasks, url: '/my-tasks' },
        { name: t.nav.selfCheck, url: '/self-check' },
      ],
    };
    return asAsset(Buffer.from(JSON.stringify(body)), 'application/manifest+json; charset=utf-8');
  }
}

function sendAsset(req: ConsoleRequest, reply: ConsoleReply, asset: Asset, cacheControl: string): void {
  reply.header('etag', asset.etag).header('cache-control', cacheControl);
  if (req.headers['if-none-match'] === asset.etag) {
    reply.code(304).send();
    return;
  }
  reply.code(200).header('content-type', asset.type).send(asset.body);
}

/** The favicon, the manifest, the icons and the service worker, at the paths browsers look for them. */
@ApiExcludeController()
@Public()
@Controller()
export class AppShellConsoleController {
  constructor(private readonly shell: AppShell) {}

  @Get('favicon.ico')
  favicon(@Req() req: ConsoleRequest, @Res() reply: ConsoleReply): void {
    const icon = this.shell.icon('favicon.ico');
    if (!icon) throw new NotFound('Icon', 'favicon.ico');
    sendAsset(req, reply, icon, 'public, max-age=86400');
  }

  @Get('manifest.webmanifest')
  manifest(@Req() req: ConsoleRequest, @Res() reply: ConsoleReply): void {
    sendAsset(req, reply, this.shell.manifest(langOf(req.cookies?.[LANG_COOKIE])), 'no-cache');
  }

  /** At the root, so that it may control every page; always revalidated, so a release reaches phones. */
  @Get('sw.js')
  worker(@Req() req: ConsoleRequest, @Res() reply: ConsoleReply): void {
    reply.header('service-worker-allowed', '/');
    sendAsset(req, reply, this.shell.worker, 'no-cache');
  }

  @Get('assets/icons/:name')
  icon(@Req() req: ConsoleRequest, @Res() reply: ConsoleReply, @Param('name') name: string): void {
    const icon = this.shell.icon(name);
    if (!icon) throw new NotFound('Icon', name);
    sendAsset(req, reply, icon, 'public, max-age=604800');
  }
}
