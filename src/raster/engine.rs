//! The engine: the fonts and renderer options every asset shares, built
//! once by whoever runs the pipeline (a CLI command, a batch, a server);
//! an engine with a brand's fonts too is made from it with
//! [`Engine::with_fonts`], sharing the faces it already has.

use std::path::Path;

use crate::error::Error;
use crate::template::TemplateSet;
use crate::text::FontBook;

/// Fonts and renderer options, built once and shared by every asset.
pub struct Engine {
    book: FontBook,
    opts: usvg::Options<'static>,
    reuse_canvases: bool,
}

impl Engine {
    /// Loads the embedded fonts and the user's (which come first).
    pub fn new(user_fonts: &[impl AsRef<Path>]) -> Result<Engine, Error> {
        Ok(Engine::of(FontBook::new(user_fonts)?, false))
    }

    fn of(book: FontBook, reuse_canvases: bool) -> Engine {
        let opts = super::options(&book);
        Engine {
            book,
            opts,
            reuse_canvases,
        }
    }

    /// An engine whose fonts are given as bytes, by file name, rather than
    /// embedded (the in-browser engine): see [`FontBook::from_bytes`].
    pub fn with_font_bytes(fonts: Vec<(String, Vec<u8>)>) -> Result<Engine, Error> {
        Ok(Engine::of(FontBook::from_bytes(fonts)?, false))
    }

    /// This engine with more font files, which come after its user fonts and
    /// before the embedded ones (a brand's fonts, say), and its other
    /// settings: the faces it has are shared, not loaded again (see
    /// [`FontBook::with_fonts`]).
    pub fn with_fonts(&self, files: &[impl AsRef<Path>]) -> Result<Engine, Error> {
        Ok(Engine::of(
            self.book.with_fonts(files)?,
            self.reuse_canvases,
        ))
    }

    /// Whether each thread keeps the memory of its last canvas for the next
    /// asset it renders (see [`super::Canvas`]): worth it for a batch, whose
    /// workers do nothing else; off by default. A thread's spare is freed by
    /// [`super::Canvas::release_spare`].
    pub fn reuse_canvases(mut self, reuse: bool) -> Engine {
        self.reuse_canvases = reuse;
        self
    }

    /// True when canvases are reused (see [`Engine::reuse_canvases`]).
    pub fn reuses_canvases(&self) -> bool {
        self.reuse_canvases
    }

    /// The font book.
    pub fn fonts(&self) -> &FontBook {
        &self.book
    }

    /// Calls `f` with the renderer options for a set: a set from disk may
    /// embed image files from its own folder, and nothing else.
    pub fn with_options<R>(&self, set: &TemplateSet, f: impl FnOnce(&usvg::Options) -> R) -> R {
        match &set.dir {
            None => f(&self.opts),
            Some(dir) => f(&super::options_in(&self.book, Some(dir.clone()))),
        }
    }
}
