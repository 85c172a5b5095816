//! The `postkit` binary: arguments in, library calls, messages and an exit
//! code out. No pipeline logic lives here: each subcommand is a file in
//! `commands/` that turns its flags into library calls.

use std::process::ExitCode;

use clap::Parser;
use postkit::Error;

use cli::{Cli, Command};

/// `println!` that ends the program quietly when stdout is closed: a broken
/// pipe (`postkit templates | head`) is not an error.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout(), $($t)*).is_err() {
            std::process::exit(0);
        }
    }};
}

mod cli;
mod commands;

/// Sets glibc's allocator up for a batch, so that its peak memory stays
/// the same from 100 assets to 10,000:
/// - blocks of 4 MiB or more (every canvas of 1080 × 1080 or larger, each
///   contact sheet) get their own mapping, given back to the system when
///   freed. By default glibc raises that threshold to the size of the first
///   such block freed, after which canvases land in the threads' heaps,
///   whose holes the heaps keep: peak memory then grew with the run.
/// - a heap keeps up to 16 MiB free at its top instead of 128 KiB (a fixed
///   mapping threshold also fixes this one), so the medium-sized buffers of
///   each asset do not fault their pages in again every time.
///
/// Measured in BENCHMARKS.md. `GLIBC_TUNABLES` with malloc settings, when
/// set, is left to rule.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    if std::env::var("GLIBC_TUNABLES").is_ok_and(|t| t.contains("glibc.malloc.")) {
        return;
    }
    // SAFETY: mallopt only sets allocator parameters, and runs before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 16 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

/// Exit code: every asset written.
const OK: u8 = 0;
/// Exit code: the run failed (an input file could not be used, a file
/// could not be written); in `render`, also an asset that failed.
const FAILED: u8 = 1;
/// Exit code: usage error (unknown flag, platform or template).
const USAGE: u8 = 2;
/// Exit code of `batch` and `merge`: some rows are bad, the others were
/// written (running again without fixing them fails the same way: a job
/// runner should not retry).
const BAD_ROWS: u8 = 3;

fn main() -> ExitCode {
    tune_allocator();
    // Panics are bugs: say so plainly (batch and render turn a panic inside
    // one asset into that asset's error and go on).
    std::panic::set_hook(Box::new(|info| {
        eprintln!("postkit: internal error (please report it): {info}");
    }));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { USAGE } else { OK });
        }
    };
    let code = match cli.command {
        Command::Render(args) => commands::render::run(*args),
        Command::Platforms(args) => commands::templates::platforms(args),
        Command::Templates(args) => commands::templates::run(args),
        Command::Check(args) => commands::check::run(args),
        Command::Batch(args) => commands::batch::run(*args),
        Command::Merge(args) => commands::merge::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Completions(args) => commands::docs::completions(args),
        Command::Man(args) => commands::docs::man(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => commands::serve::run(*args),
    };
    ExitCode::from(code)
}

/// Prints an error and gives its exit code.
fn fail(e: &Error) -> u8 {
    eprintln!("postkit: {e}");
    if e.is_usage() {
        USAGE
    } else {
        FAILED
    }
}
