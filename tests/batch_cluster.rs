//! `postkit batch` on a cluster's job runner (issue #32): shards written to
//! different folders merge with `postkit merge` without rendering again, a
//! run killed part-way resumes where it stopped, `--shard auto` reads the
//! runner's array index, and exit codes tell bad rows from a failed run.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use common::{files, postkit, root};

/// Six organisations, one with two platforms; a row with no story (bad),
/// and one whose story does not fit (its asset fails at render).
fn sheet() -> String {
    let long = "word ".repeat(800);
    format!(
        "org,story,logo,platform
Plymouth Welcome Hub,When we arrived we knew nobody. Now our neighbours teach us to bake.,logo.png,instagram-square;x-post
Українська громада,\"Коли ми приїхали, бібліотека стала нашим другим домом.\",,x-post
No Story Org,,,x-post
مركز الترحيب,عندما وصلنا لم نكن نعرف أحداً. الآن جيراننا أصدقاؤنا.,,instagram-story
Long Org,{long},,x-post
Leeds Together,We cook for each other on Fridays.,,x-post
Bristol Open Doors,Our choir sings in nine languages.,,instagram-square
"
    )
}

fn setup(dir: &Path, body: &str) {
    std::fs::create_dir_all(dir.join("in")).unwrap();
    std::fs::copy(root().join("examples/logo.png"), dir.join("in/logo.png")).unwrap();
    std::fs::write(dir.join("in/p.csv"), body).unwrap();
}

/// Copies every file below `from` into `to` (as `cp -r from/. to`).
fn copy_into(from: &Path, to: &Path) {
    for f in files(from) {
        let dest = to.join(&f);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(from.join(&f), dest).unwrap();
    }
}

/// The assets' files (images, alt texts, captions) below `dir`, with their
/// bytes and modification times.
fn asset_files(dir: &Path) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
    files(dir)
        .into_iter()
        .filter(|f| f.contains('/') && !f.contains("contact-sheet") && !f.ends_with(".tmp"))
        .map(|f| {
            let p = dir.join(&f);
            let mtime = std::fs::metadata(&p).unwrap().modified().unwrap();
            (f, (std::fs::read(&p).unwrap(), mtime))
        })
        .collect()
}

/// A report's JSON with the output folder's name taken out of its paths.
fn report(dir: &Path, name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    let prefix = format!("{}/", dir.file_name().unwrap().to_string_lossy());
    serde_json::from_str(&text.replace(&prefix, "OUT/")).unwrap()
}

/// "N written, M unchanged" from a run's summary line.
fn counts(stderr: &str) -> (usize, usize) {
    let line = stderr
        .lines()
        .find(|l| l.contains(" written, "))
        .unwrap_or_else(|| panic!("no summary in {stderr}"));
    let n = |word: &str| -> usize {
        let before = &line[..line.find(word).unwrap()];
        before.split_whitespace().last().unwrap().parse().unwrap()
    };
    (n(" written"), n(" unchanged"))
}

