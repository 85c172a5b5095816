#!/usr/bin/env bash
# Runs postkit's fuzz targets for a bounded time each.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS (per target) defaults to 600; TARGETs default to all three
# (template_fill, text_layout, escape). Needs cargo-fuzz
# (`cargo install cargo-fuzz --locked`); builds with the stable toolchain
# through RUSTC_BOOTSTRAP=1, since cargo-fuzz passes nightly-only flags.
#
# Environment:
#   SANITIZER=none     (default) no sanitizer: postkit forbids unsafe code and
#                      this keeps executions fast; SANITIZER=address for ASan
#   CARGO_BUILD_JOBS=1 (default) build parallelism
#   NO_BUILD=1         fuzz the binaries already built (skip `cargo fuzz build`)
#
# The targets are built once (with debug assertions and overflow checks, -a),
# then each binary runs under libFuzzer in fork mode and keeps going after a
# crash, timeout (>10 s) or OOM (>2 GB), so one run finds all it can; each is
# saved in fuzz/artifacts/TARGET/, and inputs slower than 1 s are reported
# (slow-unit-*). New corpus entries go to fuzz/corpus/TARGET/ (git-ignored);
# the committed seeds in fuzz/seeds/TARGET/ are read, never written.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(template_fill text_layout escape)
fi
export RUSTC_BOOTSTRAP=1
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
san=${SANITIZER:-none}
if [ -z "${NO_BUILD:-}" ]; then
    for t in "${targets[@]}"; do
        cargo fuzz build -s "$san" -a --fuzz-dir . "$t" >&2
    done
fi
host=$(rustc -vV | sed -n 's/^host: //p')
bin=target/$host/release
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    extra=()
    if [ -f "$t.dict" ]; then
        extra+=("-dict=$t.dict")
    fi
    echo "== $t: ${secs}s" >&2
    "$bin/$t" "corpus/$t" "seeds/$t" \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -report_slow_units=1 -print_final_stats=1 \
        -artifact_prefix="artifacts/$t/" "${extra[@]}"
done
