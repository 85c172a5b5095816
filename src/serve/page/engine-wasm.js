// The page's engine in the browser (the static site, scripts/site.sh): the
// same answers as postkit serve's API, made by postkit's engine compiled to
// WebAssembly, in a small pool of Web Workers (engine-worker.js; no shared
// memory). app.js calls `window.postkitEngine.fetch` where it would call the
// server; this file answers `/api/...` itself, and nothing the partner types
// or uploads leaves the browser: the only requests are GETs of the site's
// own files (the engine, the kinds, the fonts a text's scripts need).
// Chosen by <meta name="postkit-engine" content="wasm">, which the site
// build writes; without it app.js talks to the server as before.
'use strict';

(() => {
  const meta = document.querySelector('meta[name="postkit-engine"]');
  if (!meta || meta.content !== 'wasm') return;

  const base = new URL('.', document.baseURI);
  const site = (path) => new URL(path, base).href;
  // One engine worker a core, at most three (each its own instance and
  // memory): on a 2-core laptop two workers halve the five previews' time
  // (BENCHMARKS.md); the page's own thread is mostly idle while they draw.
  const POOL = Math.max(1, Math.min(3, navigator.hardwareConcurrency || 2));
  const today = () => {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  };

  // ---- fonts: fetched by script, with progress --------------------------

  let fontIndex = null; // [{file, path, family, scripts, bytes}]: path as stored, bytes on the wire
  const fontBytes = new Map(); // file -> Promise<ArrayBuffer>
  const progress = { want: 0, have: 0, names: new Set() };

  function progressLine() {
    let p = document.getElementById('font-progress');
    if (!p) {
      const status = document.getElementById('status');
      if (!status) return null;
      p = document.createElement('p');
      p.id = 'font-progress';
      p.className = 'hint';
      p.setAttribute('role', 'status');
      p.append(document.createElement('span'), document.createElement('progress'));
      status.after(p);
    }
    return p;
  }

  function showProgress() {
    const p = progressLine();
    if (!p) return;
    if (progress.have >= progress.want) {
      p.hidden = true;
      progress.want = 0;
      progress.have = 0;
      progress.names.clear();
      return;
    }
    p.hidden = false;
    const names = Array.from(progress.names).join(', ');
    const pct = Math.floor((100 * progress.have) / Math.max(1, progress.want));
    // The page's words (app.js hands its catalogue lookup over), else English.
    const t = window.postkitEngine.t || ((k, v) => `Loading the font for ${v.names}… ${v.pct}%`);
    p.firstChild.textContent = `${t('site.font_loading', { names, pct })} `;
    p.lastChild.max = progress.want;
    p.lastChild.value = progress.have;
  }

  // The site stores the engine and the fonts gzip-compressed (site.sh), so
  // that even a host that compresses nothing sends them small; they are
  // unpacked here as they arrive (DecompressionStream). A host that sends
  // such a file with Content-Encoding: gzip has had the browser unpack it
  // already: then there is no gzip header, and the bytes are used as they
  // are. `onBytes` hears of every piece as it comes off the wire.
  async function unpacked(res, onBytes) {
    const reader = res.body.getReader();
    let pending = await reader.read();
    const head = pending.done ? null : pending.value;
    const gzip = head && head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
    const raw = new ReadableStream({
      async pull(ctl) {
        const { done, value } = pending || (await reader.read());
        pending = null;
        if (done) { ctl.close(); return; }
        if (onBytes) onBytes(value.length);
        ctl.enqueue(value);
      },
      cancel: (why) => reader.cancel(why),
    });
    if (!gzip) return raw;
    if (typeof DecompressionStream === 'undefined') {
      throw new Error('this browser cannot unpack the engine (no DecompressionStream); open the page in a current Chrome, Edge, Firefox or Safari');
    }
    return raw.pipeThrough(new DecompressionStream('gzip'));
  }

  async function getFont(entry, label) {
    if (fontBytes.has(entry.file)) return fontBytes.get(entry.file);
    const job = (async () => {
      progress.want += entry.bytes;
      progress.names.add(label);
      showProgress();
      const url = site(`fonts/${entry.path || entry.file}`);
      const direct = !(navigator.serviceWorker && navigator.serviceWorker.controller);
      const res = await fetch(url);
      if (!res.ok || !res.body) throw new Error(`the font ${entry.file} could not be loaded (${res.status})`);
      let n = 0;
      const bytes = await new Response(await unpacked(res, (k) => {
        n += k;
        progress.have += k;
        showProgress();
      })).arrayBuffer();
      progress.have += Math.max(0, entry.bytes - n);
      showProgress();
      // Fetched before the service worker controlled the page: it keeps a copy.
      if (direct && navigator.serviceWorker && window.isSecureContext) {
        navigator.serviceWorker.ready.then((reg) => reg.active && reg.active.postMessage({ cache: [url] }));
      }
      return bytes;
    })();
    fontBytes.set(entry.file, job);
    job.catch(() => fontBytes.delete(entry.file));
    return job;
  }

  const scriptTests = new Map();
  function usesScript(text, script) {
    if (!scriptTests.has(script)) {
      let re = null;
      if (script === 'Emoji') re = /\p{Emoji_Presentation}|\uFE0F/u;
      else {
        try { re = new RegExp(`\\p{Script=${script}}`, 'u'); } catch (_) { re = null; }
      }
      scriptTests.set(script, re);
    }
    const re = scriptTests.get(script);
    return re ? re.test(text) : false;
  }

  // The font files a text needs: the default family's always, and every
  // file serving a script the text has (the index the site build wrote).
  function fontsFor(text) {
    const out = [];
    for (const f of fontIndex) {
      const always = f.scripts.includes('Latin');
      const hit = always ? 'Latin' : f.scripts.find((s) => s !== 'Common' && s !== 'Inherited' && usesScript(text, s));
      if (hit) out.push([f, hit === 'Emoji' ? 'emoji' : hit.replace(/_/g, ' ')]);
    }
    return out;
  }

  // ---- the pool ------------------------------------------------------------

  let module = null; // WebAssembly.Module, compiled once, sent to each worker
  let setup = null; // {campaign, platforms, templates}
  const workers = [];
  const queue = [];
  let seq = 0;

  // How many engine workers the pool has started, restarts included (the
  // page's test checks that a crashed one is replaced).
  const pool = { size: POOL, started: 0 };

  function spawn(slot) {
    pool.started += 1;
    const w = { worker: new Worker(site('assets/engine-worker.js'), { type: 'module' }), busy: null, fonts: new Set(), slot };
    w.worker.onmessage = (ev) => finish(w, ev.data);
    w.worker.onerror = (ev) => { ev.preventDefault(); crashed(w, ev.message || 'the engine stopped'); };
    w.worker.postMessage({ kind: 'init', module, setup });
    workers[slot] = w;
    return w;
  }

  // A panic ends the engine's instance: answer the job that was running as
  // failed (naming its size) and start a fresh worker in its place.
  function crashed(w, message) {
    const job = w.busy;
    w.worker.terminate();
    spawn(w.slot);
    if (job) job.reject(Object.assign(new Error(message), { crashed: true }));
    pump();
  }

  function finish(w, msg) {
    if (msg.kind === 'crash') { crashed(w, msg.message); return; }
    const job = w.busy;
    w.busy = null;
    for (const f of msg.fonts || []) w.fonts.add(f);
    if (job) job.resolve(msg);
    pump();
  }

  // The next job nobody has given up on (the page aborts a render when the
  // partner types on): those are answered as aborted, never run.
  function nextJob() {
    while (queue.length) {
      const job = queue.shift();
      if (!(job.signal && job.signal.aborted)) return job;
      job.reject(new DOMException('aborted', 'AbortError'));
    }
    return null;
  }

  async function pump() {
    for (const w of workers) {
      if (w.busy) continue;
      const job = nextJob();
      if (!job) return;
      w.busy = job;
      const fonts = [];
      for (const [f] of job.fonts) {
        if (!w.fonts.has(f.file)) fonts.push([f.file, await fontBytes.get(f.file)]);
      }
      w.worker.postMessage({ ...job.msg, id: job.id, fonts });
    }
  }

  // Runs one message on the next free worker, once the fonts it needs are here.
  async function run(msg, text, signal) {
    await ready;
    const fonts = fontsFor(text || '');
    await Promise.all(fonts.map(([f, label]) => getFont(f, label)));
    return new Promise((resolve, reject) => {
      queue.push({ id: (seq += 1), msg, fonts, resolve, reject, signal });
      pump();
    });
  }

  // An engine's .wasm.gz, fetched, unpacked and compiled as it arrives.
  async function compiled(url) {
    const res = await fetch(url);
    if (!res.ok || !res.body) throw new Error(`the engine could not be loaded (${res.status})`);
    const wasm = new Response(await unpacked(res), { headers: { 'Content-Type': 'application/wasm' } });
    return WebAssembly.compileStreaming(wasm);
  }

  const ready = (async () => {
    const [wasm, index, setupRes] = await Promise.all([
      compiled(site('assets/postkit_web_bg.wasm.gz')),
      fetch(site('fonts/index.json')).then((r) => r.json()),
      fetch(site('data/setup.json')).then((r) => r.json()),
    ]);
    module = wasm;
    fontIndex = index;
    setup = setupRes;
    for (let i = 0; i < POOL; i += 1) spawn(i);
  })();

  // ---- the batch engine: a worker of its own -------------------------------

  // The page's "Many organisations" mode: a sheet checked and made into one
  // zip by the site's batch engine (postkit_batch: the same engine with the
  // spreadsheet reader, the review page and the contact sheets), fetched
  // the first time the mode is used, so a first visit does not carry it. It
  // runs on a worker of its own, one job at a time: the pool goes on
  // drawing the one-organisation previews.
  let batchModule = null; // Promise<WebAssembly.Module>
  let batcher = null; // {worker, fonts, job}
  let batchTurn = Promise.resolve();
  const batchProgress = new Map(); // progress token -> {done, total}

  function batchEngine() {
    if (!batchModule) {
      const files = [site('assets/postkit_batch_bg.wasm.gz'), site('assets/postkit_batch.js')];
      const direct = !(navigator.serviceWorker && navigator.serviceWorker.controller);
      batchModule = compiled(files[0]);
      batchModule.then(() => {
        // Fetched before the service worker controlled the page: it keeps a copy.
        if (direct && navigator.serviceWorker && window.isSecureContext) {
          navigator.serviceWorker.ready.then((reg) => reg.active && reg.active.postMessage({ cache: files }));
        }
      }, () => { batchModule = null; });
    }
    return batchModule;
  }

  function batchCrashed(b, message) {
    b.worker.terminate();
    if (batcher === b) batcher = null;
    const job = b.job;
    b.job = null;
    if (job) job.reject(Object.assign(new Error(message), { crashed: true }));
  }

  async function startBatcher() {
    await ready;
    const mod = await batchEngine();
    if (batcher) return batcher;
    const b = { worker: new Worker(site('assets/engine-worker.js'), { type: 'module' }), fonts: new Set(), job: null };
    b.worker.onmessage = (ev) => {
      const msg = ev.data;
      const job = b.job;
      if (msg.kind === 'progress') {
        if (job && job.onProgress) job.onProgress(msg);
        return;
      }
      if (msg.kind === 'crash') { batchCrashed(b, msg.message); return; }
      b.job = null;
      for (const f of msg.fonts || []) b.fonts.add(f);
      if (job) job.resolve(msg);
    };
    b.worker.onerror = (ev) => { ev.preventDefault(); batchCrashed(b, ev.message || 'the engine stopped'); };
    b.worker.postMessage({ kind: 'init', module: mod, setup, batch: true });
    batcher = b;
    return b;
  }

  // Runs one message on the batch worker after the jobs before it, once the
  // fonts `text` needs are here.
  function runBatch(msg, text, onProgress) {
    const go = async () => {
      await ready;
      const fonts = fontsFor(text || '');
      await Promise.all(fonts.map(([f, label]) => getFont(f, label)));
      const b = await startBatcher();
      const send = [];
      for (const [f] of fonts) {
        if (!b.fonts.has(f.file)) send.push([f.file, await fontBytes.get(f.file)]);
      }
      return new Promise((resolve, reject) => {
        b.job = { resolve, reject, onProgress };
        b.worker.postMessage({ ...msg, id: (seq += 1), fonts: send });
      });
    };
    const job = batchTurn.then(go, go);
    batchTurn = job.catch(() => {});
    return job;
  }

  // POST /api/batch/check and /api/batch: the sheet's words first (for the
  // fonts its scripts need), then the check, or the batch with its
  // progress kept for the page's token.
  async function batchAnswer(url, body) {
    const entries = await formEntries(body);
    const token = (entries.texts.find(([n]) => n === 'progress') || [])[1];
    const texts = entries.texts.filter(([n]) => n !== 'progress');
    const msg = { texts, files: entries.files, today: today() };
    try {
      const sheet = entries.files.filter(([n]) => n === 'sheet');
      const words = await runBatch({ ...msg, files: sheet, kind: 'batch-text' }, '');
      const text = `${new TextDecoder().decode(words.reply.body)}\n${textOf(texts)}`;
      if (url === '/api/batch/check') {
        return reply((await runBatch({ ...msg, kind: 'batch-check' }, text)).reply);
      }
      if (token) batchProgress.set(token, { done: 0, total: 0 });
      const keep = (p) => { if (token) batchProgress.set(token, { done: p.done, total: p.total }); };
      const r = (await runBatch({ ...msg, kind: 'batch' }, text, keep)).reply;
      if (r.status !== 200) return reply(r);
      return new Response(r.body, {
        status: 200,
        headers: {
          'Content-Type': r.content_type,
          'Content-Disposition': `attachment; filename="${r.file_name}"`,
          'X-Postkit-Assets': String(r.assets),
          'X-Postkit-Failed': String(r.failures),
        },
      });
    } catch (e) {
      const message = e.crashed
        ? `the engine failed while making this (${e.message}); try again, or with fewer rows`
        : `the batch engine could not be loaded (${e.message}); reload the page while online and try again`;
      return json(500, { error: { message, class: 'internal' } });
    } finally {
      if (token) batchProgress.delete(token);
    }
  }

  // GET /api/batch/progress/TOKEN: how far the batch sent with it is.
  function batchProgressAnswer(url) {
    const p = batchProgress.get(url.slice('/api/batch/progress/'.length));
    if (!p) return json(404, { error: { message: 'no batch is running with this progress token (it has ended, or not begun)', class: 'bad_input' } });
    return json(200, p);
  }

  // ---- the API, answered here ---------------------------------------------

  const reply = (r) => new Response(r.body, {
    status: r.status,
    headers: Object.assign(
      { 'Content-Type': r.content_type },
      r.file_name ? { 'Content-Disposition': `attachment; filename="${r.file_name}"` } : {},
      r.failed ? { 'X-Postkit-Failed-Assets': r.failed, 'X-Postkit-Failed': String(r.failed.split(', ').length) } : {},
    ),
  });

  const json = (status, body) => new Response(JSON.stringify(body), {
    status, headers: { 'Content-Type': 'application/json' },
  });

  async function formEntries(fd) {
    const texts = [];
    const files = [];
    for (const [name, value] of fd.entries()) {
      if (typeof value === 'string') texts.push([name, value]);
      else files.push([name, value.name || '(uploaded file)', await value.arrayBuffer()]);
    }
    return { texts, files };
  }

  // What the fonts must cover: everything typed, and the campaign's words.
  const textOf = (texts) => texts.map(([, v]) => v).join('\n') + (setup ? `\n${setup.campaignText || ''}` : '');

  // The previews: one job per size, on the pool at once, merged in order
  // into the server's JSON answer; a size whose engine failed is named.
  async function renderJSON(entries, accept, signal) {
    const platforms = entries.texts.filter(([n]) => n === 'platform').map(([, v]) => v);
    const rest = entries.texts.filter(([n]) => n !== 'platform');
    const text = textOf(entries.texts);
    const parts = (platforms.length ? platforms : [null]).map((p) => {
      const texts = p === null ? rest : [...rest, ['platform', p]];
      return run({ kind: 'render', texts, files: entries.files, accept, today: today() }, text, signal)
        .then((m) => ({ p, m }), (e) => ({ p, e }));
    });
    const done = await Promise.all(parts);
    if (signal && signal.aborted) throw new DOMException('aborted', 'AbortError');
    const template = (entries.texts.find(([n]) => n === 'template') || [])[1] || '';
    const assets = [];
    const errors = [];
    let firstError = null;
    for (const { p, m, e } of done) {
      if (e) {
        errors.push({ template, platform: p, message: `the engine failed while drawing this size (${e.message}); try again`, class: 'internal' });
        continue;
      }
      const body = JSON.parse(new TextDecoder().decode(m.reply.body));
      if (m.reply.status === 200) {
        assets.push(...body.assets);
        errors.push(...body.errors);
      } else {
        firstError = firstError || m.reply;
        const err = body.error || {};
        const prefix = `${template} ${p}: `;
        const message = (err.message || '').startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
        errors.push({ template, platform: p, message, field: err.field, class: err.class });
      }
    }
    if (!assets.length && firstError) return reply(firstError);
    return json(200, { assets, errors });
  }

  async function engineFetch(url, init = {}) {
    // The page's own files by the server's addresses (/assets/…): here,
    // beside the page, which may be in a subfolder.
    if (typeof url === 'string' && url.startsWith('/assets/')) return fetch(site(url.slice(1)), init);
    if (typeof url !== 'string' || !url.startsWith('/api/')) return fetch(url, init);
    const method = (init.method || 'GET').toUpperCase();
    const headers = new Headers(init.headers || {});
    const accept = headers.get('Accept') || 'application/json';
    if (method === 'GET' && url.startsWith('/api/batch/progress/')) return batchProgressAnswer(url);
    if (method === 'POST' && (url === '/api/batch/check' || url === '/api/batch')) return batchAnswer(url, init.body);
    if (method === 'GET' && !url.startsWith('/api/render')) {
      const m = await run({ kind: 'get', path: url, today: today() }, '', init.signal);
      return reply(m.reply);
    }
    if (url === '/api/render' && method === 'POST') {
      const entries = await formEntries(init.body);
      const wantsJSON = !/application\/zip|image\/png|video\/mp4/.test(accept);
      if (wantsJSON) return renderJSON(entries, accept, init.signal);
      try {
        const m = await run({ kind: 'render', ...entries, accept, today: today() }, textOf(entries.texts), init.signal);
        return reply(m.reply);
      } catch (e) {
        if (!e.crashed) throw e;
        return json(500, { error: { message: `the engine failed while making this (${e.message}); try again`, class: 'internal' } });
      }
    }
    return json(404, { error: { message: 'this page makes images in your browser, for one organisation or a whole spreadsheet; clips are made by the server only (postkit serve)', class: 'bad_input' } });
  }

  // `prepareBatch`: the page's batch mode was opened; the batch engine is
  // fetched and started while the partner chooses the sheet.
  const prepareBatch = () => { startBatcher().catch(() => {}); };
  window.postkitEngine = { fetch: engineFetch, kind: 'wasm', ready, prepareBatch, pool };

  // ---- what the page says, and offline -----------------------------------

  // The page's promise, and the sizes it does not make, in the page's
  // language: app.js fills every data-i18n element from its catalogue
  // (site.* keys, in src/serve/page/i18n/).
  function sayLocal() {
    const privacy = document.querySelector('.privacy');
    if (privacy) {
      const lead = document.createElement('strong');
      lead.dataset.i18n = 'site.privacy_lead';
      lead.textContent = 'Nothing leaves your device:';
      const rest = document.createElement('span');
      rest.dataset.i18n = 'site.privacy';
      rest.textContent = 'your story, photos and logo are drawn into images here, in your browser. Nothing you type or upload is sent anywhere. Once this page has loaded, it also works offline.';
      privacy.replaceChildren(lead, ' ', rest);
    }
    note(document.getElementById('sizes'), 'clips-note', 'site.clips',
      'Video clips (Reels, TikTok, Shorts) are made by the server version of this tool only; this page makes images.');
    note(document.querySelector('.batch-lede'), 'batch-note', 'site.batch_note',
      'Your spreadsheet, logos and photos are read here, in your browser, and are not uploaded anywhere. For a very large campaign, use postkit batch on a computer.');
  }

  // A hint after `where` (once), in the catalogue's words for `key`.
  function note(where, id, key, english) {
    if (!where || document.getElementById(id)) return;
    const p = document.createElement('p');
    p.id = id;
    p.className = 'hint';
    p.dataset.i18n = key;
    p.textContent = english;
    where.after(p);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', sayLocal);
  else sayLocal();

  if ('serviceWorker' in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(site('sw.js')).catch(() => {});
  }
})();
