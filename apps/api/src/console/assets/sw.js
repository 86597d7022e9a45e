/*
 * The console's service worker, on Workbox (its runtime is served from this site's /assets).
 * Team pages are kept as they are visited and shown from the phone at once, refreshed in the
 * background (stale-while-revalidate); scripts and styles are named by content and kept;
 * evidence photos are kept once seen. Background Sync sends the outbox when the connection
 * returns, even with the page closed.
 */
importScripts('/assets/workbox-sw.js', '/assets/idb.js', '/assets/outbox.js');

workbox.setConfig({ modulePathPrefix: '/assets', debug: false });

const { registerRoute, setCatchHandler } = workbox.routing;
const { StaleWhileRevalidate, NetworkFirst, CacheFirst } = workbox.strategies;
const { CacheableResponsePlugin } = workbox.cacheableResponse;
const { ExpirationPlugin } = workbox.expiration;

const PAGES = self.RtOutbox.PAGES;
const TEAM_PAGES = /^\/(tickets|my-tasks|self-check|inbox|docs|ranking)(\/|$)/;

self.addEventListener('install', () => self.skipWaiting());

/*
 * A form posted from a page changes what the pages show, and the page after it (the redirect)
 * must show the change: for a short while after a post, pages come from the network first.
 */
let freshUntil = 0;
self.addEventListener('fetch', (event) => {
  if (event.request.method === 'POST' && new URL(event.request.url).origin === self.location.origin) freshUntil = Date.now() + 15000;
});
workbox.core.clientsClaim();

registerRoute(
  ({ request, url }) =>
    request.mode === 'navigate' &&
    url.origin === self.location.origin &&
    TEAM_PAGES.test(url.pathname) &&
    !/\/(evidence|state)(\/|$)/.test(url.pathname.slice(1)),
  (() => {
    const plugins = () => [
      new CacheableResponsePlugin({ statuses: [200] }),
      new ExpirationPlugin({ maxEntries: 200, maxAgeSeconds: 30 * 86400 }),
    ];
    const kept = new StaleWhileRevalidate({ cacheName: PAGES, plugins: plugins() });
    const fresh = new NetworkFirst({ cacheName: PAGES, plugins: plugins(), networkTimeoutSeconds: 10 });
    return { handle: (options) => (Date.now() < freshUntil ? fresh : kept).handle(options) };
  })(),
);

registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname.startsWith('/assets/'),
  new CacheFirst({
    cacheName: 'rt-assets',
    plugins: [new CacheableResponsePlugin({ statuses: [200] }), new ExpirationPlugin({ maxEntries: 60 })],
  }),
);

registerRoute(
  ({ url }) => url.origin === self.location.origin && /^\/tickets\/[^/]+\/evidence\/[^/]+$/.test(url.pathname),
  new CacheFirst({
    cacheName: 'rt-photos',
    plugins: [new CacheableResponsePlugin({ statuses: [200] }), new ExpirationPlugin({ maxEntries: 150, maxAgeSeconds: 30 * 86400 })],
  }),
);

/** A page never visited, asked for offline: say so in the reader's language, not the browser's error. */
setCatchHandler(async ({ request }) => {
  if (request.mode !== 'navigate') return Response.error();
  const zh = !/(^|;\s*)lang=en/.test(request.headers.get('cookie') || '');
  const text = zh ? '此页面还没有保存在手机上，请联网后再打开。' : 'This page is not kept on the phone yet; open it once online.';
  const back = zh ? '返回我的问题' : 'Back to my tickets';
  return new Response(
    `<!doctype html><html lang="${zh ? 'zh-CN' : 'en'}"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/assets/console.css"><main id="main"><h1>${text}</h1><p><a href="/tickets">${back}</a></p></main></html>`,
    { status: 503, headers: { 'content-type': 'text/html; charset=utf-8' } },
  );
});

async function tellPages(message) {
  for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage(message);
}

self.addEventListener('sync', (event) => {
  if (event.tag !== self.RtOutbox.SYNC_TAG) return;
  event.waitUntil(
    self.RtOutbox.flush().then(async (outcome) => {
      // What was sent changed some of the pages kept on the phone: the next view of those is fresh.
      await self.RtOutbox.forgetChangedPages(outcome);
      await tellPages({ type: 'outbox', outcome: outcome.map((o) => ({ result: o.result, id: o.item.id })) });
      // Still offline: fail the sync so that the browser tries again later.
      if (outcome.some((o) => o.result === 'offline' || o.result === 'retry')) throw new Error('outbox not sent yet');
    }),
  );
});

self.addEventListener('message', (event) => {
  // Signing out: what the pages kept belongs to the one who signed out.
  if (event.data && event.data.type === 'sign-out') event.waitUntil(caches.delete(PAGES).then(() => caches.delete('rt-photos')));
});
