// postkit's page: a form whose every change is drawn by the engine itself
// (POST /api/render with a preview size), and downloads of the same images.
// Vanilla ES2020, no dependencies; the server's CSP allows nothing but itself.
'use strict';

(() => {
  // The engine: the server's API, or the engine in this browser on the
  // static site (engine-wasm.js, which answers the same requests).
  const fetch = (window.postkitEngine && window.postkitEngine.fetch) || window.fetch.bind(window);
  const $ = (sel, el = document) => el.querySelector(sel);
  const $$ = (sel, el = document) => Array.from(el.querySelectorAll(sel));
  const el = (tag, props = {}, ...kids) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else if (k in node && typeof v !== 'string') node[k] = v;
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const kid of kids) if (kid) node.append(kid);
    return node;
  };

  // ---- the page's language ------------------------------------------------
  // Every word of the page comes from a message catalogue
  // (/assets/i18n-TAG.json, listed in /assets/i18n-languages.json): the
  // language is the URL's ?lang=, else the browser's first language with a
  // catalogue, else English. Nothing is stored (no cookie, no storage).
  const i18n = { lang: 'en', dir: 'ltr', msgs: {}, en: {}, langs: [] };
  const t = (key, vars = {}) => {
    const s = i18n.msgs[key] ?? i18n.en[key] ?? key;
    return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  };
  const has = (key) => key in i18n.msgs || key in i18n.en;
  // The in-browser engine (static site) words its own lines with it.
  if (window.postkitEngine) window.postkitEngine.t = t;
  const num = (n) => new Intl.NumberFormat(i18n.lang).format(n);
  // A message by the CLDR plural category of n (key.one, key.few, …).
  const tn = (key, n, vars = {}) => {
    const cat = new Intl.PluralRules(i18n.lang).select(n);
    const k = `${key}.${cat}` in i18n.msgs ? `${key}.${cat}` : `${key}.other`;
    return t(k, { ...vars, n: num(n) });
  };
  // A language's name in the page's language ('' when the browser has none).
  const langName = (tag) => {
    try {
      const n = new Intl.DisplayNames([i18n.lang], { type: 'language' }).of(tag);
      return n && n !== tag ? n : '';
    } catch (_) { return ''; }
  };

  // Languages a partner can pick for their text (BCP 47 tag, name in the
  // language); each is also named in the page's language.
  const LANGS = [
    ['en', 'English'],
    ['ar', 'العربية'],
    ['fa', 'فارسی'],
    ['ur', 'اردو'],
    ['ps', 'پښتو'],
    ['uk', 'Українська'],
    ['ti', 'ትግርኛ'],
    ['am', 'አማርኛ'],
    ['so', 'Soomaali'],
    ['gu', 'ગુજરાતી'],
    ['ml', 'മലയാളം'],
    ['my', 'မြန်မာ'],
    ['zh-Hans', '中文 简体'],
    ['zh-Hant', '中文 繁體'],
    ['pl', 'Polski'],
    ['es', 'Español'],
    ['fr', 'Français'],
    ['pt', 'Português'],
    ['ro', 'Română'],
    ['tr', 'Türkçe'],
    ['ru', 'Русский'],
  ];
  const RTL = new Set(['ar', 'fa', 'ur', 'ps', 'he', 'ckb', 'yi']);

  // A field's label and hint: the catalogue's words for the fields the
  // built-in kinds use; any other field gets its name in words.
  const fieldText = (name) => (has(`field.${name}`)
    ? [t(`field.${name}`), has(`field.${name}.hint`) ? t(`field.${name}.hint`) : '']
    : [words(name), '']);

  const PREVIEW_PX = 480;
  const DEBOUNCE_MS = 500;

  const state = {
    campaign: null,
    platforms: [],
    templates: [],
    template: null,
    values: {},
    files: {},
    urls: {},
    focus: { x: 0.5, y: 0.4 },
    date: '',
    lang: '',
    translationLang: '',
    cardLang: '',
    thumbs: {},
    controller: null,
    clipController: null,
    clips: {},
    clipUrls: [],
    timer: 0,
    retryTimer: 0,
    last: null,
    renders: 0,
  };

  const words = (name) => {
    const s = name.replace(/[_.-]+/g, ' ').trim();
    return s.charAt(0).toUpperCase() + s.slice(1);
  };
  const chars = (s) => Array.from(s || '').length;
  // One line on a kind: the catalogue's for the built-in kinds, else the
  // first clause of the template's own description.
  const summary = (k) => (has(`kind.${k.name}`) ? t(`kind.${k.name}`)
    : (k.description || '').split('\n')[0].split(/[.:;,(]|\swith\s/)[0].trim().slice(0, 60));
  const kindName = (name) => (has(`kindname.${name}`) ? t(`kindname.${name}`) : words(name));

  async function getJSON(url) {
    const res = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    return res.json();
  }

  // ---- building the form -------------------------------------------------

  // Thumbnails are drawn by the same render slots as previews: fetch them
  // one at a time, waiting when the server says it is busy.
  async function loadThumbnails(list) {
    for (const [img, url] of list) {
      if (state.thumbs[url]) { img.src = state.thumbs[url]; continue; }
      for (let attempt = 0; attempt < 6; attempt += 1) {
        try {
          const res = await fetch(url);
          if (res.ok) {
            img.src = URL.createObjectURL(await res.blob());
            state.thumbs[url] = img.src;
            break;
          }
          await new Promise((r) => setTimeout(r, (res.status === 503 ? retryAfter(res) : 2) * 1000));
        } catch (_) {
          await new Promise((r) => setTimeout(r, 2000));
        }
      }
    }
  }

  function buildKinds() {
    const box = $('#kinds');
    const thumbs = [];
    box.replaceChildren();
    for (const k of state.templates) {
      const id = `kind-${k.name}`;
      const input = el('input', {
        type: 'radio', name: 'template', value: k.name, id,
        checked: k.name === state.template.name,
        'aria-describedby': `${id}-desc`,
      });
      const img = el('img', { alt: '', width: 120, height: 120 });
      thumbs.push([img, k.thumbnail]);
      const label = el('label', { for: id, class: 'kind' },
        img,
        el('span', { class: 'kind-name', text: kindName(k.name) }),
        el('span', { class: 'kind-desc', id: `${id}-desc`, text: summary(k) }));
      box.append(el('div', { class: 'kind-item' }, input, label));
    }
    return thumbs;
  }

  function fieldBlock(name, label, control, hint, opts = {}) {
    const hintId = hint ? `${name}-hint` : null;
    control.setAttribute('aria-describedby', [hintId, `${name}-problem`].filter(Boolean).join(' '));
    return el('div', { class: `field${opts.class ? ' ' + opts.class : ''}`, 'data-field': name },
      el('label', { for: control.id }, label,
        opts.optional ? el('span', { class: 'opt', text: ` ${t('field.optional')}` }) : null),
      control,
      opts.after || null,
      hint ? el('p', { class: 'hint', id: hintId, text: hint }) : null,
      opts.extra || null,
      el('p', { class: 'problem', id: `${name}-problem`, 'aria-live': 'polite' }));
  }

  function textField(f) {
    const [label, hint] = fieldText(f.name);
    const isStory = f.name === 'story';
    const control = f.multiline
      ? el('textarea', { id: f.name, name: f.name, rows: isStory ? 6 : 3, dir: 'auto' })
      : el('input', { id: f.name, name: f.name, type: 'text', dir: 'auto' });
    control.value = state.values[f.name] || '';
    if (f.required) control.required = true;
    const lang = f.name === 'translation' ? state.translationLang : state.lang;
    if (lang) control.lang = lang;
    const count = el('p', { class: 'count', id: `${f.name}-count`, 'data-count-for': f.name });
    const block = fieldBlock(f.name, label, control, hint, {
      optional: !f.required,
      after: f.multiline ? count : null,
      class: isStory ? 'story-field' : '',
    });
    updateCount(f.name, control.value);
    return block;
  }

  function updateCount(name, value) {
    const out = $(`[data-count-for="${name}"]`);
    if (out) out.textContent = tn('count', chars(value));
  }

  function fileField(name, label, hint, required) {
    const input = el('input', { id: name, name, type: 'file', accept: 'image/*' });
    const chosen = el('div', { class: 'file-chosen', id: `${name}-chosen`, hidden: true });
    const block = fieldBlock(name, label, input, hint, {
      optional: !required, class: 'file-field', extra: chosen,
    });
    return block;
  }

  function focusPicker() {
    const img = el('img', { id: 'photo-img', alt: t('focus.img') });
    const marker = el('span', { class: 'marker', 'aria-hidden': 'true' });
    const box = el('div', { class: 'photo-box' }, img, marker);
    const x = el('input', { type: 'range', id: 'focus-x', min: 0, max: 100, step: 1, value: Math.round(state.focus.x * 100) });
    const y = el('input', { type: 'range', id: 'focus-y', min: 0, max: 100, step: 1, value: Math.round(state.focus.y * 100) });
    const wrap = el('div', { class: 'focus', id: 'focus-picker', hidden: !state.files.photo },
      el('p', { class: 'hint', id: 'focus-hint', text: t('focus.hint') }),
      box,
      el('div', { class: 'sliders' },
        el('label', { for: 'focus-x' }, t('focus.across'), x),
        el('label', { for: 'focus-y' }, t('focus.down'), y)));
    img.addEventListener('click', (ev) => {
      const r = img.getBoundingClientRect();
      setFocus((ev.clientX - r.left) / r.width, (ev.clientY - r.top) / r.height);
    });
    x.addEventListener('input', () => setFocus(x.value / 100, state.focus.y));
    y.addEventListener('input', () => setFocus(state.focus.x, y.value / 100));
    return wrap;
  }

  function setFocus(x, y) {
    const clamp = (v) => Math.min(1, Math.max(0, Math.round(v * 100) / 100));
    state.focus = { x: clamp(x), y: clamp(y) };
    placeMarker();
    schedule(DEBOUNCE_MS);
  }

  function placeMarker() {
    const m = $('#focus-picker .marker');
    if (!m) return;
    m.style.left = `${state.focus.x * 100}%`;
    m.style.top = `${state.focus.y * 100}%`;
    const x = $('#focus-x');
    const y = $('#focus-y');
    if (x) { x.value = Math.round(state.focus.x * 100); x.setAttribute('aria-valuetext', t('focus.from_left', { n: num(x.value) })); }
    if (y) { y.value = Math.round(state.focus.y * 100); y.setAttribute('aria-valuetext', t('focus.from_top', { n: num(y.value) })); }
  }

  // A language select: `name` is the form field (lang or translation_lang).
  function languageField(name = 'lang', label = t('field.lang')) {
    const chosen = name === 'lang' ? state.lang : state.translationLang;
    const select = el('select', { id: name, name });
    select.append(el('option', { value: '', text: t('lang.detect'), selected: !chosen }));
    for (const [tag, native] of LANGS) select.append(languageOption(tag, native, tag === chosen));
    return fieldBlock(name, label, select, t(`field.${name}.hint`));
  }

  // An option naming a language in itself, and in the page's language when
  // that differs ("العربية (Arabic)" on an English page).
  function languageOption(tag, native, selected) {
    const here = langName(tag);
    const text = here && here !== native ? `${native} (${here})` : native;
    return el('option', { value: tag, text, lang: tag, selected });
  }

  // The language of the card's own words (the day's name, the countdown,
  // "We support", dates): one the campaign has, or the story's.
  function cardLangField() {
    const select = el('select', { id: 'card_lang', name: 'card_lang' });
    select.append(el('option', { value: '', text: t('field.card_lang.auto'), selected: !state.cardLang }));
    for (const l of state.campaign.languages || []) {
      const known = LANGS.find(([tag]) => tag === l.tag || tag === l.tag.split('-')[0]);
      const opt = languageOption(l.tag, known ? known[1] : (langName(l.tag) || l.tag), l.tag === state.cardLang);
      if (l.draft) opt.textContent = t('field.card_lang.draft', { language: opt.textContent });
      select.append(opt);
    }
    return fieldBlock('card_lang', t('field.card_lang'), select, t('field.card_lang.hint'));
  }

  const dirOf = (lang) => (lang ? (RTL.has(lang.split('-')[0]) ? 'rtl' : 'ltr') : 'auto');

  function dateField() {
    const input = el('input', { id: 'date', name: 'date', type: 'date', value: state.date });
    const day = state.campaign && state.campaign.day;
    return fieldBlock('date', t('field.date'), input,
      day ? t('field.date.hint_day', { day: niceDate(day) }) : t('field.date.hint'));
  }

  function niceDate(iso) {
    const d = new Date(`${iso}T12:00:00`);
    return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString(i18n.lang === 'en' ? 'en-GB' : i18n.lang, { day: 'numeric', month: 'long' });
  }

  function needsDate(t) {
    return t.name === 'countdown' || t.fields.some((f) => f.name === 'days' || f.name === 'date');
  }

  function buildKindFields() {
    const tpl = state.template;
    const box = $('#kind-fields');
    box.replaceChildren();
    let text = false;
    let lang = false;
    for (const f of tpl.fields) {
      if (f.name === 'days' || f.name === 'date') continue;
      if (f.kind === 'image') {
        const [label, hint] = fieldText(f.name);
        box.append(fileField(f.name, label, hint, f.required));
        if (f.name === 'photo') box.lastChild.append(focusPicker());
        showChosen(f.name);
      } else if (f.name === 'translation') {
        // The story's language first, then the translation and its own.
        if (text && !lang) box.append(languageField('lang', t('field.lang.story')));
        lang = lang || text;
        box.append(textField(f));
        box.append(languageField('translation_lang', t('field.translation_lang')));
      } else {
        box.append(textField(f));
        text = true;
      }
    }
    if (needsDate(tpl)) box.append(dateField());
    if (text && !lang) box.append(languageField());
    if ((state.campaign.languages || []).length > 1) box.append(cardLangField());
    if (!box.childElementCount) {
      box.append(el('p', { class: 'hint', text: t('kind.none') }));
    }
    placeMarker();
    applyLang();
  }

  function buildPlatforms() {
    const box = $('#platforms');
    box.replaceChildren();
    const skip = new Set(state.template.skip_platforms || []);
    const served = new Set(state.template.variants.flatMap((v) => v.platforms || []));
    for (const p of state.platforms) {
      const id = `plat-${p.name}`;
      const off = skip.has(p.name) || (served.size > 0 && !served.has(p.name));
      const input = el('input', { type: 'checkbox', id, name: 'platform', value: p.name, disabled: off });
      input.checked = !off && state.chosen.has(p.name);
      box.append(el('div', { class: `plat${off ? ' off' : ''}` }, input,
        el('label', { for: id },
          el('span', { class: 'plat-name', text: platformLabel(p) }),
          el('span', { class: 'plat-size', text: off ? t('plat.off') : `${num(p.width)} × ${num(p.height)}${p.video ? ` · ${t('plat.video')}` : ''}` }))));
    }
    sizesSummary();
  }

  function sizesSummary() {
    const n = selectedPlatforms().length;
    $('#sizes-count').textContent = tn('sizes.chosen', n);
  }

  function selectedPlatforms() {
    return $$('#platforms input:checked:not(:disabled)').map((i) => i.value);
  }

  // Each text box reads in its language's direction: the translation in its
  // own, every other in the story's.
  function applyLang() {
    for (const c of $$('#kind-fields textarea, #kind-fields input[type=text]')) {
      const lang = c.name === 'translation' ? state.translationLang : state.lang;
      c.dir = dirOf(lang);
      if (lang) c.lang = lang; else c.removeAttribute('lang');
    }
  }

  async function showChosen(name) {
    const box = $(`#${name}-chosen`);
    if (!box) return;
    const file = state.files[name];
    if (state.urls[name] && (!file || state.urls[name].file !== file)) {
      URL.revokeObjectURL(state.urls[name].url);
      delete state.urls[name];
    }
    if (!file) {
      box.hidden = true;
      box.replaceChildren();
      if (name === 'photo') $('#focus-picker').hidden = true;
      return;
    }
    if (!state.urls[name]) state.urls[name] = { file, url: URL.createObjectURL(file) };
    const url = state.urls[name].url;
    const remove = el('button', { type: 'button', class: 'btn small', text: t('file.remove'), 'aria-label': t('file.remove_named', { name: file.name }) });
    remove.addEventListener('click', () => {
      state.files[name] = null;
      const input = $(`#${name}`);
      if (input) { input.value = ''; input.focus(); }
      showChosen(name);
      schedule(100);
    });
    box.replaceChildren(
      name === 'photo' ? '' : el('img', { src: url, alt: '', class: 'thumb' }),
      el('span', { class: 'file-name', text: t('file.size', { name: file.name, kb: num(Math.max(1, Math.round(file.size / 1024))) }) }),
      remove);
    box.hidden = false;
    if (name === 'photo') {
      $('#photo-img').src = url;
      $('#focus-picker').hidden = false;
      placeMarker();
    }
  }

  // ---- the request -------------------------------------------------------

  function currentFields() {
    return state.template.fields.filter((f) => f.name !== 'days' && f.name !== 'date');
  }

  // The one place a request body is made: previews, single downloads and the
  // zip all send the same form.
  function buildForm({ preview = 0, platforms = null } = {}) {
    const fd = new FormData();
    const t = state.template;
    fd.append('org', $('#org').value.trim());
    fd.append('template', t.name);
    for (const p of platforms || selectedPlatforms()) fd.append('platform', p);
    fd.append('hashtags', $('#hashtags').value.trim());
    fd.append('tags', $('#tags').value.trim());
    fd.append('lang', state.lang);
    fd.append('dir', dirOf(state.lang));
    if (t.fields.some((f) => f.name === 'translation')) {
      fd.append('translation_lang', state.translationLang);
      fd.append('translation_dir', dirOf(state.translationLang));
    }
    for (const f of currentFields()) {
      if (f.kind === 'image') {
        if (state.files[f.name]) fd.append(f.name, state.files[f.name], state.files[f.name].name);
      } else {
        fd.append(f.name, (state.values[f.name] || '').trim());
      }
    }
    if (t.fields.some((f) => f.name === 'photo') && state.files.photo) {
      fd.append('focus', `${state.focus.x},${state.focus.y}`);
    }
    if (needsDate(t) && state.date) fd.append('date', state.date);
    if (state.cardLang) fd.append('card_lang', state.cardLang);
    for (const name of ['logo', 'logo_dark']) {
      if (state.files[name]) fd.append(name, state.files[name], state.files[name].name);
    }
    if (preview) fd.append('preview', String(preview));
    return fd;
  }

  function missingInputs() {
    const need = [];
    if (!$('#org').value.trim() && !state.files.logo) need.push(t('need.org'));
    for (const f of currentFields()) {
      if (!f.required) continue;
      // (Not `has`: that is the catalogue's lookup, called below.)
      const given = f.kind === 'image' ? state.files[f.name] : (state.values[f.name] || '').trim();
      if (!given) {
        const label = fieldText(f.name)[0];
        need.push(has(`need.${f.name}`) ? t(`need.${f.name}`) : t('need.field', { label: i18n.lang === 'en' ? label.toLowerCase() : label }));
      }
    }
    if (!selectedPlatforms().length) need.push(t('need.platform'));
    return need;
  }

  function schedule(ms = DEBOUNCE_MS) {
    clearTimeout(state.timer);
    document.body.dataset.render = 'scheduled';
    state.timer = setTimeout(render, ms);
  }

  function setStatus(text, kind = '') {
    const s = $('#status');
    s.textContent = text;
    s.className = `status ${kind}`;
  }

  function setBusy(v) {
    document.body.dataset.render = v;
    $('#cards').setAttribute('aria-busy', v === 'busy' ? 'true' : 'false');
  }

  function retryAfter(res) {
    const v = res.headers.get('Retry-After');
    const n = Number(v);
    if (Number.isFinite(n) && n >= 0) return Math.min(30, Math.max(1, n));
    const d = Date.parse(v || '');
    return Number.isNaN(d) ? 2 : Math.min(30, Math.max(1, Math.ceil((d - Date.now()) / 1000)));
  }

  async function render() {
    clearTimeout(state.timer);
    clearTimeout(state.retryTimer);
    if (state.controller) state.controller.abort();
    state.controller = null;
    stopClips();
    const need = missingInputs();
    if (need.length) {
      setBusy('needs');
      clearProblems();
      $('#download-all').disabled = true;
      setStatus(t('status.needs', { list: listWords(need) }));
      if (!state.last) emptyCards();
      return;
    }
    const ctrl = new AbortController();
    state.controller = ctrl;
    const n = selectedPlatforms().length;
    setBusy('busy');
    setStatus(tn('status.drawing', n));
    let res;
    let body = null;
    try {
      res = await fetch('/api/render', {
        method: 'POST',
        body: buildForm({ preview: PREVIEW_PX }),
        headers: { Accept: 'application/json' },
        signal: ctrl.signal,
      });
      if (res.status === 503) {
        const s = retryAfter(res);
        setStatus(tn('status.busy', s), 'warn');
        state.retryTimer = setTimeout(render, s * 1000);
        state.controller = null;
        return;
      }
      body = await res.json().catch(() => null);
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.controller = null;
      setBusy('error');
      setStatus(t('status.offline'), 'bad');
      return;
    }
    if (ctrl.signal.aborted) return;
    state.controller = null;
    state.renders += 1;
    document.body.dataset.renders = String(state.renders);
    if (!res.ok || !body || !Array.isArray(body.assets)) {
      showRequestError(res.status, body);
      return;
    }
    showResult(body);
  }

  function listWords(items) {
    if (items.length < 2) return items.join('');
    return t('list.and', { a: items.slice(0, -1).join(t('list.sep')), b: items[items.length - 1] });
  }

  // ---- showing the result -----------------------------------------------

  function platformInfo(name) {
    const p = state.platforms.find((x) => x.name === name) || { name, label: words(name) };
    return { ...p, label: platformLabel(p) };
  }

  // A built-in platform by the catalogue's name for it; another by its own label.
  function platformLabel(p) {
    return has(`platform.${p.name}`) ? t(`platform.${p.name}`) : p.label;
  }

  function emptyCards() {
    $('#cards').replaceChildren(el('p', { class: 'empty', text: t('preview.empty') }));
  }

  // An error the engine sent ({message, field, class}) in the page's words:
  // short (what happened), hint (what to do) and detail (the engine's own
  // sentence, in English, when the page is in another language).
  // "…shorten it to about 330 characters…" → how far over the text is now.
  function friendlyError(err) {
    const msg = err.message || '';
    const m = /shorten it to about (\d+) characters/.exec(msg);
    if (m && err.field) {
      const limit = Number(m[1]);
      const over = chars(fieldValue(err.field)) - limit;
      const field = i18n.lang === 'en' ? words(err.field).toLowerCase() : fieldText(err.field)[0];
      if (over > 0) {
        return { short: tn('error.too_long', over), hint: t('error.shorten_field', { field, limit: num(limit) }), detail: '' };
      }
      return { short: t('error.not_fit'), hint: t('error.shorten', { limit: num(limit) }), detail: '' };
    }
    if (i18n.lang === 'en' && msg) return { short: msg.charAt(0).toUpperCase() + msg.slice(1), hint: '', detail: '' };
    const cls = has(`error.class.${err.class}`) ? err.class : 'cannot_render';
    const short = err.field
      ? t(`error.field.${cls}`, { field: fieldText(err.field.split('.')[0])[0] })
      : t(`error.class.${cls}`);
    return { short, hint: '', detail: msg };
  }

  function fieldValue(name) {
    if (name === 'org') return $('#org').value;
    if (name === 'hashtags' || name === 'tags') return $(`#${name}`).value;
    return state.values[name] || '';
  }

  function clearProblems() {
    for (const p of $$('.problem')) p.replaceChildren();
    for (const c of $$('[aria-invalid]')) c.removeAttribute('aria-invalid');
  }

  function addProblem(map, field, text, bad) {
    if (!field) return;
    const key = field.split('.')[0];
    if (!map.has(key)) map.set(key, new Map());
    const m = map.get(key);
    if (!m.has(text)) m.set(text, { bad, where: [] });
    return m.get(text);
  }

  function showFieldProblems(map) {
    clearProblems();
    for (const [field, texts] of map) {
      const out = $(`#${CSS.escape(field)}-problem`);
      if (!out) continue;
      for (const [text, info] of texts) {
        const where = info.where.length ? ` (${listWords(info.where)})` : '';
        out.append(el('span', { class: info.bad ? 'bad' : 'warn', text: `${text}${where}` }));
      }
      if ([...texts.values()].some((i) => i.bad)) {
        const c = $(`#${CSS.escape(field)}`);
        if (c) c.setAttribute('aria-invalid', 'true');
      }
    }
  }

  function showRequestError(status, body) {
    setBusy('error');
    const err = (body && body.error) || { message: '', field: null, class: status >= 500 ? 'internal' : 'bad_input' };
    if (!err.message && i18n.lang === 'en') err.message = `${t('status.server_answered', { status })}.`;
    const f = friendlyError(err);
    const map = new Map();
    if (err.field) addProblem(map, err.field, `${f.short} ${f.hint}`.trim(), true);
    showFieldProblems(map);
    const where = err.field ? ` (${fieldText(err.field)[0]})` : '';
    setStatus(t('status.nothing_made', { where, problem: `${f.short} ${f.hint} ${f.detail}`.trim() }), 'bad');
    $('#download-all').disabled = true;
  }

  function showResult(body) {
    state.last = body;
    const order = state.platforms.map((p) => p.name);
    const items = [
      ...body.assets.map((a) => ({ a, platform: a.platform })),
      ...(body.errors || []).map((e) => ({ e, platform: e.platform })),
    ].sort((x, y) => order.indexOf(x.platform) - order.indexOf(y.platform));
    const cards = $('#cards');
    cards.replaceChildren();
    const problems = new Map();
    let attention = [];
    for (const item of items) {
      const info = platformInfo(item.platform);
      const card = item.a ? assetCard(item.a, info, problems) : errorCard(item.e, info, problems);
      if (card.classList.contains('has-issues') || card.classList.contains('failed')) attention.push(info.label);
      cards.append(card);
    }
    showFieldProblems(problems);
    const ok = body.assets.length;
    const failed = (body.errors || []).length;
    let text = tn('status.ready', ok);
    if (failed) text += ` ${tn('status.failed', failed)}`;
    attention = [...new Set(attention)];
    if (attention.length) text += ` ${t('status.check', { list: listWords(attention) })}`;
    setStatus(text, failed ? 'bad' : attention.length ? 'warn' : 'good');
    setBusy('done');
    $('#download-all').disabled = ok === 0;
    makeClips(body.assets.filter((a) => platformInfo(a.platform).video));
  }

  // ---- clips ---------------------------------------------------------------
  // A video size first shows its still (the clip's last frame, drawn with
  // the other previews); then its clip is made on its own request, one at
  // a time, so the stills never wait for a clip. Typing again stops them.

  function stopClips() {
    if (state.clipController) state.clipController.abort();
    state.clipController = null;
    for (const url of state.clipUrls || []) URL.revokeObjectURL(url);
    state.clipUrls = [];
    state.clips = {};
  }

  async function makeClips(assets) {
    if (!assets.length) return;
    const ctrl = new AbortController();
    state.clipController = ctrl;
    document.body.dataset.clips = 'busy';
    for (const a of assets) {
      const card = $(`#cards .card[data-platform="${a.platform}"]`);
      if (!card) continue;
      const note = $('.clip-note', card);
      let res;
      try {
        for (let attempt = 0; ; attempt += 1) {
          res = await fetch('/api/render', {
            method: 'POST', body: buildForm({ platforms: [a.platform] }),
            headers: { Accept: 'video/mp4' }, signal: ctrl.signal,
          });
          if (res.status !== 503 || attempt >= 5) break;
          const wait = retryAfter(res);
          if (note) note.textContent = tn('clip.busy', wait);
          await new Promise((r) => setTimeout(r, wait * 1000));
          if (ctrl.signal.aborted) return;
        }
        if (!res.ok) {
          const body = await res.json().catch(() => null);
          const f = friendlyError((body && body.error) || { message: t('status.server_answered', { status: res.status }) });
          if (note) note.textContent = t('clip.failed', { detail: `${f.short} ${f.hint}`.trim() });
          if (note) note.classList.add('bad');
          continue;
        }
        const blob = await res.blob();
        if (ctrl.signal.aborted) return;
        const url = URL.createObjectURL(blob);
        state.clipUrls.push(url);
        state.clips[a.platform] = { blob, name: fileName(res, `${a.template}-${a.platform}.mp4`) };
        const img = $('.frame img', card);
        const video = el('video', {
          muted: true, loop: true, autoplay: true, playsInline: true, controls: true,
          poster: img ? img.src : undefined, src: url, width: a.width, height: a.height,
          'aria-label': a.alt || '',
        });
        video.muted = true;
        if (img) img.replaceWith(video); else $('.frame', card).append(video);
        video.play().catch(() => {});
        card.dataset.clip = 'ready';
        if (note) note.textContent = t('clip.ready', { kb: num(Math.max(1, Math.round(blob.size / 1024))) });
      } catch (e) {
        if (e.name === 'AbortError') return;
        if (note) note.textContent = t('clip.offline');
      }
    }
    if (state.clipController === ctrl) document.body.dataset.clips = 'done';
  }

  function cardShell(info, w, h) {
    const card = $('#card-template').content.firstElementChild.cloneNode(true);
    localise(card);
    $('h3', card).textContent = info.label;
    $('.dims', card).textContent = t('card.dims', { w: typeof w === 'number' ? num(w) : w, h: typeof h === 'number' ? num(h) : h });
    card.dataset.platform = info.name;
    return card;
  }

  // One problem: its label, what it is, what to do; `detail` is the
  // engine's own sentence (in English), shown after the page's words when
  // the page is in another language.
  function issueItem(label, text, hint, bad, detail = '') {
    return el('li', { class: bad ? 'bad' : 'warn' },
      el('strong', { text: `${label}: ` }), text, hint ? el('span', { class: 'fix', text: ` ${hint}` }) : null,
      detail ? el('span', { class: 'engine', lang: 'en', dir: 'ltr', text: detail }) : null);
  }

  // A diagnostic in the page's language: by its kind, with the engine's
  // sentence as detail; in English, the engine's sentence and hint.
  function diagWords(d) {
    const kind = has(`diag.${d.kind}`) ? d.kind : 'other';
    const label = has(`diag.${d.kind}`) ? t(`diag.${kind}`) : words(d.kind || t('diag.other'));
    if (i18n.lang === 'en') return { label, text: d.message, hint: d.hint, detail: '' };
    return { label, text: t(`diag.${kind}.text`), hint: '', detail: [d.message, d.hint].filter(Boolean).join('; ') };
  }

  function assetCard(a, info, problems) {
    const card = cardShell(info, a.width, a.height);
    const img = $('img', card);
    img.width = a.width;
    img.height = a.height;
    img.alt = a.alt || '';
    img.src = a.preview || a.url;
    const list = $('.issues', card);
    const diags = a.diagnostics || [];
    for (const d of diags) {
      const w = diagWords(d);
      list.append(issueItem(w.label, w.text, w.hint, false, w.detail));
      const p = addProblem(problems, d.field, `${w.label}: ${w.text}`, false);
      if (p) p.where.push(info.label);
    }
    if (!diags.length) for (const w of a.warnings || []) list.append(issueItem(t('card.check_label'), w, '', false));
    if (list.childElementCount) {
      card.classList.add('has-issues');
      $('.dims', card).after(el('p', { class: 'badge warn', text: tn('card.check', list.childElementCount) }));
    } else {
      $('.dims', card).after(el('p', { class: 'badge good', text: t('card.ready') }));
      list.remove();
    }
    if (info.video) {
      card.classList.add('is-clip');
      card.dataset.clip = 'making';
      $('.dims', card).textContent += ` · ${t('card.video', { fps: num(info.video.fps) })}`;
      $('.frame', card).append(el('p', { class: 'clip-note', role: 'status', text: t('clip.making') }));
      $('[data-act="png"]', card).textContent = t('btn.download_video');
    } else {
      $('.dims', card).textContent += ` · ${t('card.kb', { kb: num(Math.max(1, Math.round((a.bytes || 0) / 1024))) })}`;
    }
    $('[data-act="png"]', card).addEventListener('click', (ev) => downloadOne(a, info, ev.currentTarget));
    $('[data-act="caption"]', card).addEventListener('click', (ev) => copy(a.caption || '', 'caption', ev.currentTarget));
    $('[data-act="alt"]', card).addEventListener('click', (ev) => copy(a.alt || '', 'alt', ev.currentTarget));
    for (const b of $$('.card-actions .btn', card)) b.setAttribute('aria-describedby', `${card.dataset.platform}-h`);
    $('h3', card).id = `${card.dataset.platform}-h`;
    return card;
  }

  function errorCard(e, info, problems) {
    const card = cardShell(info, info.width || '?', info.height || '?');
    card.classList.add('failed');
    const frame = $('.frame', card);
    frame.replaceChildren(el('p', { class: 'no-image', text: t('card.not_made') }));
    frame.classList.add('empty-frame');
    if (info.width && info.height) frame.classList.add('ratio'), frame.style.aspectRatio = `${info.width} / ${info.height}`;
    const f = friendlyError(e);
    $('.issues', card).append(issueItem(t('card.could_not'), f.short, f.hint, true, f.detail));
    const p = addProblem(problems, e.field, `${f.short} ${f.hint}`.trim(), true);
    if (p) p.where.push(info.label);
    $('.card-actions', card).remove();
    return card;
  }

  // ---- downloads and copying ---------------------------------------------

  function fileName(res, fallback) {
    const cd = res.headers.get('Content-Disposition') || '';
    const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
    return m ? decodeURIComponent(m[1]) : fallback;
  }

  async function fetchFile(accept, platforms) {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const res = await fetch('/api/render', {
        method: 'POST', body: buildForm({ platforms }), headers: { Accept: accept },
      });
      if (res.status === 503) {
        const s = retryAfter(res);
        setStatus(tn('status.busy', s), 'warn');
        await new Promise((r) => setTimeout(r, s * 1000));
        continue;
      }
      if (!res.ok) {
        const body = await res.json().catch(() => null);
        const e = (body && body.error) || { message: t('status.server_answered', { status: res.status }) };
        const f = friendlyError(e);
        throw new Error(`${f.short} ${f.hint} ${f.detail}`.trim());
      }
      return { blob: await res.blob(), res };
    }
    throw new Error(t('status.stayed_busy'));
  }

  function slug(s) {
    return (s || 'kit').toLowerCase().normalize('NFKD').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'kit';
  }

  function save(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: name, class: 'hidden-link' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  async function withButton(button, busyText, job) {
    const text = button.textContent;
    button.disabled = true;
    button.textContent = busyText;
    try {
      await job();
    } catch (e) {
      setStatus(t('status.download_failed', { detail: e.message.replace(/\.$/, '') }), 'bad');
    } finally {
      button.disabled = false;
      button.textContent = text;
    }
  }

  function downloadOne(a, info, button) {
    return withButton(button, t('btn.preparing'), async () => {
      if (info.video) {
        const made = state.clips && state.clips[a.platform];
        const { blob, name } = made || await fetchFile('video/mp4', [a.platform]).then(
          ({ blob, res }) => ({ blob, name: fileName(res, `${a.template}-${a.platform}.mp4`) }));
        save(blob, name);
        setStatus(t('status.video_downloaded', { label: info.label, name }), 'good');
        return;
      }
      const { blob, res } = await fetchFile('image/png', [a.platform]);
      const name = fileName(res, `${a.template}-${a.platform}.png`);
      save(blob, name);
      setStatus(t('status.image_downloaded', { label: info.label, name }), 'good');
    });
  }

  // The zip the "Download all" button saves (also used by the browser test).
  async function fetchKit() {
    const { blob, res } = await fetchFile('application/zip', null);
    return { blob, name: fileName(res, `${slug($('#org').value)}-graphics.zip`) };
  }

  function downloadAll(button) {
    return withButton(button, t('btn.preparing_zip'), async () => {
      setStatus(t('status.zip_making'));
      const { blob, name } = await fetchKit();
      save(blob, name);
      setStatus(t('status.zip_done', { name }), 'good');
    });
  }

  async function copy(text, what, button) {
    let ok = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        ok = true;
      }
    } catch (_) { ok = false; }
    if (!ok) {
      const ta = el('textarea', { class: 'offscreen', readonly: true });
      ta.value = text;
      document.body.append(ta);
      ta.select();
      try { ok = document.execCommand('copy'); } catch (_) { ok = false; }
      ta.remove();
      button.focus();
    }
    const old = button.dataset.label || button.textContent;
    button.dataset.label = old;
    button.textContent = ok ? t('btn.copied') : t('btn.copy_failed');
    setStatus(ok ? t(`status.copied_${what}`) : t('status.copy_failed', { text }), ok ? 'good' : 'bad');
    setTimeout(() => { button.textContent = old; }, 2000);
  }

  // ---- events ------------------------------------------------------------

  function onInput(ev) {
    const t = ev.target;
    if (t.type === 'file') {
      state.files[t.name] = t.files && t.files[0] ? t.files[0] : null;
      showChosen(t.name);
      schedule(100);
      return;
    }
    if (t.name === 'template') {
      if (ev.type !== 'change') return;
      state.template = state.templates.find((x) => x.name === t.value) || state.template;
      buildKindFields();
      buildPlatforms();
      schedule(100);
      return;
    }
    if (t.name === 'platform') {
      if (ev.type !== 'change') return;
      state.chosen = new Set(selectedPlatforms());
      sizesSummary();
      schedule(300);
      return;
    }
    if (t.id === 'lang' || t.id === 'translation_lang') {
      if (t.id === 'lang') state.lang = t.value; else state.translationLang = t.value;
      applyLang();
      schedule(100);
      return;
    }
    if (t.id === 'card_lang') {
      state.cardLang = t.value;
      schedule(100);
      return;
    }
    if (t.id === 'date') {
      state.date = t.value;
      schedule(300);
      return;
    }
    if (t.id === 'focus-x' || t.id === 'focus-y') return;
    if (t.closest('#kind-fields') && t.name) {
      state.values[t.name] = t.value;
      updateCount(t.name, t.value);
    }
    if (ev.type === 'input') schedule(DEBOUNCE_MS);
  }

  function choosePlatforms(names) {
    state.chosen = new Set(names);
    buildPlatforms();
    schedule(100);
  }

  async function start() {
    const form = $('#form');
    form.addEventListener('submit', (ev) => { ev.preventDefault(); render(); });
    form.addEventListener('input', onInput);
    form.addEventListener('change', onInput);
    $('#download-all').addEventListener('click', (ev) => downloadAll(ev.currentTarget));
    $('#ui-lang').addEventListener('change', (ev) => switchLanguage(ev.target.value));
    await loadLanguage().catch(() => {});
    let campaign; let platforms; let templates;
    try {
      [campaign, platforms, templates] = await Promise.all([
        getJSON('/api/campaign'), getJSON('/api/platforms'), getJSON('/api/templates')]);
    } catch (e) {
      $('#load-status').textContent = t('status.load_failed', { detail: e.message });
      setStatus(t('status.not_connected'), 'bad');
      return;
    }
    state.campaign = campaign;
    state.platforms = platforms;
    state.templates = templates;
    state.template = templates.find((t) => t.name === campaign.template) || templates[0];
    const defaults = campaign.platforms && campaign.platforms.length
      ? campaign.platforms : platforms.filter((p) => p.default).map((p) => p.name);
    state.defaults = defaults;
    state.chosen = new Set(defaults);
    state.date = campaign.today || '';
    $('#hashtags').value = (campaign.hashtags || []).join(' ');
    $('#tags').value = (campaign.tags || []).join(' ');
    campaignWords();
    $('#plat-campaign').addEventListener('click', () => choosePlatforms(defaults));
    $('#plat-all').addEventListener('click', () => choosePlatforms(platforms.map((p) => p.name)));
    const thumbs = buildKinds();
    buildKindFields();
    buildPlatforms();
    if (window.matchMedia('(min-width: 960px)').matches) $('#sizes').open = true;
    document.body.dataset.ready = 'true';
    render().finally(() => loadThumbnails(thumbs));
  }

  // ---- the page's language (continued) ----------------------------------

  async function getCatalogue(tag) {
    return getJSON(`/assets/i18n-${tag}.json`);
  }

  // The language the page opens in: ?lang= when a catalogue has it, else
  // the browser's first language that has one (a region falls back to its
  // language: fr-CA → fr), else English.
  function chooseLanguage(tags) {
    const asked = new URLSearchParams(location.search).get('lang');
    const wanted = [asked, ...(navigator.languages || [navigator.language])].filter(Boolean);
    for (const w of wanted) {
      const l = w.toLowerCase();
      const hit = tags.find((x) => x.toLowerCase() === l) || tags.find((x) => x.toLowerCase() === l.split('-')[0]);
      if (hit) return hit;
    }
    return 'en';
  }

  async function loadLanguage(tag = null) {
    if (!i18n.langs.length) {
      i18n.langs = await getJSON('/assets/i18n-languages.json');
      i18n.en = await getCatalogue('en');
    }
    const chosen = tag || chooseLanguage(i18n.langs.map((l) => l.tag));
    const info = i18n.langs.find((l) => l.tag === chosen) || i18n.langs[0];
    i18n.msgs = info.tag === 'en' ? i18n.en : await getCatalogue(info.tag);
    i18n.lang = info.tag;
    i18n.dir = info.dir === 'rtl' ? 'rtl' : 'ltr';
    document.documentElement.lang = info.tag;
    document.documentElement.dir = i18n.dir;
    localise(document);
    const menu = $('#ui-lang');
    menu.replaceChildren(...i18n.langs.map((l) => el('option', { value: l.tag, text: l.name, lang: l.tag, selected: l.tag === info.tag })));
    $('#ui-lang-box').hidden = i18n.langs.length < 2;
    $('#ui-draft').hidden = !info.draft;
    document.body.dataset.lang = info.tag;
  }

  // Every element marked data-i18n="key" gets the catalogue's words (and
  // data-i18n-aria-label its aria-label).
  function localise(root) {
    for (const node of $$('[data-i18n]', root)) node.textContent = t(node.dataset.i18n);
    for (const node of $$('[data-i18n-aria-label]', root)) node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel));
  }

  // The words that mix the campaign's with the page's: the heading, the
  // title, the campaign line (in the page's language where the campaign
  // has its name in it), the campaign's platforms button.
  function campaignWords() {
    const c = state.campaign;
    if (!c) return;
    const theme = c.theme || c.name;
    const [before, after = ''] = t('page.heading').split('{theme}');
    $('#page-heading').replaceChildren(before, el('span', { id: 'theme', dir: 'auto', text: theme }), after);
    document.title = t('page.title', { theme });
    const own = (c.languages || []).find((l) => l.tag.split('-')[0] === i18n.lang);
    const name = own ? own.name : c.name;
    $('#campaign-line').textContent = c.day ? `${name} · ${niceDate(c.day)}` : name;
    const n = state.defaults.length;
    $('#plat-campaign').textContent = n === 5 ? t('plat.five') : t('plat.campaign', { n: num(n) });
  }

  // The language menu: the page is redrawn in place (what was typed stays)
  // and the URL says ?lang= so a shared link opens in it; nothing is stored.
  async function switchLanguage(tag) {
    try {
      await loadLanguage(tag);
    } catch (_) {
      return;
    }
    const url = new URL(location.href);
    url.searchParams.set('lang', i18n.lang);
    history.replaceState(null, '', url);
    if (!state.templates.length) return;
    campaignWords();
    const open = $('#sizes').open;
    loadThumbnails(buildKinds());
    buildKindFields();
    buildPlatforms();
    $('#sizes').open = open;
    render();
  }

  window.postkit = { fetchKit, buildForm, render, t, tn };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
