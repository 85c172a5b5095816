//! Output: pixels encoded (PNG, JPEG, WebP, within a preset's byte cap)
//! and bytes written to disk atomically, under one naming scheme.

#[cfg(feature = "video")]
pub mod clip;
pub mod encode;
pub mod write;

pub use encode::*;
pub use write::*;
