//! postkit turns a campaign's SVG templates and a community's stories into
//! ready-to-post social media graphics.
//!
//! The pipeline, one typed value at each boundary, each stage a module that
//! imports only from the stages above it:
//!
//! | stage | module | in → out |
//! |---|---|---|
//! | base | [`diag`], [`error`], [`contrast`], [`embedded`] | diagnostics, errors, WCAG arithmetic, the embedded kit |
//! | typesetting | [`text`] | text + style → a laid-out [`text::TextBlock`] |
//! | inputs | [`inputs`] | files and values → [`Campaign`], [`Platform`], [`Brand`], [`ImageInput`], [`Content`] |
//! | template | [`template`] | SVG files → a parsed [`TemplateSet`] |
//! | fill | [`fill`] | set + platform + content → a [`Filled`] SVG |
//! | raster | [`raster`] | filled SVG → pixels ([`raster::Rendered`]), with the [`Engine`] |
//! | accessibility | [`accessibility`] | contrast, scrims, logo choice, alt text, captions, template lint |
//! | output | [`output`] | pixels → encoded bytes; bytes → files, atomically |
//! | report | [`report`] | [`Report`], the review page, contact sheets |
//! | plan | [`plan`] | flags / a row / a form → a typed [`plan::Request`] |
//! | make | [`make`] | a request → [`make::Made`] assets in memory, then written |
//! | batch | [`batch`] | a spreadsheet → every asset, incrementally, sharded |
//! | api | `api` (feature `api`) | a form → the API's answers (JSON, the kit's zip; a sheet's check and batch zip), for the server and the in-browser engine |
//! | serve | `serve` (feature `serve`) | HTTP requests → answers from memory: the page and the API |
//!
//! Front ends (the `postkit` binary's commands, a server) hold no pipeline
//! logic: they turn what they were given into a [`plan::Input`], and call
//! [`plan::plan`], then [`make::make_asset`] / [`make::make_kit`] (in
//! memory) or [`make::make_and_write`]. The library never reads arguments or
//! prints.
//!
//! ```no_run
//! use postkit::{Campaign, Content, Engine, Platforms, TemplateSet};
//!
//! let engine = Engine::new(&[] as &[&str]).unwrap();
//! let campaign = Campaign::embedded();
//! let content = Content::story(&campaign, "Plymouth Welcome Hub", "When we arrived…");
//! let set = TemplateSet::load("story-quote").unwrap();
//! let platform = Platforms::embedded().get("instagram-square").unwrap().clone();
//! let asset = engine.render(&set, &platform, &content).unwrap();
//! std::fs::write("card.png", &asset.bytes).unwrap();
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod contrast;
pub mod diag;
pub mod embedded;
pub mod error;

pub mod text;

pub mod inputs;

pub mod template;

pub mod fill;

pub mod raster;

pub mod accessibility;

pub mod motion;

pub mod output;

pub mod report;

pub mod plan;

pub mod make;

pub mod batch;

#[cfg(feature = "api")]
pub mod api;

#[cfg(feature = "serve")]
pub mod serve;

pub mod scaffold;

pub use accessibility::{aa_threshold, caption, check};
pub use diag::{Diagnostic, ErrorClass, Kind};
pub use error::Error;
pub use fill::Filled;
pub use inputs::{brand, campaign, images, platform};
pub use inputs::{Brand, Campaign, Content, ImageInput, Platform, Platforms};
pub use make::{make_asset, make_kit, Made, MakeOptions};
pub use raster::Engine;
pub use report::{review, AssetReport, ErrorReport, Report};
pub use template::TemplateSet;
pub use text::FontBook;
