//! The command line: flags only. Scripts depend on these names.

use std::path::PathBuf;
use std::sync::OnceLock;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use postkit::batch::ShardSpec;
use postkit::plan::parse;

/// Turn a campaign's templates and a community's stories into ready-to-post
/// social media graphics.
#[derive(Debug, Parser)]
#[command(name = "postkit", version = version(), about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The whole command definition: what parses the arguments, and what the
/// man pages and shell completions are generated from.
pub fn command() -> clap::Command {
    Cli::command()
}

/// Cargo features that change what the binary can do, named by `--version`
/// so that a bug report says what was running. A new feature is one line.
const FEATURES: &[(&str, bool)] = &[
    ("cjk", cfg!(feature = "cjk")),
    ("emoji", cfg!(feature = "emoji")),
    ("serve", cfg!(feature = "serve")),
    ("video", cfg!(feature = "video")),
];

/// `postkit --version`: the version, the platform and the features built in,
/// e.g. `0.1.0 (x86_64-linux; features: cjk, emoji)`.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let on: Vec<&str> = FEATURES
            .iter()
            .filter(|(_, on)| *on)
            .map(|(name, _)| *name)
            .collect();
        format!(
            "{} ({}-{}; features: {})",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::ARCH,
            std::env::consts::OS,
            if on.is_empty() {
                "none".to_string()
            } else {
                on.join(", ")
            }
        )
    })
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render one organisation's story into every platform size.
    Render(Box<RenderArgs>),
    /// List platform presets (name, pixel size, safe zone).
    Platforms(ListArgs),
    /// List templates, or show one (fields, sizes, preview images).
    Templates(TemplatesArgs),
    /// Lint a template: slots, fonts, safe zones, text contrast.
    Check(CheckArgs),
    /// Render a spreadsheet of partners and stories (CSV, JSON or TOML).
    #[command(after_help = BATCH_EXIT)]
    Batch(Box<BatchArgs>),
    /// Merge the shards of a batch, copied into one folder: one report,
    /// review page and contact sheets, nothing rendered again.
    #[command(after_help = MERGE_EXIT)]
    Merge(MergeArgs),
    /// Scaffold a folder a partner can fill in: a batch file, a brand.toml, a note.
    Init(InitArgs),
    /// Print the shell completion script for bash, zsh, fish, powershell or elvish.
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per subcommand with --dir.
    Man(ManArgs),
    /// Serve the web page partners make their kit on, and the HTTP API.
    #[cfg(feature = "serve")]
    Serve(Box<ServeArgs>),
}

/// `postkit batch --help`: what its exit status means (job runners act on it).
const BATCH_EXIT: &str = "Exit status:
  0  every asset written (or unchanged since the last run)
  1  the run failed (a file could not be read or written, postkit failed): running it again may work
  2  usage error (an unknown flag, template or platform; --shard auto outside a job runner)
  3  some rows are bad (named on stderr and in the report); every other asset was written: fix the rows, then run again

A run killed part-way resumes: run the same command again and it renders only what is missing.";

/// `postkit merge --help`: what its exit status means.
const MERGE_EXIT: &str = "Exit status:
  0  merged, and no shard had a failure
  1  a shard is missing, unfinished or from another run (named on stderr), or a file could not be written
  3  merged; some rows are bad (as for postkit batch)";

/// `postkit merge DIR`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The folder the shards' output folders were copied into.
    pub dir: PathBuf,
    /// Print a JSON summary (shards, assets, errors, report, review) on stdout.
    #[arg(long)]
    pub json: bool,
    /// Print errors only.
    #[arg(long)]
    pub quiet: bool,
}

