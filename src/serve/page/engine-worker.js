// One engine of the static site's pool (see engine-wasm.js): postkit's
// engine as WebAssembly, its own instance and memory. It answers the page's
// messages with what postkit serve would answer; fonts arrive with the
// first job that needs them. A panic aborts the instance: the worker says
// so and the page starts a fresh one.
import init, { Kit, Form } from './postkit_web.js';

let kit = null;
let started = null; // the instance and its kit, made once
let broken = false;

function answer(r) {
  const out = {
    status: r.status, content_type: r.content_type, body: r.body,
    file_name: r.file_name, failed: r.failed,
  };
  r.free();
  return out;
}

self.onmessage = async (ev) => {
  const msg = ev.data;
  if (msg.kind === 'init') {
    started = (async () => {
      await init({ module_or_path: msg.module });
      const s = msg.setup || {};
      kit = new Kit(s.campaign || undefined, s.platforms || undefined);
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
    } else {
      const form = new Form();
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
