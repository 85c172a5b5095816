//! A whole campaign from one sheet, in the browser (feature `batch`): the
//! page's "Many organisations" mode asks the site's batch engine what it
//! would ask `POST /api/batch/check` and `POST /api/batch`, and gets the
//! same answers ([`postkit::api::batch`]): every row's problem by its cell,
//! previews of the first rows, and one zip of what `postkit batch` writes.
//! The sheet and its files are read from the partner's device into this
//! worker's memory and never leave it; the caps are a browser tab's
//! ([`Caps::browser`]).

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

use postkit::api::batch::{self, base_name, Batch, Caps, Place, Sent};
use postkit::api::FormError;
use postkit::make::Cancel;
use wasm_bindgen::prelude::*;

use super::{no_fonts, parse_date, Kit, Reply};

#[wasm_bindgen]
extern "C" {
    /// The page's progress callback, called `(done, total)` as each asset
    /// of a batch is finished.
    pub type Progress;

    #[wasm_bindgen(method, catch, js_name = call)]
    fn call(this: &Progress, this_arg: &JsValue, done: u32, total: u32)
        -> Result<JsValue, JsValue>;
}

thread_local! {
    /// The running batch's callback: the batch hears of each asset on the
    /// one thread a worker has, so the callback stays in this thread.
    static PROGRESS: RefCell<Option<Progress>> = const { RefCell::new(None) };
}

/// A batch's form as the page sends it: `sheet`, `sheet_name`, `date` and
/// the logos and photos (files or one `.zip`), within the page's caps.
#[wasm_bindgen]
pub struct BatchForm {
    sent: Sent,
    caps: Caps,
    /// Every file's bytes so far.
    total: usize,
    error: Option<FormError>,
}

impl Default for BatchForm {
    fn default() -> BatchForm {
        BatchForm::new()
    }
}

#[wasm_bindgen]
impl BatchForm {
    /// An empty form.
    #[wasm_bindgen(constructor)]
    pub fn new() -> BatchForm {
        BatchForm {
            sent: Sent::default(),
            caps: Caps::browser(),
            total: 0,
            error: None,
        }
    }

    /// A text value (the first problem is kept and answered).
    pub fn text(&mut self, name: &str, value: String) {
        if self.error.is_some() {
            return;
        }
        if value.len() > self.caps.limits.text {
            self.error = Some(FormError::too_large(name, self.caps.limits.text));
            return;
        }
        self.error = self
            .sent
            .field(name, None, value.into_bytes(), &self.caps)
            .err();
    }

    /// A file (`file`: its own name, which rows name it by).
    pub fn file(&mut self, name: &str, file: &str, bytes: Vec<u8>) {
        if self.error.is_some() {
            return;
        }
        let file: String = base_name(file).chars().take(120).collect();
        let limits = &self.caps.limits;
        self.total += bytes.len();
        self.error = if self.total > limits.batch_body {
            Some(self.caps.too_many_bytes())
        } else if bytes.len() > limits.image {
            Some(FormError::too_large(&file, limits.image))
        } else {
            self.sent.field(name, Some(file), bytes, &self.caps).err()
        };
    }
}

impl Kit {
    /// Runs `then` with the engine, the offer and the form's batch (its
    /// sheet read, on the form's date or else `today`), or answers the
    /// form's first problem.
    fn with_batch(
        &mut self,
        form: &BatchForm,
        today: &str,
        then: impl FnOnce(&postkit::Engine, postkit::api::Offer, &Batch) -> Reply,
    ) -> Reply {
        let read = || -> Result<_, FormError> {
            if let Some(e) = &form.error {
                return Err(e.clone());
            }
            Ok((form.sent.sheet(&form.caps)?, parse_date(today)?))
        };
        let (sheet, today) = match read() {
            Ok(r) => r,
            Err(e) => return Reply::error(&e),
        };
        if let Err(e) = self.engine() {
            return Reply::error(&e);
        }
        let Some(engine) = &self.engine else {
            return Reply::error(&no_fonts());
        };
        then(
            engine,
            self.offer(),
            &sheet.batch(&form.sent, today, Place::Browser),
        )
    }
}

#[wasm_bindgen]
impl Kit {
    /// Every cell's text of the form's sheet, one a line (empty when it
    /// cannot be read: the check says why): the page fetches the fonts
    /// for the scripts in it before the check or the batch.
    pub fn batch_text(&self, form: &BatchForm) -> String {
        let Ok(sheet) = form.sent.sheet(&form.caps) else {
            return String::new();
        };
        let cells = sheet.table.rows.iter().flat_map(|r| r.values.values());
        cells.map(String::as_str).collect::<Vec<_>>().join("\n")
    }

    /// `POST /api/batch/check`: every row checked, each problem by its
    /// row, cell and column; previews of the first rows' cards; `today`
    /// as `YYYY-MM-DD`.
    pub fn batch_check(&mut self, form: &BatchForm, today: &str) -> Reply {
        self.with_batch(form, today, |engine, offer, b| {
            Reply::json(&batch::check(engine, offer, b))
        })
    }

    /// `POST /api/batch`: the zip of what `postkit batch` writes for the
    /// sheet and files (`out/…`); `progress` (optional) is called
    /// `(done, total)` as each asset is finished.
    pub fn batch(&mut self, form: &BatchForm, today: &str, progress: Option<Progress>) -> Reply {
        PROGRESS.with(|p| *p.borrow_mut() = progress);
        let reply = self.with_batch(form, today, |engine, offer, b| {
            let (done, total) = (AtomicUsize::new(0), AtomicUsize::new(0));
            let tell = |n: Option<usize>, _: postkit::batch::Outcome| {
                match n {
                    Some(n) => total.store(n, Ordering::Relaxed),
                    None => {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
                let (d, t) = (done.load(Ordering::Relaxed), total.load(Ordering::Relaxed));
                PROGRESS.with(|p| {
                    if let Some(f) = &*p.borrow() {
                        // A callback that throws only loses the progress shown.
                        let _ = f.call(&JsValue::NULL, d as u32, t as u32);
                    }
                });
            };
            match batch::make(engine, offer, b, &Cancel::new(), &tell) {
                Ok(z) => Reply {
                    file_name: "postkit-batch.zip".into(),
                    assets: z.written as u32,
                    failures: z.failed as u32,
                    ..Reply::ok("application/zip", z.zip)
                },
                Err(e) => Reply::error(&FormError::from_error(&e)),
            }
        });
        PROGRESS.with(|p| *p.borrow_mut() = None);
        reply
    }
}