#[test]
fn shards_in_different_folders_merge_without_rendering_again() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d, &sheet());
    // The whole run, for comparison: two bad rows, so exit 3.
    let r = postkit(d, &["batch", "in/p.csv", "--out", "whole"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let whole = report(&d.join("whole"), "report.json");
    let total = whole["assets"].as_array().unwrap().len();
    assert_eq!(total, 6);
    assert_eq!(whole["errors"].as_array().unwrap().len(), 2);

    // Three shards, each in its own folder (as three pods would write).
    for i in 1..=3 {
        let r = postkit(
            d,
            &[
                "batch",
                "in/p.csv",
                "--out",
                &format!("shard{i}"),
                "--shard",
                &format!("{i}/3"),
            ],
        );
        assert!(r.code == 0 || r.code == 3, "{}", r.stderr);
        assert!(
            !d.join(format!("shard{i}/.postkit-journal-{i}-of-3.jsonl"))
                .exists(),
            "a finished run leaves no journal"
        );
    }
    // Two of them copied together: the merge names the one missing.
    let merged = d.join("merged");
    copy_into(&d.join("shard1"), &merged);
    copy_into(&d.join("shard3"), &merged);
    let r = postkit(d, &["merge", "merged"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("shard 2/3 of 3 is missing: copy its output folder into this one"),
        "{}",
        r.stderr
    );
    assert!(!merged.join("report.json").exists());
    copy_into(&d.join("shard2"), &merged);
    let before = asset_files(&merged);
    assert_eq!(
        before.len(),
        total * 3,
        "each asset's image, alt text and caption"
    );
    let listed_before = files(&merged);
    std::thread::sleep(Duration::from_millis(20));

    let r = postkit(d, &["merge", "merged", "--json"]);
    assert_eq!(r.code, 3, "bad rows, as in the whole run: {}", r.stderr);
    let summary: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(summary["shards"], 3);
    assert_eq!(summary["assets"], total);
    assert_eq!(summary["errors"], 2);
    assert!(
        r.stderr.contains("row 3 (line 4): column story: is empty"),
        "{}",
        r.stderr
    );
    // Nothing rendered: every asset's bytes and time as they were, and the
    // only new files are the report, the review page and contact sheets.
    assert!(asset_files(&merged) == before, "an asset was written again");
    let new: Vec<String> = files(&merged)
        .into_iter()
        .filter(|f| !listed_before.contains(f))
        .collect();
    assert!(new.contains(&"report.json".to_string()), "{new:?}");
    assert!(new.contains(&"index.html".to_string()), "{new:?}");
    assert!(
        new.iter()
            .all(|f| f == "report.json" || f == "index.html" || f.ends_with("contact-sheet.png")),
        "{new:?}"
    );
    assert!(
        new.iter().any(|f| f.ends_with("contact-sheet.png")),
        "{new:?}"
    );
    // The merged report is the whole run's, in the whole run's order.
    assert_eq!(report(&merged, "report.json"), whole);

    // A plain rerun over the merged folder renders nothing either.
    let r = postkit(d, &["batch", "in/p.csv", "--out", "merged"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(counts(&r.stderr), (0, total), "{}", r.stderr);
    assert_eq!(report(&merged, "report.json"), whole);

    // A shard of a changed sheet does not merge with the others.
    setup(d, &sheet().replace("nine languages", "ten languages"));
    let r = postkit(
        d,
        &["batch", "in/p.csv", "--out", "other", "--shard", "2/3"],
    );
    assert!(r.code == 0 || r.code == 3, "{}", r.stderr);
    std::fs::copy(
        d.join("other/.postkit-manifest-2-of-3.json"),
        d.join("shard1/.postkit-manifest-2-of-3.json"),
    )
    .unwrap();
    let r = postkit(d, &["merge", "shard1"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the folder holds shards of more than one run"),
        "{}",
        r.stderr
    );
    // A folder with no shard at all.
    let r = postkit(d, &["merge", "in"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no shard's manifest"), "{}", r.stderr);
}

/// A manifest's entries are relative to the output folder: shards copied
/// into one folder, rerun there without `postkit merge`, render nothing.
#[test]
fn shards_copied_together_are_complete_for_a_plain_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d, &sheet());
    for i in 1..=2 {
        let (out, shard) = (format!("s{i}"), format!("{i}/2"));
        postkit(d, &["batch", "in/p.csv", "--out", &out, "--shard", &shard]);
        copy_into(&d.join(&out), &d.join("together"));
    }
    let r = postkit(d, &["batch", "in/p.csv", "--out", "together"]);
    assert_eq!(counts(&r.stderr), (0, 6), "{}", r.stderr);
}

/// A batch killed with SIGKILL part-way: the rerun renders only what the
/// journal does not list, and ends with the files and report of a run
/// that was never interrupted.
#[test]
fn a_killed_batch_resumes_and_ends_as_an_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut csv = String::from("org,story,platform\n");
    for i in 0..30 {
        csv.push_str(&format!(
            "Community {i},Story number {i}: we met at the library and stayed for tea.,x-post;instagram-square\n"
        ));
    }
    setup(d, &csv);
    let total = 60;
    let r = postkit(d, &["batch", "in/p.csv", "--out", "whole", "--jobs", "2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_postkit"))
        .args(["batch", "in/p.csv", "--out", "resumed", "--jobs", "1"])
        .current_dir(d)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let journal = d.join("resumed/.postkit-journal.jsonl");
    let lines = || {
        std::fs::read_to_string(&journal)
            .map(|t| t.matches('\n').count())
            .unwrap_or(0)
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while lines() < 5 && Instant::now() < deadline {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let journaled = lines();
    assert!((5..total).contains(&journaled), "{journaled} journaled");
    assert!(!d.join("resumed/.postkit-manifest.json").exists());
    let kept = asset_files(&d.join("resumed"));
    std::thread::sleep(Duration::from_millis(20));

    let r = postkit(d, &["batch", "in/p.csv", "--out", "resumed"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Only what the journal did not list was rendered (an asset finished
    // after its last line, if any, is rendered again: no more).
    assert_eq!(
        counts(&r.stderr),
        (total - journaled, journaled),
        "{}",
        r.stderr
    );
    let after = asset_files(&d.join("resumed"));
    let untouched = kept
        .iter()
        .filter(|(f, v)| after.get(*f) == Some(v))
        .count();
    assert!(
        untouched >= journaled * 3,
        "{untouched} files untouched, {journaled} assets journaled"
    );
    // The result is the uninterrupted run's, byte for byte.
    let whole = asset_files(&d.join("whole"));
    assert_eq!(after.len(), whole.len());
    for (f, (bytes, _)) in &whole {
        assert!(
            after[f].0 == *bytes,
            "{f} differs from the uninterrupted run's"
        );
    }
    assert_eq!(
        report(&d.join("resumed"), "report.json"),
        report(&d.join("whole"), "report.json")
    );
    // No journal, no temporary file left behind.
    let left: Vec<String> = files(&d.join("resumed"))
        .into_iter()
        .filter(|f| f.ends_with(".tmp") || f.contains("journal"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// `--shard auto` reads the job runner's array index from the environment,
/// and says which variables to set outside one.
#[test]
fn shard_auto_reads_the_job_runner() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d, &sheet());
    let run = |vars: &[(&str, &str)]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_postkit"));
        cmd.args(["batch", "in/p.csv", "--shard", "auto", "--out", "k"])
            .current_dir(d);
        for v in [
            "JOB_COMPLETION_INDEX",
            "POSTKIT_SHARD_COUNT",
            "AWS_BATCH_JOB_ARRAY_INDEX",
            "AWS_BATCH_JOB_ARRAY_SIZE",
            "SLURM_ARRAY_TASK_ID",
        ] {
            cmd.env_remove(v);
        }
        cmd.envs(vars.iter().copied());
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, stderr) = run(&[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("--shard auto: no job runner's array index is set")
            && stderr.contains("JOB_COMPLETION_INDEX")
            && stderr.contains("SLURM_ARRAY_TASK_ID"),
        "{stderr}"
    );
    // A Kubernetes Indexed Job's second pod of three.
    let (code, stderr) = run(&[("JOB_COMPLETION_INDEX", "1"), ("POSTKIT_SHARD_COUNT", "3")]);
    assert!(code == Some(0) || code == Some(3), "{stderr}");
    assert!(d.join("k/report-2-of-3.json").is_file(), "{stderr}");
}

/// Bad rows exit 3 (a job runner should not retry them); a run that could
/// not write exits 1 (worth retrying).
#[test]
fn exit_codes_tell_bad_rows_from_a_failed_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d, "org,story\nGood Org,A fine story.\nBad Org,\n");
    let r = postkit(d, &["batch", "in/p.csv"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(d.join("out/good-org/story-quote-x-post.png").is_file());
    setup(d, "org,story\nGood Org,A fine story.\n");
    let r = postkit(d, &["batch", "in/p.csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The output folder is a file: nothing can be written.
    std::fs::write(d.join("blocked"), b"").unwrap();
    let r = postkit(d, &["batch", "in/p.csv", "--out", "blocked"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("blocked"), "{}", r.stderr);
    // --help says so.
    let r = postkit(d, &["batch", "--help"]);
    assert!(
        r.stdout.contains("3  some rows are bad") && r.stdout.contains("1  the run failed"),
        "{}",
        r.stdout
    );
}
