// The static site's service worker: once the page has been visited, the
// site's own files (the page, the engine, the kinds, the fonts fetched so
// far) are answered from the cache, so the page works offline. It caches
// only GETs of this site's own files; nothing else passes through it.
'use strict';

const CACHE = 'postkit-site-v1';
const CORE = ['./', 'index.html', 'assets/app.js', 'assets/batch.js', 'assets/app.css', 'assets/engine-wasm.js',
  'assets/engine-worker.js', 'assets/postkit_web.js', 'assets/postkit_web_bg.wasm.gz',
  'assets/i18n-languages.json', 'fonts/index.json', 'data/setup.json'];

// The page and the engine, and the fonts every text needs (Latin's). The
// batch engine (postkit_batch) is kept when the batch mode first fetches it.
self.addEventListener('install', (ev) => {
  ev.waitUntil(caches.open(CACHE).then(async (c) => {
    await c.addAll(CORE);
    // Every language's words (a few KB each), as the page may switch.
    const langs = await (await c.match('assets/i18n-languages.json')).json();
    await c.addAll(langs.map((l) => `assets/i18n-${l.tag}.json`));
    const index = await (await c.match('fonts/index.json')).json();
    await c.addAll(index.filter((f) => f.scripts.includes('Latin')).map((f) => `fonts/${f.path || f.file}`));
  }).then(() => self.skipWaiting()));
});

// Files the page fetched before this worker controlled it (a font for a
// script typed on the first visit): kept too.
self.addEventListener('message', (ev) => {
  const urls = ((ev.data && ev.data.cache) || [])
    .filter((u) => new URL(u, self.location.href).origin === self.location.origin);
  ev.waitUntil(caches.open(CACHE).then((c) => c.addAll(urls)).catch(() => {}));
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// Network first (a new build is picked up when online), the cache when the
// network fails; every answer of the site's own files is kept.
self.addEventListener('fetch', (ev) => {
  const req = ev.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  ev.respondWith(fetch(req).then((res) => {
    if (res.ok) {
      const copy = res.clone();
      caches.open(CACHE).then((c) => c.put(req, copy));
    }
    return res;
  }).catch(() => caches.match(req, { ignoreSearch: true }).then((hit) => hit || Response.error())));
});
