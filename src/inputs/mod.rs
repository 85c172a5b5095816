//! The first stage: what a request is made of, each read and checked once.
//!
//! - [`Campaign`]: hashtags, handles, dates, palette, default template;
//! - [`Platform`] presets: pixel size, safe zone, byte cap, text limits;
//! - [`Brand`]: an organisation's name, logos, colours and fonts;
//! - [`ImageInput`]: a logo or photo, decoded and size-checked;
//! - [`Content`]: the fields and images that fill a template.
//!
//! Nothing here knows about templates or rendering.

pub mod brand;
pub mod campaign;
pub mod content;
pub mod images;
pub mod platform;
pub mod words;

pub use brand::Brand;
pub use campaign::Campaign;
pub use content::Content;
pub use images::ImageInput;
pub use platform::{Platform, Platforms};
