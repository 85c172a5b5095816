// postkit's page, "Many organisations": a spreadsheet and the logos and
// photos it names are checked row by row (POST /api/batch/check: every
// row's problem by its row and cell, previews of the first rows' cards),
// then every kit is made at once (POST /api/batch) into one zip, with the
// progress asked for while it runs (GET /api/batch/progress/TOKEN); on the
// static site the browser's engine answers them (engine-wasm.js).
// Vanilla ES2020; the words come from app.js's catalogues.
'use strict';

(() => {
  // The server, or the static site's engine in this browser (engine-wasm.js),
  // which answers the same addresses without sending anything anywhere.
  const engine = () => window.postkitEngine;
  const fetch = (url, init) => ((engine() && engine().fetch) || window.fetch.bind(window))(url, init);
  const $ = (sel) => document.querySelector(sel);
  const t = (key, vars) => window.postkit.t(key, vars);
  const tn = (key, n, vars) => window.postkit.tn(key, n, vars);
  const el = (tag, props = {}, ...kids) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else node.setAttribute(k, v);
    }
    for (const kid of kids) if (kid) node.append(kid);
    return node;
  };

  // What was chosen and what the server said: redrawn in the page's
  // language when it changes.
  const state = { checked: null, error: null, busy: false, made: null, progress: null, seq: 0 };

  function setMode(many) {
    $('#mode-one').setAttribute('aria-pressed', String(!many));
    $('#mode-many').setAttribute('aria-pressed', String(many));
    $('main.layout').hidden = many;
    $('#batch').hidden = !many;
    const url = new URL(location.href);
    if (many) url.searchParams.set('mode', 'many'); else url.searchParams.delete('mode');
    history.replaceState(null, '', url);
    document.body.dataset.mode = many ? 'many' : 'one';
    if (many && engine() && engine().prepareBatch) engine().prepareBatch();
  }

  // The sheet and the files as a form; `more` adds fields.
  function formOf(more = {}) {
    const fd = new FormData();
    fd.append('sheet', $('#batch-sheet').files[0]);
    for (const f of $('#batch-files').files) fd.append('files', f, f.name);
    for (const [k, v] of Object.entries(more)) fd.append(k, v);
    return fd;
  }

  // An error answer's words (the API's JSON error, else the status).
  async function errorOf(res) {
    try {
      const j = await res.json();
      if (j && j.error && j.error.message) return j.error.message;
    } catch (_) { /* not JSON */ }
    return t('batch.server_said', { status: res.status });
  }

  function status(text, kind = '') {
    const s = $('#batch-status');
    s.textContent = text;
    s.className = `status ${kind}`.trim();
  }

  function chosenLine() {
    const sheet = $('#batch-sheet').files[0];
    const n = $('#batch-files').files.length;
    $('#batch-chosen').textContent = sheet
      ? `${sheet.name}${n ? ` · ${tn('batch.files_chosen', n)}` : ''}` : '';
  }

  async function check() {
    chosenLine();
    const sheet = $('#batch-sheet').files[0];
    state.checked = null; state.error = null; state.made = null;
    $('#batch-done').hidden = true;
    draw();
    if (!sheet) return;
    const seq = ++state.seq;
    status(t('batch.checking'));
    let answer = null; let error = null;
    try {
      const res = await fetch('/api/batch/check', { method: 'POST', body: formOf(), headers: { Accept: 'application/json' } });
      if (res.ok) answer = await res.json(); else error = await errorOf(res);
    } catch (e) {
      error = t('batch.not_connected');
    }
    if (seq !== state.seq) return; // a newer choice is being checked
    state.checked = answer; state.error = error;
    draw();
  }

  // "row 3 (Partners!C4, column logo): the sheet names…" → what to do,
  // the row and cell being shown beside it.
  function whatToDo(message) {
    return message.replace(/^row \d+ \([^)]*\)(: column [^:]+)?: /, '');
  }

  function problemsTable(problems) {
    const table = el('table', { class: 'batch-problems' });
    table.append(el('caption', { text: tn('batch.problems', problems.length) }));
    table.append(el('thead', {}, el('tr', {},
      el('th', { scope: 'col', text: t('batch.col_row') }),
      el('th', { scope: 'col', text: t('batch.col_cell') }),
      el('th', { scope: 'col', text: t('batch.col_todo') }))));
    const body = el('tbody');
    for (const p of problems) {
      const column = p.column ? t('batch.column', { column: p.column }) : '';
      const cell = p.cell && column ? `${p.cell} (${column})` : (p.cell || column);
      body.append(el('tr', { 'data-row': String(p.row) },
        el('td', { text: String(p.row) }),
        el('td', { class: 'cell', text: cell }),
        el('td', { text: whatToDo(p.message) })));
    }
    table.append(body);
    return table;
  }

  function card(p) {
    const img = el('img', { alt: p.alt || '', src: p.preview || '' });
    return el('article', { class: 'card' },
      el('div', { class: 'frame' }, img),
      el('div', { class: 'card-body' },
        el('h3', { text: p.org }),
        el('p', { class: 'dims', text: t('batch.card_row', { row: p.row, template: p.template, platform: p.platform }) })));
  }

  // Everything shown from the state, in the page's language.
  function draw() {
    const c = state.checked;
    const problems = $('#batch-problems');
    const cards = $('#batch-cards');
    problems.replaceChildren();
    cards.replaceChildren();
    $('#batch-make').disabled = !c || !c.assets || state.busy;
    if (state.error) return status(state.error, 'bad');
    if (!c) {
      if (!$('#batch-sheet').files[0]) status(t('batch.waiting'));
      return;
    }
    const read = t('batch.read', { file: c.file, how: c.read });
    const rows = tn('batch.rows', c.rows);
    const assets = tn('batch.assets', c.assets);
    const kind = c.problems.length ? 'warn' : 'good';
    const tail = c.problems.length ? tn('batch.problems', c.problems.length) : t('batch.no_problems');
    status(`${rows} · ${assets} · ${tail}`, kind);
    problems.append(el('p', { class: 'hint', text: read }));
    if (c.problems.length) problems.append(problemsTable(c.problems));
    for (const p of c.previews) cards.append(card(p));
    if (state.busy) return drawProgress();
    if (state.made) {
      $('#batch-progress').hidden = false;
      $('#batch-bar').max = 1; $('#batch-bar').value = 1;
      const m = state.made;
      $('#batch-progress-text').textContent = m.failed
        ? `${tn('batch.made', m.assets)} · ${tn('batch.failed', m.failed)}` : tn('batch.made', m.assets);
    }
  }

  function drawProgress() {
    const p = state.progress;
    $('#batch-progress').hidden = false;
    const bar = $('#batch-bar');
    const text = $('#batch-progress-text');
    if (!p || !p.total) {
      bar.removeAttribute('value');
      const local = engine() && engine().kind === 'wasm';
      const sending = local ? t('site.batch_reading') : t('batch.sending');
      text.textContent = p && p.sending ? sending : t('batch.starting');
      return;
    }
    bar.max = p.total; bar.value = p.done;
    text.textContent = t('batch.progress', { done: p.done, total: p.total });
  }

  // A token only this page knows, to ask how far its batch is.
  function token() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  async function make() {
    if (state.busy || !state.checked) return;
    const tok = token();
    state.busy = true; state.made = null;
    state.progress = { sending: true };
    $('#batch-done').hidden = true;
    draw();
    let polling = true;
    const poll = async () => {
      while (polling) {
        await new Promise((r) => setTimeout(r, 700));
        if (!polling) break;
        try {
          const res = await fetch(`/api/batch/progress/${tok}`, { headers: { Accept: 'application/json' } });
          if (res.ok && polling) { state.progress = await res.json(); drawProgress(); }
        } catch (_) { /* the next poll may answer */ }
      }
    };
    poll();
    let blob = null; let error = null; let made = null;
    try {
      const res = await fetch('/api/batch', { method: 'POST', body: formOf({ progress: tok }) });
      if (res.ok) {
        blob = await res.blob();
        made = { assets: Number(res.headers.get('x-postkit-assets') || 0), failed: Number(res.headers.get('x-postkit-failed') || 0) };
      } else error = await errorOf(res);
    } catch (e) {
      error = t('batch.not_connected');
    }
    polling = false;
    state.busy = false; state.progress = null;
    $('#batch-progress').hidden = true;
    if (error) { state.error = error; draw(); state.error = null; return; }
    state.made = made;
    const a = $('#batch-download');
    if (a.href.startsWith('blob:')) URL.revokeObjectURL(a.href);
    a.href = URL.createObjectURL(blob);
    $('#batch-done').hidden = false;
    draw();
    a.click();
  }

  function start() {
    $('#mode-one').addEventListener('click', () => setMode(false));
    $('#mode-many').addEventListener('click', () => setMode(true));
    $('#batch-sheet').addEventListener('change', check);
    $('#batch-files').addEventListener('change', check);
    $('#batch-make').addEventListener('click', make);
    // The page's language changed: the words drawn here follow.
    new MutationObserver(() => { chosenLine(); draw(); })
      .observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
    if (new URLSearchParams(location.search).get('mode') === 'many') setMode(true);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