/// `postkit serve`.
#[cfg(feature = "serve")]
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port, printed at start).
    #[arg(
        long,
        env = "POSTKIT_BIND",
        value_name = "ADDR:PORT",
        default_value = "127.0.0.1:8080"
    )]
    pub bind: String,
    /// `default` or a campaign TOML file.
    #[arg(
        long,
        env = "POSTKIT_CAMPAIGN",
        value_name = "NAME|PATH",
        default_value = "default"
    )]
    pub campaign: String,
    /// Platform presets from a TOML file instead of the embedded ones.
    #[arg(long, env = "POSTKIT_PLATFORMS", value_name = "FILE")]
    pub platforms: Option<PathBuf>,
    /// A folder of template sets to offer beside the built-in kit.
    #[arg(long, env = "POSTKIT_TEMPLATE_DIR", value_name = "DIR")]
    pub template_dir: Option<PathBuf>,
    /// Extra font file (repeatable); comes before the embedded fonts.
    #[arg(long, env = "POSTKIT_FONT", value_name = "PATH")]
    pub font: Vec<PathBuf>,
    /// Render threads (default: one per core); also the number of
    /// requests rendered at once (more wait in the queue).
    #[arg(long, env = "POSTKIT_WORKERS", value_name = "N")]
    pub workers: Option<usize>,
    /// Render requests that may wait for a slot, served in arrival order
    /// (default: four per render slot); more get 503 with Retry-After
    /// at once. 0: no queue.
    #[arg(long, env = "POSTKIT_QUEUE", value_name = "N")]
    pub queue: Option<usize>,
    /// Seconds a render request may wait for a slot, then 503 with
    /// Retry-After.
    #[arg(
        long,
        env = "POSTKIT_QUEUE_WAIT",
        value_name = "SECS",
        default_value = "20"
    )]
    pub queue_wait: u64,
    /// Serve Prometheus metrics at /metrics on this address only (default:
    /// /metrics on --bind).
    #[arg(long, env = "POSTKIT_METRICS_BIND", value_name = "ADDR:PORT")]
    pub metrics_bind: Option<String>,
    /// Stop after answering N requests (for tests and benchmarks).
    #[arg(long, env = "POSTKIT_MAX_REQUESTS", value_name = "N")]
    pub max_requests: Option<u64>,
    /// Seconds a request may take in all.
    #[arg(
        long,
        env = "POSTKIT_REQUEST_TIMEOUT",
        value_name = "SECS",
        default_value = "60"
    )]
    pub request_timeout: u64,
    /// Seconds reading an upload may take before it is cut off.
    #[arg(
        long,
        env = "POSTKIT_READ_TIMEOUT",
        value_name = "SECS",
        default_value = "30"
    )]
    pub read_timeout: u64,
    /// Seconds a request's headers may take to arrive (then 408 and close).
    #[arg(
        long,
        env = "POSTKIT_HEADER_TIMEOUT",
        value_name = "SECS",
        default_value = "10"
    )]
    pub header_timeout: u64,
    /// Seconds a connection may stay open with no request begun (between
    /// kept-alive requests, or before the first).
    #[arg(
        long,
        env = "POSTKIT_IDLE_TIMEOUT",
        value_name = "SECS",
        default_value = "15"
    )]
    pub idle_timeout: u64,
    /// JSON answers without previews link to their full-size images, kept
    /// in this server's memory for 10 minutes (off: they carry previews,
    /// so that any of several servers can answer any request).
    #[arg(long, env = "POSTKIT_ASSET_LINKS")]
    pub asset_links: bool,
    /// Seconds to keep serving new connections after SIGTERM, with /readyz
    /// answering 503, before in-flight requests are finished and the
    /// server exits (set it to what your load balancer needs to notice).
    #[arg(
        long,
        env = "POSTKIT_DRAIN_DELAY",
        value_name = "SECS",
        default_value = "0"
    )]
    pub drain_delay: u64,
    /// Connections open at once, at most (default and ceiling: the
    /// open-file limit, less a spare).
    #[arg(long, env = "POSTKIT_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<usize>,
    /// Largest request body, in MB.
    #[arg(
        long,
        env = "POSTKIT_MAX_BODY_MB",
        value_name = "MB",
        default_value = "32"
    )]
    pub max_body_mb: usize,
    /// Largest uploaded image, in MB.
    #[arg(
        long,
        env = "POSTKIT_MAX_IMAGE_MB",
        value_name = "MB",
        default_value = "15"
    )]
    pub max_image_mb: usize,
    /// Largest whole-campaign batch upload (/api/batch: the sheet, its
    /// logos and photos), in MB.
    #[arg(
        long,
        env = "POSTKIT_MAX_BATCH_MB",
        value_name = "MB",
        default_value = "100"
    )]
    pub max_batch_mb: usize,
    /// Rows a batch's sheet may have on this server (the zip is made in
    /// memory: more rows take more of it).
    #[arg(
        long,
        env = "POSTKIT_MAX_BATCH_ROWS",
        value_name = "N",
        default_value = "100"
    )]
    pub max_batch_rows: usize,
    /// Files (logos, photos; a zip's entries each count) a batch may send.
    #[arg(
        long,
        env = "POSTKIT_MAX_BATCH_FILES",
        value_name = "N",
        default_value = "200"
    )]
    pub max_batch_files: usize,
    /// Seconds a whole campaign's batch (/api/batch) may take; it uses one
    /// render slot all that time.
    #[arg(
        long,
        env = "POSTKIT_BATCH_TIMEOUT",
        value_name = "SECS",
        default_value = "600"
    )]
    pub batch_timeout: u64,
}

