//! The pixel buffer an asset is drawn into.

use resvg::tiny_skia::Pixmap;

/// A rendered asset's pixels. Dropping it hands its memory to the next
/// canvas this thread renders: in a batch, each worker draws every asset
/// into the same few megabytes instead of asking the allocator for a fresh
/// 4–8 MB block each time, which glibc would keep, fragmented, in its heaps
/// (peak memory then grows with the length of the run).
///
/// Whether a canvas keeps its memory for the thread's next one is the
/// caller's choice ([`Canvas::new`]'s `reuse`): a batch's workers do; a
/// long-running server, whose threads serve other work between renders,
/// does not.
pub struct Canvas {
    pixmap: Option<Pixmap>,
    reuse: bool,
}

thread_local! {
    /// Memory of this thread's last dropped canvas (the largest kept).
    static SPARE: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

impl Canvas {
    /// A transparent `width` × `height` canvas; None if the size is zero.
    /// With `reuse`, it is made in this thread's spare memory when there is
    /// some, and gives its memory back to the thread when dropped.
    pub fn new(width: u32, height: u32, reuse: bool) -> Option<Canvas> {
        let size = resvg::tiny_skia::IntSize::from_wh(width, height)?;
        let len = (width as usize)
            .checked_mul(height as usize)?
            .checked_mul(4)?;
        let mut data = if reuse {
            SPARE.with(|s| s.take())
        } else {
            Vec::new()
        };
        if data.capacity() < len {
            // Freed first, then exactly the size needed (a `resize` would
            // hold both, and double the spare).
            drop(data);
            data = vec![0; len];
        } else {
            data.clear();
            data.resize(len, 0);
        }
        Pixmap::from_vec(data, size).map(|p| Canvas {
            pixmap: Some(p),
            reuse,
        })
    }

    /// Frees this thread's spare canvas memory (when its rendering is over).
    pub fn release_spare() {
        SPARE.with(|s| drop(s.take()));
    }

    /// The pixmap, whose memory then leaves the thread's reuse.
    pub fn into_pixmap(mut self) -> Pixmap {
        self.pixmap
            .take()
            .expect("a canvas holds its pixmap until dropped")
    }
}

impl std::ops::Deref for Canvas {
    type Target = Pixmap;
    fn deref(&self) -> &Pixmap {
        self.pixmap
            .as_ref()
            .expect("a canvas holds its pixmap until dropped")
    }
}

impl std::ops::DerefMut for Canvas {
    fn deref_mut(&mut self) -> &mut Pixmap {
        self.pixmap
            .as_mut()
            .expect("a canvas holds its pixmap until dropped")
    }
}

impl Drop for Canvas {
    fn drop(&mut self) {
        let Some(p) = self.pixmap.take() else { return };
        if !self.reuse {
            return;
        }
        let data = p.take();
        // A canvas dropped while its thread is ending (its spare already
        // gone) just frees its memory.
        let _ = SPARE.try_with(|s| {
            let old = s.take();
            s.set(if data.capacity() >= old.capacity() {
                data
            } else {
                old
            });
        });
    }
}
