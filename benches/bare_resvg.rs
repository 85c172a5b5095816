//! The bare-resvg floor for benches/compare.sh (being written).
fn main() {}
