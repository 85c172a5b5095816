// postkit's page: a form whose every change is drawn by the engine itself
// (POST /api/render with a preview size), and downloads of the same images.
// Vanilla ES2020, no dependencies; the server's CSP allows nothing but itself.
'use strict';

(() => {
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

  // Languages a partner can pick (BCP 47 tag, name in the language, in English).
  const LANGS = [
    ['', 'Detect from the text', ''],
    ['en', 'English', ''],
    ['ar', 'العربية', 'Arabic'],
    ['fa', 'فارسی', 'Persian'],
    ['ur', 'اردو', 'Urdu'],
    ['ps', 'پښتو', 'Pashto'],
    ['uk', 'Українська', 'Ukrainian'],
    ['ti', 'ትግርኛ', 'Tigrinya'],
    ['am', 'አማርኛ', 'Amharic'],
    ['so', 'Soomaali', 'Somali'],
    ['gu', 'ગુજરાતી', 'Gujarati'],
    ['ml', 'മലയാളം', 'Malayalam'],
    ['my', 'မြန်မာ', 'Burmese'],
    ['zh-Hans', '中文 简体', 'Chinese, simplified'],
    ['zh-Hant', '中文 繁體', 'Chinese, traditional'],
    ['pl', 'Polski', 'Polish'],
    ['es', 'Español', 'Spanish'],
    ['fr', 'Français', 'French'],
    ['pt', 'Português', 'Portuguese'],
    ['ro', 'Română', 'Romanian'],
    ['tr', 'Türkçe', 'Turkish'],
    ['ru', 'Русский', 'Russian'],
  ];
  const RTL = new Set(['ar', 'fa', 'ur', 'ps', 'he', 'ckb', 'yi']);

  // Friendlier labels for the fields the built-in kinds use; any other field
  // gets its name in words.
  const FIELD_TEXT = {
    story: ['Your story', 'In your own words, or a quote from someone you work with (with their permission).'],
    translation: ['Translation', 'The story in a second language, for example English. It is shown below your story, a little smaller, and goes in the alt text and caption too.'],
    photo: ['Photo', 'Only use a photo when everyone in it has agreed. Location data in the file is removed.'],
    event: ['Name of the event', ''],
    event_date: ['Date', 'As you want it written, for example “Friday 18 December”.'],
    event_time: ['Time', 'For example “6–9 pm”.'],
    place: ['Place', 'The venue and town.'],
    name: ['Their name', ''],
    role: ['Their role', 'For example “Community ambassador”.'],
    quote: ['Their words', 'A short quote, with their permission.'],
    title: ['Title', ''],
  };

  // One line on each built-in kind; another template shows the first clause
  // of its own description.
  const KIND_TEXT = {
    'story-quote': 'Your story as a quote card',
    'photo-story': 'Your photo behind your story',
    event: 'Your event: what, when, where',
    countdown: 'Days to go until the day',
    'supporter-badge': '“We support” with your logo',
    ambassador: 'A person, their role and words',
    'blog-header': 'A title for your blog post',
    'video-cover': 'A title over a video still',
  };

  const KIND_LABEL = {
    missing_glyph: 'Missing letters',
    broken_word: 'A word is split',
    low_contrast: 'Hard to read',
    small_text: 'Small text',
    ink_outside: 'Close to the edge',
    scrim: 'Photo darkened',
    logo_plate: 'Logo on a plate',
    font_unavailable: 'Font not available',
    over_byte_cap: 'File large for this platform',
    hashtag_style: 'Hashtag style',
    low_resolution: 'Low resolution',
    empty_field: 'Empty',
    long_countdown: 'Long countdown',
  };

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
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const summary = (t) => KIND_TEXT[t.name]
    || (t.description || '').split('\n')[0].split(/[.:;,(]|\swith\s/)[0].trim().slice(0, 60);

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
      for (let attempt = 0; attempt < 6; attempt += 1) {
        try {
          const res = await fetch(url);
          if (res.ok) {
            img.src = URL.createObjectURL(await res.blob());
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
    for (const t of state.templates) {
      const id = `kind-${t.name}`;
      const input = el('input', {
        type: 'radio', name: 'template', value: t.name, id,
        checked: t.name === state.template.name,
        'aria-describedby': `${id}-desc`,
      });
      const img = el('img', { alt: '', width: 120, height: 120 });
      thumbs.push([img, t.thumbnail]);
      const label = el('label', { for: id, class: 'kind' },
        img,
        el('span', { class: 'kind-name', text: words(t.name) }),
        el('span', { class: 'kind-desc', id: `${id}-desc`, text: summary(t) }));
      box.append(el('div', { class: 'kind-item' }, input, label));
    }
    return thumbs;
  }

  function fieldBlock(name, label, control, hint, opts = {}) {
    const hintId = hint ? `${name}-hint` : null;
    control.setAttribute('aria-describedby', [hintId, `${name}-problem`].filter(Boolean).join(' '));
    return el('div', { class: `field${opts.class ? ' ' + opts.class : ''}`, 'data-field': name },
      el('label', { for: control.id }, label,
        opts.optional ? el('span', { class: 'opt', text: ' (optional)' }) : null),
      control,
      opts.after || null,
      hint ? el('p', { class: 'hint', id: hintId, text: hint }) : null,
      opts.extra || null,
      el('p', { class: 'problem', id: `${name}-problem`, 'aria-live': 'polite' }));
  }

  function textField(f) {
    const [label, hint] = FIELD_TEXT[f.name] || [words(f.name), ''];
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
    if (out) out.textContent = plural(chars(value), 'character', 'characters');
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
    const img = el('img', { id: 'photo-img', alt: 'Your photo. Click or tap the part to keep in view.' });
    const marker = el('span', { class: 'marker', 'aria-hidden': 'true' });
    const box = el('div', { class: 'photo-box' }, img, marker);
    const x = el('input', { type: 'range', id: 'focus-x', min: 0, max: 100, step: 1, value: Math.round(state.focus.x * 100) });
    const y = el('input', { type: 'range', id: 'focus-y', min: 0, max: 100, step: 1, value: Math.round(state.focus.y * 100) });
    const wrap = el('div', { class: 'focus', id: 'focus-picker', hidden: !state.files.photo },
      el('p', { class: 'hint', id: 'focus-hint', text: 'Click or tap the photo on the part that must stay in view when it is cropped (a face, for example), or use the sliders.' }),
      box,
      el('div', { class: 'sliders' },
        el('label', { for: 'focus-x' }, 'Across', x),
        el('label', { for: 'focus-y' }, 'Down', y)));
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
    if (x) { x.value = Math.round(state.focus.x * 100); x.setAttribute('aria-valuetext', `${x.value}% from the left`); }
    if (y) { y.value = Math.round(state.focus.y * 100); y.setAttribute('aria-valuetext', `${y.value}% from the top`); }
  }

  // A language select: `name` is the form field (lang or translation_lang).
  function languageField(name = 'lang', label = 'Language of your text') {
    const chosen = name === 'lang' ? state.lang : state.translationLang;
    const select = el('select', { id: name, name });
    for (const [tag, native, english] of LANGS) {
      const text = english ? `${native} (${english})` : native;
      select.append(el('option', { value: tag, text, lang: tag && native !== 'English' ? tag : null, selected: tag === chosen }));
    }
    return fieldBlock(name, label, select, name === 'lang'
      ? 'Picks the right letter shapes and direction. Arabic, Persian and Urdu run right to left.'
      : 'Picks the letter shapes and direction of the translation.');
  }

  const dirOf = (lang) => (lang ? (RTL.has(lang.split('-')[0]) ? 'rtl' : 'ltr') : 'auto');

  function dateField() {
    const input = el('input', { id: 'date', name: 'date', type: 'date', value: state.date });
    const day = state.campaign && state.campaign.day;
    return fieldBlock('date', 'Count down from', input,
      `The card shows the days left${day ? ` to ${niceDate(day)}` : ''} from this date. Today is the default.`);
  }

  function niceDate(iso) {
    const d = new Date(`${iso}T12:00:00`);
    return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long' });
  }

  function needsDate(t) {
    return t.name === 'countdown' || t.fields.some((f) => f.name === 'days' || f.name === 'date');
  }

  function buildKindFields() {
    const t = state.template;
    const box = $('#kind-fields');
    box.replaceChildren();
    let text = false;
    let lang = false;
    for (const f of t.fields) {
      if (f.name === 'days' || f.name === 'date') continue;
      if (f.kind === 'image') {
        const [label, hint] = FIELD_TEXT[f.name] || [words(f.name), ''];
        box.append(fileField(f.name, label, hint, f.required));
        if (f.name === 'photo') box.lastChild.append(focusPicker());
        showChosen(f.name);
      } else if (f.name === 'translation') {
        // The story's language first, then the translation and its own.
        if (text && !lang) box.append(languageField('lang', 'Language of your story'));
        lang = lang || text;
        box.append(textField(f));
        box.append(languageField('translation_lang', 'Language of the translation'));
      } else {
        box.append(textField(f));
        text = true;
      }
    }
    if (needsDate(t)) box.append(dateField());
    if (text && !lang) box.append(languageField());
    if (!box.childElementCount) {
      box.append(el('p', { class: 'hint', text: 'This kind needs nothing more than your organisation.' }));
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
          el('span', { class: 'plat-name', text: p.label }),
          el('span', { class: 'plat-size', text: off ? 'not made for this kind' : `${p.width} × ${p.height}${p.video ? ' · video' : ''}` }))));
    }
    sizesSummary();
  }

  function sizesSummary() {
    const n = selectedPlatforms().length;
    $('#sizes-count').textContent = `${plural(n, 'size', 'sizes')} chosen`;
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
    const remove = el('button', { type: 'button', class: 'btn small', text: 'Remove', 'aria-label': `Remove ${file.name}` });
    remove.addEventListener('click', () => {
      state.files[name] = null;
      const input = $(`#${name}`);
      if (input) { input.value = ''; input.focus(); }
      showChosen(name);
      schedule(100);
    });
    box.replaceChildren(
      name === 'photo' ? '' : el('img', { src: url, alt: '', class: 'thumb' }),
      el('span', { class: 'file-name', text: `${file.name} (${Math.max(1, Math.round(file.size / 1024))} KB)` }),
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
    for (const name of ['logo', 'logo_dark']) {
      if (state.files[name]) fd.append(name, state.files[name], state.files[name].name);
    }
    if (preview) fd.append('preview', String(preview));
    return fd;
  }

  function missingInputs() {
    const need = [];
    if (!$('#org').value.trim() && !state.files.logo) need.push('your organisation’s name or logo');
    for (const f of currentFields()) {
      if (!f.required) continue;
      const has = f.kind === 'image' ? state.files[f.name] : (state.values[f.name] || '').trim();
      if (!has) {
        const label = (FIELD_TEXT[f.name] ? FIELD_TEXT[f.name][0] : words(f.name)).toLowerCase();
        need.push(/^(your|their) /.test(label) ? label : `the ${label}`);
      }
    }
    if (!selectedPlatforms().length) need.push('at least one place to post');
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
      setStatus(`To see your graphics, add ${listWords(need)}.`);
      if (!state.last) emptyCards();
      return;
    }
    const ctrl = new AbortController();
    state.controller = ctrl;
    const n = selectedPlatforms().length;
    setBusy('busy');
    setStatus(`Drawing ${plural(n, 'size', 'sizes')}…`);
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
        setStatus(`The server is busy. Trying again in ${plural(s, 'second', 'seconds')}…`, 'warn');
        state.retryTimer = setTimeout(render, s * 1000);
        state.controller = null;
        return;
      }
      body = await res.json().catch(() => null);
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.controller = null;
      setBusy('error');
      setStatus('Could not reach the server. Check your connection; your details are still here.', 'bad');
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
    return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
  }

  // ---- showing the result -----------------------------------------------

  function platformInfo(name) {
    return state.platforms.find((p) => p.name === name) || { name, label: words(name) };
  }

  function emptyCards() {
    $('#cards').replaceChildren(el('p', { class: 'empty', text: 'Your graphics will appear here as you type.' }));
  }

  // "…shorten it to about 330 characters…" → how far over the text is now.
  function friendlyError(err) {
    const msg = err.message || 'This size could not be made.';
    const m = /shorten it to about (\d+) characters/.exec(msg);
    if (m && err.field) {
      const limit = Number(m[1]);
      const over = chars(fieldValue(err.field)) - limit;
      if (over > 0) {
        return {
          short: `Too long for this size by about ${plural(over, 'character', 'characters')}.`,
          detail: `Shorten the ${words(err.field).toLowerCase()} to about ${limit} characters, or untick this size.`,
        };
      }
      return { short: 'The text does not fit this size.', detail: `Shorten it to about ${limit} characters, or untick this size.` };
    }
    return { short: msg.charAt(0).toUpperCase() + msg.slice(1), detail: '' };
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
    const err = (body && body.error) || { message: `The server answered ${status}.`, field: null };
    const f = friendlyError(err);
    const map = new Map();
    if (err.field) addProblem(map, err.field, `${f.short} ${f.detail}`.trim(), true);
    showFieldProblems(map);
    const where = err.field ? ` (${FIELD_TEXT[err.field] ? FIELD_TEXT[err.field][0] : words(err.field)})` : '';
    setStatus(`Nothing could be made${where}: ${f.short} ${f.detail}`.trim(), 'bad');
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
    let text = `${plural(ok, 'size', 'sizes')} ready.`;
    if (failed) text += ` ${plural(failed, 'size', 'sizes')} could not be made.`;
    attention = [...new Set(attention)];
    if (attention.length) text += ` Check ${listWords(attention)}.`;
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
          if (note) note.textContent = `The server is busy: the clip follows in ${plural(wait, 'second', 'seconds')}…`;
          await new Promise((r) => setTimeout(r, wait * 1000));
          if (ctrl.signal.aborted) return;
        }
        if (!res.ok) {
          const body = await res.json().catch(() => null);
          const f = friendlyError((body && body.error) || { message: `the server answered ${res.status}` });
          if (note) note.textContent = `The clip could not be made: ${f.short} ${f.detail}`.trim();
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
        if (note) note.textContent = `Clip ready · ${Math.max(1, Math.round(blob.size / 1024))} KB`;
      } catch (e) {
        if (e.name === 'AbortError') return;
        if (note) note.textContent = 'The clip could not be made: the server could not be reached.';
      }
    }
    if (state.clipController === ctrl) document.body.dataset.clips = 'done';
  }

  function cardShell(info, w, h) {
    const card = $('#card-template').content.firstElementChild.cloneNode(true);
    $('h3', card).textContent = info.label;
    $('.dims', card).textContent = `${w} × ${h} px`;
    card.dataset.platform = info.name;
    return card;
  }

  function issueItem(label, text, hint, bad) {
    return el('li', { class: bad ? 'bad' : 'warn' },
      el('strong', { text: `${label}: ` }), text, hint ? el('span', { class: 'fix', text: ` ${hint}` }) : null);
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
      const label = KIND_LABEL[d.kind] || words(d.kind || 'Note');
      list.append(issueItem(label, d.message, d.hint, false));
      const p = addProblem(problems, d.field, `${label}: ${d.message}`, false);
      if (p) p.where.push(info.label);
    }
    if (!diags.length) for (const w of a.warnings || []) list.append(issueItem('Check', w, '', false));
    if (list.childElementCount) {
      card.classList.add('has-issues');
      $('.dims', card).after(el('p', { class: 'badge warn', text: plural(list.childElementCount, 'thing to check', 'things to check') }));
    } else {
      $('.dims', card).after(el('p', { class: 'badge good', text: 'Ready to post' }));
      list.remove();
    }
    if (info.video) {
      card.classList.add('is-clip');
      card.dataset.clip = 'making';
      $('.dims', card).textContent += ` · video, ${info.video.fps} fps`;
      $('.frame', card).append(el('p', { class: 'clip-note', role: 'status', text: 'Making the clip… (a few seconds)' }));
      $('[data-act="png"]', card).textContent = 'Download video';
    } else {
      $('.dims', card).textContent += ` · ${Math.max(1, Math.round((a.bytes || 0) / 1024))} KB`;
    }
    $('[data-act="png"]', card).addEventListener('click', (ev) => downloadOne(a, info, ev.currentTarget));
    $('[data-act="caption"]', card).addEventListener('click', (ev) => copy(a.caption || '', 'Caption', ev.currentTarget));
    $('[data-act="alt"]', card).addEventListener('click', (ev) => copy(a.alt || '', 'Alt text', ev.currentTarget));
    for (const b of $$('.card-actions .btn', card)) b.setAttribute('aria-describedby', `${card.dataset.platform}-h`);
    $('h3', card).id = `${card.dataset.platform}-h`;
    return card;
  }

  function errorCard(e, info, problems) {
    const card = cardShell(info, info.width || '?', info.height || '?');
    card.classList.add('failed');
    const frame = $('.frame', card);
    frame.replaceChildren(el('p', { class: 'no-image', text: 'Not made' }));
    frame.classList.add('empty-frame');
    if (info.width && info.height) frame.classList.add('ratio'), frame.style.aspectRatio = `${info.width} / ${info.height}`;
    const f = friendlyError(e);
    $('.issues', card).append(issueItem('Could not make this size', f.short, f.detail, true));
    const p = addProblem(problems, e.field, `${f.short} ${f.detail}`.trim(), true);
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
        setStatus(`The server is busy. Trying again in ${plural(s, 'second', 'seconds')}…`, 'warn');
        await new Promise((r) => setTimeout(r, s * 1000));
        continue;
      }
      if (!res.ok) {
        const body = await res.json().catch(() => null);
        throw new Error((body && body.error && body.error.message) || `the server answered ${res.status}`);
      }
      return { blob: await res.blob(), res };
    }
    throw new Error('the server stayed busy; try again in a minute');
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
      setStatus(`Download failed: ${e.message}.`, 'bad');
    } finally {
      button.disabled = false;
      button.textContent = text;
    }
  }

  function downloadOne(a, info, button) {
    return withButton(button, 'Preparing…', async () => {
      if (info.video) {
        const made = state.clips && state.clips[a.platform];
        const { blob, name } = made || await fetchFile('video/mp4', [a.platform]).then(
          ({ blob, res }) => ({ blob, name: fileName(res, `${a.template}-${a.platform}.mp4`) }));
        save(blob, name);
        setStatus(`${info.label} video downloaded as ${name}.`, 'good');
        return;
      }
      const { blob, res } = await fetchFile('image/png', [a.platform]);
      const name = fileName(res, `${a.template}-${a.platform}.png`);
      save(blob, name);
      setStatus(`${info.label} image downloaded as ${name}.`, 'good');
    });
  }

  // The zip the "Download all" button saves (also used by the browser test).
  async function fetchKit() {
    const { blob, res } = await fetchFile('application/zip', null);
    return { blob, name: fileName(res, `${slug($('#org').value)}-graphics.zip`) };
  }

  function downloadAll(button) {
    return withButton(button, 'Preparing your zip…', async () => {
      setStatus('Making every size at full resolution…');
      const { blob, name } = await fetchKit();
      save(blob, name);
      setStatus(`Downloaded ${name}: every image and clip with its alt text and caption.`, 'good');
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
    button.textContent = ok ? 'Copied ✓' : 'Copy failed';
    setStatus(ok ? `${what} copied.` : `Could not copy. Select the text: ${text}`, ok ? 'good' : 'bad');
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
    let campaign; let platforms; let templates;
    try {
      [campaign, platforms, templates] = await Promise.all([
        getJSON('/api/campaign'), getJSON('/api/platforms'), getJSON('/api/templates')]);
    } catch (e) {
      $('#load-status').textContent = `The page could not load the campaign from the server (${e.message}). Reload the page to try again.`;
      setStatus('Not connected.', 'bad');
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
    $('#theme').textContent = campaign.theme || campaign.name;
    $('#campaign-line').textContent = campaign.day ? `${campaign.name} · ${niceDate(campaign.day)}` : campaign.name;
    document.title = `Make your ${campaign.theme || campaign.name} graphics`;
    $('#hashtags').value = (campaign.hashtags || []).join(' ');
    $('#tags').value = (campaign.tags || []).join(' ');
    $('#plat-campaign').textContent = `The campaign’s ${defaults.length === 5 ? 'five' : defaults.length}`;
    $('#plat-campaign').addEventListener('click', () => choosePlatforms(defaults));
    $('#plat-all').addEventListener('click', () => choosePlatforms(platforms.map((p) => p.name)));
    const thumbs = buildKinds();
    buildKindFields();
    buildPlatforms();
    if (window.matchMedia('(min-width: 960px)').matches) $('#sizes').open = true;
    document.body.dataset.ready = 'true';
    render().finally(() => loadThumbnails(thumbs));
  }

  window.postkit = { fetchKit, buildForm, render };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
