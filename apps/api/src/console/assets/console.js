/*
 * The console on the phone: the menu drawer, the service worker, "last synced" when the page is
 * the copy kept on the phone, and the outbox (forms marked data-outbox are kept in IndexedDB and
 * sent when there is a connection, photos made smaller first). Without this script every form
 * still posts as a plain HTML form.
 */
(function () {
  'use strict';
  document.documentElement.classList.add('js');
  const T = JSON.parse(document.getElementById('rt-text').textContent);
  const body = document.body;
  const fill = (s, v) => s.replace(/\{(\w+)\}/g, (m, k) => (k in v ? String(v[k]) : m));
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) e.append(c);
    return e;
  };
  const mb = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);

  /* The menu: a drawer behind one button on a narrow screen. */
  const toggle = document.querySelector('.menu-toggle');
  const nav = document.getElementById('site-nav');
  if (toggle && nav) {
    const set = (open) => {
      nav.classList.toggle('open', open);
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = open ? toggle.dataset.close : toggle.dataset.open;
    };
    toggle.addEventListener('click', () => {
      const open = !nav.classList.contains('open');
      set(open);
      if (open) nav.querySelector('a')?.focus();
    });
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && nav.classList.contains('open')) {
        set(false);
        toggle.focus();
      }
    });
  }

  /* The service worker; signing out forgets the pages kept for this user. */
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
    navigator.serviceWorker.addEventListener('message', (e) => {
      if (!e.data || e.data.type !== 'outbox') return;
      const sent = e.data.outcome.some((o) => o.result === 'sent');
      void render().then(async () => {
        if (sent && navigator.onLine && !(await Outbox.list()).length && !document.querySelector('form.dirty')) location.reload();
      });
    });
  }
  document.getElementById('sign-out')?.addEventListener('submit', () => {
    navigator.serviceWorker?.controller?.postMessage({ type: 'sign-out' });
  });
  if (!body.dataset.user && 'caches' in window && location.pathname === '/login') {
    void caches.delete(window.RtOutbox.PAGES);
  }

  /* Last synced: shown when the phone has no connection, i.e. this is the kept copy. */
  const syncState = document.getElementById('sync-state');
  function showSync() {
    if (!syncState) return;
    if (navigator.onLine) {
      syncState.hidden = true;
      return;
    }
    syncState.textContent = `${T.offlineNow} ${fill(T.lastSynced, { time: body.dataset.renderedLabel })}`;
    syncState.hidden = false;
  }
  showSync();

  /* The outbox. */
  const Outbox = window.RtOutbox;
  const box = document.getElementById('outbox');
  const boxItems = document.getElementById('outbox-items');
  const ticket = document.getElementById('ticket')?.dataset;
  let progress = {};

  async function render() {
    if (!Outbox || !box) return;
    const items = (await Outbox.list()).filter((i) => !body.dataset.user || !i.user || i.user === body.dataset.user);
    boxItems.replaceChildren();
    for (const item of items.sort((a, b) => a.createdAt - b.createdAt)) {
      const li = el('li', { class: item.state, 'data-item': String(item.id) });
      const what = `${T.kind[item.kind] || item.kind} · ${item.label || ''}`;
      li.append(el('strong', {}, what));
      let state = T.waiting;
      if (item.state === 'sending') state = progress[item.id] !== undefined ? fill(T.uploading, { p: progress[item.id] }) : T.sending;
      if (item.state === 'failed') state = fill(T.failed, { reason: item.error || '' });
      if (item.state === 'conflict') state = '';
      li.append(el('div', { class: 'muted' }, state, item.sizeNote ? ` · ${item.sizeNote}` : ''));
      if (item.state === 'conflict' && item.conflict) {
        const c = item.conflict;
        li.append(el('p', {}, T.changed));
        const ul = el('ul', { class: 'changes' });
        for (const ch of c.changes || []) {
          const when = ch.atLabel || ch.at;
          ul.append(
            el('li', {}, `${when} ${ch.actor || ''} ${ch.what}${ch.to ? ` → ${ch.to}` : ''}${ch.comment ? `：${ch.comment}` : ''}`),
          );
        }
        li.append(ul);
        if (c.statusLabel) li.append(el('p', {}, fill(T.statusNow, { status: c.statusLabel })));
        li.append(el('p', {}, T.decide));
      }
      if (item.state === 'conflict' || item.state === 'failed') {
        const actions = el('div', { class: 'actions' });
        const again = el('button', { type: 'button', 'data-act': 'send' }, item.state === 'conflict' ? T.sendAnyway : T.retry);
        const drop = el('button', { type: 'button', 'data-act': 'discard' }, T.discard);
        again.addEventListener('click', async () => {
          await Outbox.retry(item.id, true);
          await sendNow();
        });
        drop.addEventListener('click', async () => {
          if (!window.confirm(T.confirmDiscard)) return;
          await Outbox.remove(item.id);
          await render();
        });
        actions.append(again, drop);
        li.append(actions);
      }
      boxItems.append(li);
    }
    box.hidden = items.length === 0;
  }

  /** A photo upload with progress (XMLHttpRequest reports it; fetch does not). */
  function upload(item, form, headers) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', item.url);
      for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
      xhr.upload.onprogress = (e) => {
        if (!e.lengthComputable) return;
        progress[item.id] = Math.round((100 * e.loaded) / e.total);
        const row = boxItems?.querySelector(`[data-item="${item.id}"] .muted`);
        if (row) row.textContent = fill(T.uploading, { p: progress[item.id] });
        const state = document.getElementById('photo-state');
        if (state) state.textContent = fill(T.uploading, { p: progress[item.id] });
      };
      xhr.onload = () => resolve({ status: xhr.status, url: xhr.responseURL, text: xhr.responseText });
      xhr.onerror = () => reject(new (class extends Error {})('offline'));
      xhr.send(form);
    });
  }

  let sending = false;
  async function sendNow(live) {
    if (!Outbox || sending) return [];
    sending = true;
    let outcome = [];
    try {
      await render();
      outcome = await Outbox.flush({ csrf: body.dataset.csrf, upload, onSending: () => void render() }).catch((e) => {
        // An upload that lost the network part-way is "offline": it stays and goes later.
        if (e && e.message === 'offline') return [];
        throw e;
      });
    } finally {
      sending = false;
      progress = {};
    }
    await render();
    const sent = outcome.filter((o) => o.result === 'sent');
    // What was sent changed some of the pages kept on the phone: those are dropped, the rest stay.
    await Outbox.forgetChangedPages(outcome);
    if (live) return outcome;
    // Shown again fresh, once online: offline a reload would only find the copy kept.
    if (sent.length && navigator.onLine && !(await Outbox.list()).length && !document.querySelector('form.dirty')) location.reload();
    return outcome;
  }

  async function registerSync() {
    try {
      const reg = await navigator.serviceWorker?.ready;
      if (reg && 'sync' in reg) await reg.sync.register(Outbox.SYNC_TAG);
    } catch {
      /* No Background Sync: the next visit or the online event sends it. */
    }
  }

  /** A script of the page's, loaded the first time it is needed (its URL in a data attribute). */
  const loaded = {};
  function loadScript(attr, global) {
    if (!loaded[attr]) {
      loaded[attr] = new Promise((resolve, reject) => {
        const src = document.querySelector(`script[data-${attr}]`).dataset[attr];
        const s = el('script', { src });
        s.onload = () => resolve(window[global]);
        s.onerror = reject;
        document.head.append(s);
      });
    }
    return loaded[attr];
  }
  const loadCompressor = () => loadScript('compression', 'imageCompression');

  /**
   * The capture time and place in the original photo's EXIF (a HEIC's too), read before it is
   * made smaller: sent beside the file, they stand in for what the re-encoding may drop. A time
   * ahead of the phone's clock is a wrong camera clock, not sent.
   */
  async function captureFacts(file) {
    const fields = [];
    try {
      const exifr = await loadScript('exif', 'exifr');
      const raw = await exifr.parse(file, {
        tiff: false,
        ifd0: false,
        exif: ['DateTimeOriginal', 'OffsetTimeOriginal', 'CreateDate'],
        gps: true,
        reviveValues: false,
      });
      if (!raw) return fields;
      const stamp = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(raw.DateTimeOriginal || raw.CreateDate || '');
      if (stamp) {
        const [, y, mo, d, h, mi, sec] = stamp;
        const offset = /^[+-]\d{2}:\d{2}$/.test(raw.OffsetTimeOriginal || '') ? raw.OffsetTimeOriginal : undefined;
        // Without a recorded offset the camera kept the phone's own time.
        const at = offset ? new Date(`${y}-${mo}-${d}T${h}:${mi}:${sec}${offset}`) : new Date(+y, mo - 1, +d, +h, +mi, +sec);
        if (!Number.isNaN(at.getTime()) && at.getTime() <= Date.now()) fields.push(['takenAt', at.toISOString()]);
      }
      const { latitude: lat, longitude: lon } = raw;
      if (Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && (lat || lon)) {
        fields.push(['lat', lat.toFixed(6)], ['lon', lon.toFixed(6)]);
      }
    } catch {
      /* No EXIF to read: the file goes up with what it has. */
    }
    return fields;
  }

  async function smallerPhoto(file, state) {
    const heic = /\.(heic|heif)$/i.test(file.name) || /heic|heif/.test(file.type);
    if (!file.type.startsWith('image/') && !heic) return { blob: file, name: file.name };
    if (file.size < 700 * 1024 && !heic) return { blob: file, name: file.name };
    try {
      if (state) state.textContent = T.compressing;
      const imageCompression = await loadCompressor();
      const out = await imageCompression(file, {
        maxWidthOrHeight: 1600,
        maxSizeMB: 0.9,
        initialQuality: 0.8,
        fileType: 'image/jpeg',
        preserveExif: true,
        useWebWorker: false,
      });
      const name = file.name.replace(/\.[^.]+$/, '') + '.jpg';
      return { blob: out, name, note: fill(T.photoSize, { from: mb(file.size), to: mb(out.size) }) };
    } catch {
      // A photo the browser cannot decode (HEIC on most browsers) goes up as it is.
      return { blob: file, name: file.name };
    }
  }

  function fieldsOf(form) {
    const fields = [];
    for (const [k, v] of new FormData(form)) if (typeof v === 'string' && k !== '_csrf') fields.push([k, v]);
    return fields;
  }

  /** Where a sent form's page shows the result: the redirect target, or the page itself. */
  function replaceMain(html) {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const main = doc.getElementById('main');
    if (main) document.getElementById('main').replaceWith(main);
    main?.focus();
  }

  async function queue(form) {
    const kind = form.dataset.outbox;
    // The attribute, not form.action: a form with a field named "action" hides that property.
    const action = new URL(form.getAttribute('action'), location.href);
    const item = {
      kind,
      url: action.origin + action.pathname,
      fields: fieldsOf(form),
      // The form's own token: a form without one is refused as the plain form would be.
      csrf: form.querySelector('input[name="_csrf"]')?.value || action.searchParams.get('_csrf') || '',
      user: body.dataset.user,
      label: form.dataset.label || ticket?.label || document.title,
      page: location.pathname + location.search,
    };
    if (ticket && (kind === 'evidence' || kind === 'transition')) {
      item.ticketId = ticket.ticket;
      item.since = Number(ticket.head) || 0;
      item.statusSeen = ticket.status;
    }
    if (kind === 'evidence') {
      const input = form.querySelector('input[type=file]');
      const file = input.files && input.files[0];
      if (!file) return;
      const photoState = document.getElementById('photo-state');
      if (file.type.startsWith('image/') || /\.(heic|heif)$/i.test(file.name)) item.fields.push(...(await captureFacts(file)));
      const photo = await smallerPhoto(file, photoState);
      if (photoState) photoState.textContent = photoState.dataset.empty || '';
      item.file = photo.blob;
      item.filename = photo.name;
      item.sizeNote = photo.note;
      item.label = `${item.label} · ${photo.name}`;
    }
    const added = await Outbox.add(item);
    if (form.dataset.draft) localStorage.removeItem(`rt-draft:${form.dataset.draft}`);
    form.reset();
    await render();
    if (!navigator.onLine) {
      await registerSync();
      announce(T.queued);
      return;
    }
    const outcome = await sendNow(true);
    // Not sent while the user looked on: the browser sends it when the connection returns.
    if (await Outbox.get(added.id)) await registerSync();
    const mine = outcome.find((o) => o.item.id === added.id);
    if (mine && mine.result === 'sent' && !(await Outbox.list()).length) {
      const target = (mine.url || location.href).replace(/#.*$/, '') + (form.dataset.after || '');
      if (target.split('#')[0] === location.href.split('#')[0]) {
        // The same page with another fragment: load it again, or the browser would only scroll.
        history.replaceState(null, '', target);
        location.reload();
      } else location.assign(target);
    } else if (mine && mine.result === 'failed' && mine.html) {
      // Refused while the user looks on: the answer shows as a plain form's would (a refused
      // form again with the values and what is wrong), and nothing is left waiting.
      await Outbox.remove(added.id);
      replaceMain(mine.html);
      await render();
    } else {
      announce(T.queued);
    }
  }

  // A ticket page may be used offline: fetch the photo compressor and EXIF reader now, so the
  // service worker keeps them.
  if (document.querySelector('form[data-outbox="evidence"]') && navigator.onLine) {
    window.addEventListener('load', () => {
      const script = document.querySelector('script[data-compression]');
      if (!script || !navigator.serviceWorker?.controller) return;
      for (const src of [script.dataset.compression, script.dataset.exif]) if (src) void fetch(src).catch(() => undefined);
    });
  }

  function announce(text) {
    if (!syncState) return;
    syncState.textContent = navigator.onLine ? text : `${text} ${fill(T.lastSynced, { time: body.dataset.renderedLabel })}`;
    syncState.hidden = false;
  }

  if (Outbox) {
    document.addEventListener('submit', (e) => {
      const form = e.target.closest && e.target.closest('form[data-outbox]');
      if (!form || e.defaultPrevented) return;
      e.preventDefault();
      const button = form.querySelector('button[type=submit]');
      if (button) button.disabled = true;
      queue(form)
        .catch((err) => announce(String(err && err.message ? err.message : err)))
        .finally(() => {
          if (button) button.disabled = false;
        });
    });
    document.getElementById('outbox-send')?.addEventListener('click', () => void sendNow());
    window.addEventListener('online', () => {
      showSync();
      void sendNow();
    });
    window.addEventListener('offline', showSync);
    void render().then(() => (navigator.onLine ? sendNow() : undefined));
  }

  /* The photo input is hidden behind its label (a button in the page's language): name the choice. */
  const photoInput = document.getElementById('photo');
  photoInput?.addEventListener('change', () => {
    const state = document.getElementById('photo-state');
    const file = photoInput.files && photoInput.files[0];
    if (state) state.textContent = file ? `${file.name} · ${mb(file.size)}` : state.dataset.empty || '';
  });

  /* Self-check drafts: what is typed is kept on the phone until it is filed. */
  for (const form of document.querySelectorAll('form[data-draft]')) {
    const key = `rt-draft:${form.dataset.draft}`;
    const note = form.querySelector('.draft-state');
    const saved = localStorage.getItem(key);
    if (saved && !document.getElementById('form-problems')) {
      try {
        for (const [name, value] of JSON.parse(saved)) {
          const fields = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
          for (const f of fields) {
            if (f.type === 'radio') f.checked = f.value === value;
            else if (f.type !== 'hidden') f.value = value;
          }
        }
        if (note) note.textContent = T.draftRestored;
      } catch {
        localStorage.removeItem(key);
      }
    }
    form.addEventListener('input', () => {
      form.classList.add('dirty');
      localStorage.setItem(key, JSON.stringify(fieldsOf(form)));
      if (note) note.textContent = T.draftSaved;
    });
  }
})();
