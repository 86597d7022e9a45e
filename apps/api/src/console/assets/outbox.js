/*
 * The phone's outbox: work a team does without a connection (progress reports, self-checks,
 * evidence photos, close-out submissions) is kept in IndexedDB and sent in order once the
 * network returns, each request with its own Idempotency-Key so a resend after a lost answer
 * is applied once. Before sending anything about a ticket, the outbox asks what others did to
 * it since the page was read; a ticket returned, reassigned or closed meanwhile waits for the
 * user's decision instead of being sent. Loaded by the pages and by the service worker.
 */
(function (scope) {
  const DB = 'rt-outbox';
  const STORE = 'items';
  const LOCK = 'rt-outbox-send';
  /** The cache of pages kept on the phone (the service worker's). */
  const PAGES = 'rt-pages';

  function db() {
    return scope.idb.openDB(DB, 1, {
      upgrade(d) {
        d.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
      },
    });
  }

  function newKey() {
    if (scope.crypto && typeof scope.crypto.randomUUID === 'function') return scope.crypto.randomUUID();
    const bytes = new Uint8Array(16);
    scope.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  async function list() {
    return (await db()).getAll(STORE);
  }

  async function put(item) {
    return (await db()).put(STORE, item);
  }

  async function remove(id) {
    return (await db()).delete(STORE, id);
  }

  async function get(id) {
    return (await db()).get(STORE, id);
  }

  /** Queues a request: `fields` as [name, value] pairs, `file` a Blob for a multipart upload. */
  async function add(item) {
    const full = { key: newKey(), createdAt: Date.now(), state: 'pending', attempts: 0, ...item };
    full.id = await put(full);
    return full;
  }

  /** The first title (h1) and alerts of a page the server answered with, as a reason. */
  function reasonOf(html, status) {
    const text = (re) =>
      Array.from(html.matchAll(re), (m) =>
        m[1]
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      ).filter(Boolean);
    const title = text(/<h1>([\s\S]*?)<\/h1>/g)[0] || String(status);
    const details = text(/<li>([\s\S]*?)<\/li>/g)
      .filter((l) => l.includes('：'))
      .slice(0, 3);
    return [title, ...details].join(' ');
  }

  class Offline extends Error {}

  /** Ask the server what happened to the ticket; resolves to a conflict, or undefined to go ahead. */
  async function changesOf(item) {
    let res;
    try {
      res = await fetch(`/tickets/${item.ticketId}/state?since=${item.since || 0}`, {
        credentials: 'same-origin',
        headers: { accept: 'application/json' },
        cache: 'no-store',
      });
    } catch {
      throw new Offline();
    }
    if (res.status === 404) return { changes: [], gone: true };
    if (!res.ok || !(res.headers.get('content-type') || '').includes('json')) throw new Offline();
    const state = await res.json();
    if (state.changes.length) return state;
    return undefined;
  }

  function body(item) {
    if (item.file) {
      const form = new FormData();
      for (const [k, v] of item.fields) form.append(k, v);
      form.append('file', item.file, item.filename || 'photo.jpg');
      return form;
    }
    return new URLSearchParams(item.fields);
  }

  /** One send; `upload` (the page's) reports progress, the service worker sends with fetch. */
  async function send(item, csrf, upload) {
    const token = item.csrf !== undefined ? item.csrf : csrf;
    const headers = { 'Idempotency-Key': item.key, 'x-csrf-token': token || '', accept: 'text/html' };
    if (upload && item.file) return upload(item, body(item), headers);
    let res;
    try {
      res = await fetch(item.url, { method: 'POST', body: body(item), headers, credentials: 'same-origin', redirect: 'follow' });
    } catch {
      throw new Offline();
    }
    return { status: res.status, url: res.url, text: await res.text(), redirected: res.redirected };
  }

  /**
   * Sends what waits, oldest first. An item about a ticket that is not sent (offline, refused,
   * or waiting for a decision) holds back the later items about the same ticket: a close-out
   * never goes before its photo. Resolves to what happened to each item.
   */
  async function flush(options = {}) {
    const run = async () => {
      const outcome = [];
      const held = new Set();
      const items = (await list()).sort((a, b) => a.createdAt - b.createdAt);
      for (const item of items) {
        if (item.ticketId && held.has(item.ticketId)) continue;
        if (item.state === 'conflict' || item.state === 'failed') {
          if (item.ticketId) held.add(item.ticketId);
          continue;
        }
        try {
          if (item.ticketId && !item.decided) {
            const conflict = await changesOf(item);
            if (conflict) {
              await put({ ...item, state: 'conflict', conflict });
              held.add(item.ticketId);
              outcome.push({ item, result: 'conflict' });
              continue;
            }
          }
          await put({ ...item, state: 'sending', attempts: item.attempts + 1 });
          if (options.onSending) options.onSending(item);
          const res = await send(item, options.csrf, options.upload);
          if (res.status >= 200 && res.status < 400) {
            await remove(item.id);
            outcome.push({ item, result: 'sent', url: res.url });
          } else if (res.status >= 500 || res.status === 429) {
            await put({ ...item, state: 'pending', error: String(res.status) });
            if (item.ticketId) held.add(item.ticketId);
            outcome.push({ item, result: 'retry' });
          } else {
            await put({ ...item, state: 'failed', error: reasonOf(res.text, res.status), status: res.status });
            if (item.ticketId) held.add(item.ticketId);
            outcome.push({ item, result: 'failed', html: res.text, status: res.status });
          }
        } catch (e) {
          await put({ ...item, state: 'pending' });
          if (e instanceof Offline) {
            outcome.push({ item, result: 'offline' });
            break;
          }
          throw e;
        }
      }
      return outcome;
    };
    // One sender at a time, across the open pages and the service worker.
    if (scope.navigator && scope.navigator.locks) return scope.navigator.locks.request(LOCK, run);
    return run();
  }

  /** The user decided: send a conflicting or refused item anyway (fresh key for a refused one). */
  async function retry(id, sendAnyway) {
    const item = await get(id);
    if (!item) return;
    const again = { ...item, state: 'pending', conflict: undefined, decided: item.decided || sendAnyway };
    // A refused item goes again as new, with the token of the page the user decided on.
    if (item.state === 'failed') {
      again.key = newKey();
      again.csrf = undefined;
    }
    await put(again);
  }

  /** The team's lists, which show what any sent item changed. */
  const LIST_PAGES = ['/tickets', '/my-tasks', '/inbox', '/self-check'];

  /**
   * Drops the kept copies of the pages that what was sent changed: the page each item was made
   * on, the page its post led to, and the team's lists, so that their next view is fresh. Every
   * other page stays on the phone, readable offline as before.
   */
  async function forgetChangedPages(outcome) {
    const sent = outcome.filter((o) => o.result === 'sent');
    if (!sent.length || !scope.caches) return;
    const changed = new Set(LIST_PAGES);
    for (const o of sent) {
      if (o.item.page) changed.add(new URL(o.item.page, scope.location.origin).pathname);
      if (o.url) changed.add(new URL(o.url, scope.location.origin).pathname);
    }
    const pages = await scope.caches.open(PAGES);
    for (const request of await pages.keys()) if (changed.has(new URL(request.url).pathname)) await pages.delete(request);
  }

  scope.RtOutbox = { add, list, remove, get, flush, retry, put, forgetChangedPages, PAGES, SYNC_TAG: 'rt-outbox' };
})(self);