/// `postkit completions SHELL`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `postkit man [--dir DIR]`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write postkit.1 and a page per subcommand (postkit-render.1, …) into
    /// this folder instead of printing postkit.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// `postkit batch FILE`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The batch file: .xlsx, .xls or .ods (a workbook), .csv or .tsv (a header row; UTF-8,
    /// UTF-16 or Windows-1252; comma, semicolon or tab), .json (array of objects) or .toml
    /// ([[row]] tables).
    pub file: PathBuf,
    /// The workbook's sheet to read (default: the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Stop at the first failure.
    #[arg(long)]
    pub fail_fast: bool,
    /// Re-render every asset, even those whose inputs have not changed.
    #[arg(long)]
    pub force: bool,
    /// The brand.toml of rows with no brand column (or an empty one): its
    /// name, logos, colours and fonts.
    #[arg(long, value_name = "PATH")]
    pub brand: Option<PathBuf>,
    /// Render only shard I of N (1-based), e.g. 2/4; the shards together
    /// make the whole (see `postkit merge`). `auto`: from the job runner's
    /// array index: a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with
    /// POSTKIT_SHARD_COUNT set to its completions), an AWS Batch array job
    /// (AWS_BATCH_JOB_ARRAY_INDEX, AWS_BATCH_JOB_ARRAY_SIZE) or a Slurm
    /// array (SLURM_ARRAY_TASK_ID, _MIN, _MAX, _COUNT).
    #[arg(long, value_name = "I/N|auto", value_parser = ShardSpec::parse)]
    pub shard: Option<ShardSpec>,
    /// Options shared with `render` (defaults that a row's columns override).
    #[command(flatten)]
    pub common: Common,
}

/// `postkit init [DIR]`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to create (default: postkit-kit).
    #[arg(default_value = "postkit-kit")]
    pub dir: PathBuf,
}

/// `postkit templates [list|show NAME]`.
#[derive(Debug, Args)]
pub struct TemplatesArgs {
    /// list (default) or show.
    #[command(subcommand)]
    pub action: Option<TemplatesAction>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// What `postkit templates` does.
#[derive(Debug, Subcommand)]
pub enum TemplatesAction {
    /// List the built-in templates.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one template: variants, slots, the presets each variant serves,
    /// and preview images rendered with sample content.
    Show {
        /// A built-in name, or a template folder or .svg file.
        name: String,
        /// Where to write the previews.
        #[arg(long, value_name = "DIR", default_value = "out/previews")]
        out: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `postkit check TEMPLATE`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A built-in name, or a template folder or .svg file.
    pub template: String,
    /// Platform presets from a TOML file instead of the embedded ones.
    #[arg(long, value_name = "FILE")]
    pub platforms: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
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
    /// Organisation name (set as a wordmark when no logo is given); default:
    /// the brand's name.
    #[arg(long, value_name = "NAME", required_unless_present = "brand", aliases = ["organisation", "organization"])]
    pub org: Option<String>,
    /// The organisation's brand.toml (name, logos, colours, fonts).
    #[arg(long, value_name = "PATH")]
    pub brand: Option<PathBuf>,
    /// The story text.
    #[arg(long, value_name = "TEXT", conflicts_with = "story_file")]
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
    /// Focal point of the photo, kept in view when it is cropped: x,y from
    /// 0 to 1 (0.5,0.3 is centre, upper third).
    #[arg(long, value_name = "X,Y", value_parser = parse::focus)]
    pub focus: Option<(f32, f32)>,
    /// Language of the story (a BCP 47 tag: ur, ar, fa, zh-Hant, ja, …):
    /// picks the face for scripts with regional styles (Chinese, Japanese,
    /// Korean); default: from the text.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// Language of the card's own words (the day's name, the countdown,
    /// "We support", dates), where the campaign has it; default: the
    /// story's language, else the campaign's main language.
    #[arg(long, value_name = "LANG")]
    pub card_lang: Option<String>,
    /// A translation of the story (story-quote and photo-story set it
    /// below the story, smaller, in its own direction and font).
    #[arg(long, value_name = "TEXT", conflicts_with = "translation_file")]
    pub translation: Option<String>,
    /// Read the translation from a file, or '-' for standard input.
    #[arg(long, value_name = "PATH|-")]
    pub translation_file: Option<String>,
    /// Language of the translation (a BCP 47 tag, as --lang is for the
    /// story); default: from the text.
    #[arg(long, value_name = "LANG")]
    pub translation_lang: Option<String>,
    /// Paragraph direction of the translation (ltr, rtl or auto); default:
    /// from its own first letter, whatever --dir says of the story.
    #[arg(long, value_name = "DIR")]
    pub translation_dir: Option<String>,
    /// Hashtag (repeatable); replaces the campaign's.
    #[arg(long, value_name = "TAG")]
    pub hashtag: Vec<String>,
    /// Handle to tag (repeatable); replaces the campaign's.
    #[arg(long, value_name = "HANDLE")]
    pub tag: Vec<String>,
    /// A custom template field, KEY=VALUE (repeatable), for example
    /// --field "event=Welcome Supper" --field "place=St Andrew's Hall".
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse::field)]
    pub field: Vec<(String, String)>,
    /// Options shared with `batch`.
    #[command(flatten)]
    pub common: Common,
}

