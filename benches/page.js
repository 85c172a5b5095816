// The page's timings in headless Chromium, over the DevTools protocol:
// the static site (the engine in the browser) or `postkit serve` (the same
// page, renders on the server), on this machine, 127.0.0.1 only.
//
//   node --experimental-websocket benches/page.js DEVTOOLS_PORT URL [ROUNDS]
//
// Start Chromium first (headless, --remote-debugging-address=127.0.0.1
// --remote-debugging-port=DEVTOOLS_PORT, a fresh --user-data-dir) and
// serve the site (python3 -m http.server --directory target/site) or run
// `postkit serve`. Prints one JSON line:
// - open_ms: from navigating (a cold profile) to the five previews of a
//   story shown (the engine, the fonts, the first render);
// - reopen_ms: the same once visited (the service worker's cache, the
//   browser's cache);
// - previews_ms: p50/p95 over ROUNDS edits of the story, from the edit to
//   the five previews shown (the page waits 500 ms after typing stops
//   before it asks: included);
// - kit_ms: from "Download all" to the zip on the disk.
// Each wait stops by itself after 120 s.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const [port, url, roundsArg] = process.argv.slice(2);
const ROUNDS = Number(roundsArg || 10);
const STORY = 'When we arrived in Plymouth we knew no one. Today our neighbours teach us to bake, and we teach their children to sing.';

(async () => {
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const page = list.find((t) => t.type === 'page');
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  let id = 0;
  const pending = new Map();
  const send = (method, params = {}) => new Promise((resolve) => {
    id += 1;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if (m.id && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); }
  };
  await new Promise((r) => { ws.onopen = r; });
  const js = async (expr) => {
    const r = await send('Runtime.evaluate', { expression: expr, awaitPromise: true, returnByValue: true });
    return r.result && r.result.result ? r.result.result.value : undefined;
  };
  const until = async (what, expr) => {
    const t0 = Date.now();
    for (;;) {
      if (await js(expr)) return Date.now() - t0;
      if (Date.now() - t0 > 120000) throw new Error(`${what}: not within 120 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  // Five previews shown for the story typed (every card's image decoded,
  // the render settled).
  const shown = `(() => {
    const imgs = [...document.querySelectorAll('#cards .card img')];
    return document.body.dataset.render === 'done' && imgs.length === 5
      && imgs.every((i) => i.complete && i.naturalWidth > 0);
  })()`;
  const type = (story) => js(`(() => {
    const set = (id, v) => { const e = document.getElementById(id); e.value = v; e.dispatchEvent(new Event('input', { bubbles: true })); };
    set('org', 'Plymouth Welcome Hub');
    set('story', ${JSON.stringify(story)});
    document.body.dataset.render = 'typed';
  })()`);
  const open = async () => {
    const t0 = Date.now();
    await send('Page.navigate', { url });
    await until('the page loads', "document.body && document.body.dataset.ready === 'true'");
    await type(STORY);
    await until('five previews', shown);
    return Date.now() - t0;
  };

  await send('Page.enable');
  const openMs = await open();
  const reopenMs = await open();
  const times = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const t0 = Date.now();
    await type(`${STORY} (${i + 1})`);
    await until('five previews', shown);
    times.push(Date.now() - t0);
  }
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postkit-bench-'));
  await send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir });
  const t0 = Date.now();
  await js("document.getElementById('download-all').click()");
  for (;;) {
    const done = fs.readdirSync(dir).filter((f) => f.endsWith('.zip'));
    if (done.length) break;
    if (Date.now() - t0 > 120000) throw new Error('the zip: not within 120 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  const kitMs = Date.now() - t0;
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ url, open_ms: openMs, reopen_ms: reopenMs, previews_ms: { p50: q(0.5), p95: q(0.95), rounds: ROUNDS }, kit_ms: kitMs }));
  process.exit(0);
})().catch((e) => { console.error(`page.js: ${e.message}`); process.exit(1); });
