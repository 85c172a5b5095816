// One engine of the static site's pool (see engine-wasm.js): postkit's
// engine as WebAssembly, its own instance and memory. It answers the page's
// messages with what postkit serve would answer; fonts arrive with the
// first job that needs them. A panic aborts the instance: the worker says
// so and the page starts a fresh one. The batch worker (the page's "Many
// organisations" mode) runs the site's batch engine, postkit_batch: the
// same Kit with a sheet's check and batch, sent with `batch: true`.

let engine = null; // the engine's module: Kit, Form, BatchForm
let kit = null;
let started = null; // the instance and its kit, made once
let broken = false;

function answer(r) {
  const out = {
    status: r.status, content_type: r.content_type, body: r.body,
    file_name: r.file_name, failed: r.failed, assets: r.assets, failures: r.failures,
  };
  r.free();
  return out;
}

// A sheet's job: its text (for the fonts the page fetches first), its
// check, or the batch, which says how far it is after each asset.
function batch(msg) {
  const form = new engine.BatchForm();
  try {
    for (const [name, value] of msg.texts) form.text(name, value);
    for (const [name, file, bytes] of msg.files) form.file(name, file, new Uint8Array(bytes));
    if (msg.kind === 'batch-text') {
      const body = new TextEncoder().encode(kit.batch_text(form));
      return { status: 200, content_type: 'text/plain', body, file_name: '', failed: '', assets: 0, failures: 0 };
    }
    if (msg.kind === 'batch-check') return answer(kit.batch_check(form, msg.today));
    const progress = (done, total) => self.postMessage({ kind: 'progress', id: msg.id, done, total });
    return answer(kit.batch(form, msg.today, progress));
  } finally {
    form.free();
  }
}

self.onmessage = async (ev) => {
  const msg = ev.data;
  if (msg.kind === 'init') {
    started = (async () => {
      engine = await (msg.batch ? import('./postkit_batch.js') : import('./postkit_web.js'));
      await engine.default({ module_or_path: msg.module });
      const s = msg.setup || {};
      kit = new engine.Kit(s.campaign || undefined, s.platforms || undefined);
      for (const t of s.templates || []) kit.add_template(t.name, JSON.stringify(t.files));
    })();
    return;
  }
  try {
    await started;
    if (broken) throw new Error('the engine stopped');
    const fonts = [];
    for (const [file, bytes] of msg.fonts || []) {
      kit.add_font(file, new Uint8Array(bytes));
      fonts.push(file);
    }
    let reply;
    if (msg.kind === 'get') {
      reply = answer(kit.get(msg.path, msg.today));
    } else if (msg.kind.startsWith('batch')) {
      reply = batch(msg);
    } else {
      const form = new engine.Form();
      for (const [name, value] of msg.texts) form.text(name, value);
      for (const [name, file, bytes] of msg.files) form.file(name, file, new Uint8Array(bytes));
      reply = answer(kit.render(form, msg.accept, msg.today));
      form.free();
    }
    self.postMessage({ kind: 'done', id: msg.id, reply, fonts }, [reply.body.buffer]);
  } catch (e) {
    // A panic (RuntimeError: unreachable) leaves the instance unusable.
    broken = true;
    self.postMessage({ kind: 'crash', id: msg.id, message: String((e && e.message) || e) });
  }
};
