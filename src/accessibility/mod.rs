//! Accessibility: what makes an asset readable by everyone, measured on
//! what is drawn.
//!
//! - [`compose`]: the feedback loop around fill and render: a logo on a
//!   background it does not stand out from is swapped for the dark-background
//!   logo or put on a plate; text over a photo gets a scrim, darker step by
//!   step, until it reaches WCAG AA; contrast below AA is reported;
//! - [`caption`]: alt text, the ready-to-paste post, the hashtag lint;
//! - [`check`]: a template's lint (slots, fonts, safe zones, contrast).
//!
//! The contrast arithmetic itself is [`crate::contrast`].

pub mod caption;
pub mod check;
pub mod compose;

pub use compose::aa_threshold;
