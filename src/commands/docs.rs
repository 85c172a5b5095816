//! `postkit completions` and `postkit man`: shell completions and man pages,
//! generated from the one command definition in `cli.rs` (never written by
//! hand), so they always match the flags the binary takes.

use std::io::Write;
use std::path::Path;

use crate::cli::{self, CompletionsArgs, ManArgs};

/// Prints the completion script for one shell. Exit code 0, or 1 if
/// standard output cannot be written (a closed pipe is not an error).
pub fn completions(args: CompletionsArgs) -> u8 {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cli::command(), "postkit", &mut script);
    print(&script)
}

/// Prints `postkit.1`, or with `--dir` writes it and a page per subcommand
/// (`postkit-render.1`, `postkit-templates-show.1`, …) into that folder.
pub fn man(args: ManArgs) -> u8 {
    let Some(dir) = args.dir else {
        let mut page = Vec::new();
        if let Err(e) = man_page(man_command()).render(&mut page) {
            eprintln!("postkit: cannot make the man page: {e}");
            return 1;
        }
        return print(&page);
    };
    let written = std::fs::create_dir_all(&dir).and_then(|()| write_pages(&man_command(), &dir));
    match written {
        Ok(()) => 0,
        Err(e) => {
            eprintln!(
                "postkit: cannot write the man pages to {}: {e}",
                dir.display()
            );
            1
        }
    }
}

/// The command as the man pages describe it: built (so subcommands are
/// named `postkit-render`, …), without clap's `help` pseudo-subcommand.
fn man_command() -> clap::Command {
    let mut cmd = cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// One page, its footer naming postkit's version (subcommands have none).
fn man_page(cmd: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd)
        .source(format!("postkit {}", env!("CARGO_PKG_VERSION")))
        .manual("postkit")
}

/// Writes the page of `cmd` and of each of its subcommands, nested ones too.
fn write_pages(cmd: &clap::Command, dir: &Path) -> std::io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir)?;
    }
    man_page(cmd.clone()).generate_to(dir).map(drop)
}

fn print(bytes: &[u8]) -> u8 {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("postkit: cannot write to standard output: {e}");
            1
        }
    }
}
