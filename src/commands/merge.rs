//! `postkit merge DIR`: the shards of a batch, copied into one folder,
//! made into one report, review page and contact sheets.

use std::io::Write;

use crate::cli::MergeArgs;
use crate::commands::batch::{exit_code, print_errors, write_reports};
use crate::FAILED;

pub fn run(args: MergeArgs) -> u8 {
    let merged = match postkit::batch::merge(&args.dir) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("postkit: {e}");
            return FAILED;
        }
    };
    let result = &merged.report;
    let title = format!("postkit review: {}", args.dir.display());
    let report_name = "report.json";
    let review = match write_reports(&args.dir, result, report_name, Some(&title)) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let report = args.dir.join(report_name);
    print_errors(&args.dir.display().to_string(), &result.errors);
    if args.json {
        let summary = serde_json::json!({
            "shards": merged.shards,
            "assets": result.unchanged,
            "errors": result.failed,
            "report": report.display().to_string(),
            "review": review.as_ref().map(|p| p.display().to_string()),
        });
        let mut stdout = std::io::stdout().lock();
        if writeln!(stdout, "{summary:#}").is_err() {
            return exit_code(result); // the reader went away
        }
    }
    if !args.quiet {
        eprintln!(
            "postkit: merged {} shards: {} assets, {} failed, none rendered again; report: {}{}",
            merged.shards,
            result.unchanged,
            result.failed,
            report.display(),
            review
                .map(|p| format!("; review: {}", p.display()))
                .unwrap_or_default()
        );
    }
    exit_code(result)
}
