//! Sharding: every asset of a batch has a place in one stable order (row,
//! then template, then platform); shard I of N keeps every N-th, starting
//! at the I-th, and numbers the ones it keeps from 0.

/// What `--shard` says: a shard given as I/N, or `auto`, read from the
/// job runner's environment with [`from_env`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardSpec {
    /// Shard I of N (1-based).
    Fixed(usize, usize),
    /// From the job runner's array index.
    Auto,
}

impl ShardSpec {
    /// `I/N` (1 <= I <= N) or `auto`.
    pub fn parse(s: &str) -> Result<ShardSpec, String> {
        if s.trim().eq_ignore_ascii_case("auto") {
            return Ok(ShardSpec::Auto);
        }
        crate::plan::parse::shard(s)
            .map(|(i, n)| ShardSpec::Fixed(i, n))
            .map_err(|e| format!("{e}, or auto (from the job runner's array index)"))
    }
}

/// The count of a Kubernetes Indexed Job's shards, which Kubernetes does
/// not give its pods: set it to the Job's `completions`.
pub const COUNT_VARIABLE: &str = "POSTKIT_SHARD_COUNT";

/// Shard I of N (1-based) from a job runner's environment, each read with
/// `var`:
/// - a Kubernetes Indexed Job: `JOB_COMPLETION_INDEX` (0-based), with the
///   count in `POSTKIT_SHARD_COUNT` (the Job's `completions`);
/// - an AWS Batch array job: `AWS_BATCH_JOB_ARRAY_INDEX` (0-based) and
///   `AWS_BATCH_JOB_ARRAY_SIZE`;
/// - a Slurm job array: `SLURM_ARRAY_TASK_ID` in the range
///   `SLURM_ARRAY_TASK_MIN`..=`SLURM_ARRAY_TASK_MAX` with
///   `SLURM_ARRAY_TASK_STEP` (1 if unset), whose size must be
///   `SLURM_ARRAY_TASK_COUNT` (a list of ids that is not such a range, like
///   `--array=1,4,9`, cannot be numbered and is refused).
///
/// `POSTKIT_SHARD_COUNT`, when set, gives the count for any of them.
/// An error names the variables to set.
pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<(usize, usize), String> {
    let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    let number = |name: &str| -> Result<Option<usize>, String> {
        match get(name) {
            None => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| {
                format!("--shard auto: {name} is '{v}', not a whole number of 0 or more")
            }),
        }
    };
    let runners = [
        ("JOB_COMPLETION_INDEX", "a Kubernetes Indexed Job"),
        ("AWS_BATCH_JOB_ARRAY_INDEX", "an AWS Batch array job"),
        ("SLURM_ARRAY_TASK_ID", "a Slurm job array"),
    ];
    let set: Vec<&(&str, &str)> = runners.iter().filter(|(v, _)| get(v).is_some()).collect();
    let count = number(COUNT_VARIABLE)?;
    let checked = |index: usize, count: Option<usize>, how: &str| match count {
        Some(n) if index < n => Ok((index + 1, n)),
        Some(n) => Err(format!(
            "--shard auto: the array index {index} (0-based) is not below the count {n} ({how})"
        )),
        None => Err(format!("--shard auto: the shard count is not known; {how}")),
    };
    match set.as_slice() {
        [] => Err(format!(
            "--shard auto: no job runner's array index is set; give --shard I/N, or run as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with {COUNT_VARIABLE} set to the Job's completions), an AWS Batch array job (AWS_BATCH_JOB_ARRAY_INDEX, AWS_BATCH_JOB_ARRAY_SIZE) or a Slurm job array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT)"
        )),
        [(name, _)] if *name == "JOB_COMPLETION_INDEX" => {
            let index = number(name)?.unwrap_or_default();
            checked(
                index,
                count,
                &format!("set {COUNT_VARIABLE} to the Indexed Job's completions"),
            )
        }
        [(name, _)] if *name == "AWS_BATCH_JOB_ARRAY_INDEX" => {
            let index = number(name)?.unwrap_or_default();
            let size = count.or(number("AWS_BATCH_JOB_ARRAY_SIZE")?);
            checked(
                index,
                size,
                &format!("AWS_BATCH_JOB_ARRAY_SIZE is not set: set {COUNT_VARIABLE} to the array's size"),
            )
        }
        [(name, _)] => {
            let id = number(name)?.unwrap_or_default();
            let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let step = number("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
            let max = number("SLURM_ARRAY_TASK_MAX")?;
            let tasks = number("SLURM_ARRAY_TASK_COUNT")?;
            let range = max.filter(|&m| m >= min).map(|m| (m - min) / step + 1);
            if id < min || (id - min) % step != 0 {
                return Err(format!(
                    "--shard auto: SLURM_ARRAY_TASK_ID {id} is not in the array's range from SLURM_ARRAY_TASK_MIN {min} in steps of {step}"
                ));
            }
            if let (Some(r), Some(t)) = (range, tasks) {
                if r != t && count.is_none() {
                    return Err(format!(
                        "--shard auto: the Slurm array's task ids are not one range ({t} tasks between {min} and {} in steps of {step}); submit it with --array=0-{} so each task is one shard", max.unwrap_or(min), t.saturating_sub(1)
                    ));
                }
            }
            checked(
                (id - min) / step,
                count.or(tasks).or(range),
                &format!("set SLURM_ARRAY_TASK_COUNT or SLURM_ARRAY_TASK_MAX, or {COUNT_VARIABLE}"),
            )
        }
        several => Err(format!(
            "--shard auto: the variables of several job runners are set ({}); unset all but one, or give --shard I/N",
            several.iter().map(|(v, how)| format!("{v} of {how}")).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// Shard `index` (1-based) of `count`, or the whole run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Shard(Option<(usize, usize)>);

impl Shard {
    /// Shard I of N (1 <= I <= N), or the whole run for None.
    pub fn new(shard: Option<(usize, usize)>) -> Shard {
        Shard(shard)
    }

    /// True when asset number `asset` (0-based, in the run's order) is this
    /// shard's.
    pub fn keeps(self, asset: usize) -> bool {
        match self.0 {
            Some((i, n)) => asset % n == i - 1,
            None => true,
        }
    }

    /// The place (0-based, among the assets this shard keeps) of asset
    /// `asset`, which it keeps.
    pub fn place(self, asset: usize) -> usize {
        match self.0 {
            Some((i, n)) => (asset + n - i) / n,
            None => asset,
        }
    }

    /// The number (0-based, in the whole run's order) of the asset in
    /// `place` among this shard's: the inverse of [`Shard::place`].
    pub fn asset(self, place: usize) -> usize {
        match self.0 {
            Some((i, n)) => place * n + i - 1,
            None => place,
        }
    }

    /// Shard I of N, or None for the whole run.
    pub fn get(self) -> Option<(usize, usize)> {
        self.0
    }

    /// How many of `total` assets this shard keeps.
    pub fn places(self, total: usize) -> usize {
        match self.0 {
            Some((i, n)) if total >= i => (total - i) / n + 1,
            Some(_) => 0,
            None => total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shards of a run keep every asset exactly once, and each numbers
    /// its assets 0, 1, 2, … without a gap.
    #[test]
    fn shards_partition_the_run_and_number_their_slots_densely() {
        for total in [0usize, 1, 2, 7, 20, 101] {
            for n in 1..=6 {
                let mut owner = vec![0usize; total];
                for i in 1..=n {
                    let shard = Shard::new(Some((i, n)));
                    let kept: Vec<usize> = (0..total).filter(|&j| shard.keeps(j)).collect();
                    assert_eq!(kept.len(), shard.places(total), "{i}/{n} of {total}");
                    let places: Vec<usize> = kept.iter().map(|&j| shard.place(j)).collect();
                    assert_eq!(places, (0..kept.len()).collect::<Vec<_>>(), "{i}/{n}");
                    let back: Vec<usize> = places.iter().map(|&p| shard.asset(p)).collect();
                    assert_eq!(back, kept, "{i}/{n}: asset() undoes place()");
                    for j in kept {
                        owner[j] += 1;
                    }
                }
                assert!(owner.iter().all(|&c| c == 1), "{n} shards of {total}");
            }
        }
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn auto_reads_a_kubernetes_indexed_job() {
        let vars = [("JOB_COMPLETION_INDEX", "0"), (COUNT_VARIABLE, "3")];
        assert_eq!(from_env(env(&vars)), Ok((1, 3)));
        let vars = [("JOB_COMPLETION_INDEX", "2"), (COUNT_VARIABLE, "3")];
        assert_eq!(from_env(env(&vars)), Ok((3, 3)));
        // Kubernetes gives no count: without ours, say which to set.
        let e = from_env(env(&[("JOB_COMPLETION_INDEX", "1")])).unwrap_err();
        assert!(
            e.contains("set POSTKIT_SHARD_COUNT to the Indexed Job's completions"),
            "{e}"
        );
        let vars = [("JOB_COMPLETION_INDEX", "3"), (COUNT_VARIABLE, "3")];
        let e = from_env(env(&vars)).unwrap_err();
        assert!(
            e.contains("the array index 3 (0-based) is not below the count 3"),
            "{e}"
        );
        let vars = [("JOB_COMPLETION_INDEX", "one"), (COUNT_VARIABLE, "3")];
        let e = from_env(env(&vars)).unwrap_err();
        assert!(
            e.contains("JOB_COMPLETION_INDEX is 'one', not a whole number"),
            "{e}"
        );
    }

    #[test]
    fn auto_reads_an_aws_batch_array_job() {
        let vars = [
            ("AWS_BATCH_JOB_ARRAY_INDEX", "4"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "10"),
        ];
        assert_eq!(from_env(env(&vars)), Ok((5, 10)));
        let e = from_env(env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "4")])).unwrap_err();
        assert!(e.contains("AWS_BATCH_JOB_ARRAY_SIZE is not set"), "{e}");
        let vars = [("AWS_BATCH_JOB_ARRAY_INDEX", "4"), (COUNT_VARIABLE, "5")];
        assert_eq!(from_env(env(&vars)), Ok((5, 5)));
    }

    #[test]
    fn auto_reads_a_slurm_array() {
        // --array=1-8: task 1 is shard 1 of 8, task 8 shard 8.
        let array = |id: &'static str| {
            [
                ("SLURM_ARRAY_TASK_ID", id),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "8"),
                ("SLURM_ARRAY_TASK_COUNT", "8"),
            ]
        };
        assert_eq!(from_env(env(&array("1"))), Ok((1, 8)));
        assert_eq!(from_env(env(&array("8"))), Ok((8, 8)));
        // --array=0-20:10 (0, 10, 20).
        let vars = [
            ("SLURM_ARRAY_TASK_ID", "10"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "20"),
            ("SLURM_ARRAY_TASK_STEP", "10"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ];
        assert_eq!(from_env(env(&vars)), Ok((2, 3)));
        // --array=1,4,9: not a range.
        let vars = [
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "9"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ];
        let e = from_env(env(&vars)).unwrap_err();
        assert!(e.contains("submit it with --array=0-2"), "{e}");
    }

    #[test]
    fn auto_without_a_job_runner_names_the_variables() {
        let e = from_env(env(&[])).unwrap_err();
        for v in [
            "JOB_COMPLETION_INDEX",
            "POSTKIT_SHARD_COUNT",
            "AWS_BATCH_JOB_ARRAY_INDEX",
            "AWS_BATCH_JOB_ARRAY_SIZE",
            "SLURM_ARRAY_TASK_ID",
        ] {
            assert!(e.contains(v), "{e}");
        }
        // An empty variable counts as unset.
        assert!(from_env(env(&[("JOB_COMPLETION_INDEX", "")])).is_err());
        let vars = [("JOB_COMPLETION_INDEX", "0"), ("SLURM_ARRAY_TASK_ID", "0")];
        let e = from_env(env(&vars)).unwrap_err();
        assert!(e.contains("several job runners"), "{e}");
        assert_eq!(ShardSpec::parse("auto"), Ok(ShardSpec::Auto));
        assert_eq!(ShardSpec::parse("2/4"), Ok(ShardSpec::Fixed(2, 4)));
        assert!(ShardSpec::parse("5/4").unwrap_err().contains("or auto"));
    }

    #[test]
    fn the_whole_run_is_one_shard() {
        let whole = Shard::new(None);
        assert!((0..10).all(|j| whole.keeps(j) && whole.place(j) == j));
        assert_eq!(whole.places(10), 10);
        // Shard 2 of 3 keeps assets 1, 4, 7.
        let s = Shard::new(Some((2, 3)));
        let kept: Vec<usize> = (0..9).filter(|&j| s.keeps(j)).collect();
        assert_eq!(kept, [1, 4, 7]);
    }
}
