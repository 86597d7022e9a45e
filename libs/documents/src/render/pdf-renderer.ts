import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppConfig, Unavailable } from '@app/platform';
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/**
 * How Debian's Chromium runs here: no sandbox (containers seldom allow one), no GPU, nothing
 * fetched from the network. The console's browser tests launch it the same way.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Prints HTML to an A4 PDF with headless Chromium (the fonts are the system's: fonts-noto-cjk).
 * One browser serves every document: started on first use, restarted if it dies, closed when
 * the module stops. Each document gets its own context with scripts off.
 */
@Injectable()
export class PdfRenderer implements OnModuleDestroy {
  private readonly logger = new Logger('PdfRenderer');
  private readonly executablePath: string;
  private browser?: Promise<Browser>;

  constructor(config: AppConfig) {
    this.executablePath = config.CHROMIUM_PATH;
  }

  async render(html: string): Promise<Buffer> {
    const browser = await this.launch();
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    try {
      const page = await context.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    } finally {
      await context.close().catch(() => undefined);
    }
  }

  private launch(): Promise<Browser> {
    if (!existsSync(this.executablePath)) {
      throw new Unavailable(
        `PDF printing needs Chromium at ${this.executablePath}, which this server does not have; install chromium and fonts-noto-cjk (or set CHROMIUM_PATH), or print the HTML rendition`,
      );
    }
    this.browser ??= this.start();
    return this.browser;
  }

  private async start(): Promise<Browser> {
    // Loaded on first use: playwright-core takes most of a second to load, and most processes never print.
    const { chromium } = await import('playwright-core');
    try {
      const browser = await chromium.launch({ executablePath: this.executablePath, args: CHROMIUM_ARGS, headless: true });
      browser.on('disconnected', () => {
        this.browser = undefined;
      });
      this.logger.log(`Chromium ${browser.version()} started for PDF printing`);
      return browser;
    } catch (e) {
      this.browser = undefined;
      throw new Unavailable(
        `PDF printing is unavailable: Chromium at ${this.executablePath} did not start (${(e as Error).message.split('\n')[0]})`,
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    const pending = this.browser;
    this.browser = undefined;
    const browser = await pending?.catch(() => undefined);
    await browser?.close().catch(() => undefined);
  }
}
