//! The command line: flags only. Scripts depend on these names.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Turn a campaign's templates and a community's stories into ready-to-post
/// social media graphics.
#[derive(Debug, Parser)]
#[command(name = "postkit", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render one organisation's story into every platform size.
    Render(Box<RenderArgs>),
    /// List platform presets (name, pixel size, safe zone).
    Platforms(ListArgs),
    /// List templates.
    Templates(ListArgs),
}

/// Paragraph direction.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Dir {
    /// From each paragraph's first strong character.
    Auto,
    /// Left to right.
    Ltr,
    /// Right to left.
    Rtl,
}

/// `postkit render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Organisation name (set as a wordmark when no logo is given).
    #[arg(long, value_name = "NAME")]
    pub org: String,
    /// The story text.
    #[arg(
        long,
        value_name = "TEXT",
        conflicts_with = "story_file",
        required_unless_present = "story_file"
    )]
    pub story: Option<String>,
    /// Read the story from a file, or '-' for standard input.
    #[arg(long, value_name = "PATH|-")]
    pub story_file: Option<String>,
    /// Logo image (PNG, JPEG, WebP or SVG).
    #[arg(long, value_name = "PATH")]
    pub logo: Option<PathBuf>,
    /// Photo for templates with a photo slot.
    #[arg(long, value_name = "PATH")]
    pub photo: Option<PathBuf>,
    /// Template: a built-in name, or a template folder or .svg file (repeatable).
    #[arg(long, value_name = "NAME|PATH")]
    pub template: Vec<String>,
    /// Platform preset (repeatable), or 'all'. Default: the campaign's set.
    #[arg(long, value_name = "NAME")]
    pub platform: Vec<String>,
    /// Campaign: 'default' or a campaign TOML file.
    #[arg(long, value_name = "NAME|PATH", default_value = "default")]
    pub campaign: String,
    /// Hashtag (repeatable); replaces the campaign's.
    #[arg(long, value_name = "TAG")]
    pub hashtag: Vec<String>,
    /// Handle to tag (repeatable); replaces the campaign's.
    #[arg(long, value_name = "HANDLE")]
    pub tag: Vec<String>,
    /// Extra font file (repeatable); comes before the embedded fonts.
    #[arg(long, value_name = "PATH")]
    pub font: Vec<PathBuf>,
    /// Paragraph direction of the story.
    #[arg(long, value_enum, default_value = "auto")]
    pub dir: Dir,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// Also write the filled SVG beside each PNG.
    #[arg(long)]
    pub emit_svg: bool,
    /// Make warnings about the text (missing glyphs, words broken inside)
    /// errors for that asset.
    #[arg(long)]
    pub strict: bool,
    /// Print a JSON report on stdout.
    #[arg(long)]
    pub json: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `postkit platforms` / `postkit templates`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}
