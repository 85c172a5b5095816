//! Sharding: every asset of a batch has a place in one stable order (row,
//! then template, then platform); shard I of N keeps every N-th, starting
//! at the I-th, and numbers the ones it keeps from 0.

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
                    for j in kept {
                        owner[j] += 1;
                    }
                }
                assert!(owner.iter().all(|&c| c == 1), "{n} shards of {total}");
            }
        }
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