/// Options `render` and `batch` share (in `batch`, defaults that a row's
/// columns override).
#[derive(Debug, Args)]
pub struct Common {
    /// Template: a built-in name, or a template folder or .svg file
    /// (repeatable or comma-separated).
    #[arg(long, value_name = "NAME|PATH", value_delimiter = ',')]
    pub template: Vec<String>,
    /// Platform preset (repeatable or comma-separated), 'all' (every still)
    /// or 'video' (every clip). Default: the campaign's set.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub platform: Vec<String>,
    /// Platform presets from a TOML file instead of the embedded ones.
    #[arg(long, value_name = "FILE")]
    pub platforms: Option<PathBuf>,
    /// Campaign: 'default' or a campaign TOML file.
    #[arg(long, value_name = "NAME|PATH", default_value = "default")]
    pub campaign: String,
    /// Today's date for countdowns (YYYY-MM-DD; default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::date)]
    pub date: Option<time::Date>,
    /// Extra font file (repeatable); comes before the embedded fonts.
    #[arg(long, value_name = "PATH")]
    pub font: Vec<PathBuf>,
    /// Paragraph direction of the user's text.
    #[arg(long, value_enum, default_value = "auto")]
    pub dir: Dir,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// Output format: png, jpeg, webp, or auto (each platform's preferred format).
    #[arg(long, value_name = "FORMAT", default_value = "png", value_parser = parse::format)]
    pub format: postkit::output::Format,
    /// PNG encoder effort: fast, balanced or small. Every level is lossless
    /// and gives the same pixels; fast writes larger files, small takes
    /// several times longer for the smallest.
    #[arg(long, value_name = "LEVEL", default_value = "balanced", value_parser = parse::png_level)]
    pub png_level: postkit::output::PngLevel,
    /// Also write the filled SVG beside each image.
    #[arg(long)]
    pub emit_svg: bool,
    /// Make warnings about the text (missing glyphs, words broken inside,
    /// contrast below WCAG AA) errors for that asset.
    #[arg(long)]
    pub strict: bool,
    /// A clip's length in seconds (video presets: instagram-reel, tiktok,
    /// …); default: as long as its text takes to read, within what the
    /// platform takes.
    #[arg(long, value_name = "SECS", value_parser = parse::duration)]
    pub duration: Option<f32>,
    /// A clip's audio: silent (a silent AAC track, so that Instagram lets
    /// you add music) or none.
    #[arg(long, value_name = "silent|none", default_value = "silent", value_parser = parse::audio, action = clap::ArgAction::Set)]
    pub audio: bool,
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

impl Common {
    /// How each asset is made.
    pub fn make(&self) -> postkit::MakeOptions {
        postkit::MakeOptions {
            strict: self.strict,
            format: self.format,
            png_level: self.png_level,
            svg: self.emit_svg,
            thumbnail: false,
            preview: None,
            duration: self.duration,
            no_audio: !self.audio,
            stills_only: false,
        }
    }

    /// The paragraph direction.
    pub fn direction(&self) -> postkit::text::Direction {
        match self.dir {
            Dir::Auto => postkit::text::Direction::Auto,
            Dir::Ltr => postkit::text::Direction::Ltr,
            Dir::Rtl => postkit::text::Direction::Rtl,
        }
    }

    /// Today, for countdowns: `--date`, else the system's date.
    pub fn today(&self) -> time::Date {
        self.date
            .unwrap_or_else(|| time::OffsetDateTime::now_utc().date())
    }
}
