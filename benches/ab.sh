#!/usr/bin/env bash
# Before/after: the batch of benches/compare.sh (200 stories x 4 sizes
# through story-quote, the same seeded stories) rendered by two builds of
# postkit, alternating run by run so that both see the same noise; then the
# median wall time, the peak memory of each, and whether their PNGs are
# byte-identical (and how many differ when they are not).
#
#   bash benches/ab.sh OLD_REV [NEW_REV]   # NEW_REV: the working tree
#   RUNS=5 bash benches/ab.sh 6ab2a76 b8bc717
#
# Builds each revision in a worktree under target/bench-ab/ (release,
# --locked); the first build of a revision takes minutes, later ones reuse it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OLD="${1:?usage: bash benches/ab.sh OLD_REV [NEW_REV]}"
NEW="${2:-}"
RUNS="${RUNS:-4}"
W="$ROOT/target/bench-ab"
mkdir -p "$W/bin"

build() { # REV NAME: a release binary of REV at $W/bin/NAME
    local rev="$1" name="$2" tree="$W/tree-$2"
    if [ -z "$rev" ]; then
        (cd "$ROOT" && cargo build --release --locked --quiet)
        cp "$ROOT/target/release/postkit" "$W/bin/$name"
        return
    fi
    if [ ! -d "$tree" ]; then
        git -C "$ROOT" worktree add --detach "$tree" "$rev" >/dev/null
    fi
    git -C "$tree" checkout --quiet --detach "$rev"
    (cd "$tree" && CARGO_TARGET_DIR="$W/target" cargo build --release --locked --quiet)
    cp "$W/target/release/postkit" "$W/bin/$name"
}
build "$OLD" old
build "$NEW" new

# The stories compare.sh renders (its generator, run as it is).
mkdir -p "$W/work"
sed -n '/^python3 - "\$W\/work" "\$ROOT" "\$ROWS" "\$PLATFORMS" <<.PY.$/,/^PY$/p' \
    "$ROOT/benches/compare.sh" | sed '1d;$d' >"$W/gen.py"
python3 "$W/gen.py" "$W/work" "$ROOT" 200 \
    "instagram-square;instagram-portrait;instagram-story;x-post" 2>/dev/null

: >"$W/times.txt"
for i in $(seq "$RUNS"); do
    for b in old new; do
        rm -rf "$W/out-$b"
        /usr/bin/time -f "$b %e %M" "$W/bin/$b" batch "$W/work/stories-200.csv" \
            --out "$W/out-$b" --quiet 2>>"$W/times.txt" >/dev/null
    done
done
for b in old new; do
    (cd "$W/out-$b" && find . -name '*.png' | sort | xargs sha256sum) >"$W/$b.sum"
done
python3 - "$W" "$OLD" "${NEW:-working tree}" <<'PY'
import statistics, sys
w, old, new = sys.argv[1:]
runs = {}
for line in open(f"{w}/times.txt"):
    parts = line.split()
    if len(parts) == 3 and parts[0] in ("old", "new"):
        runs.setdefault(parts[0], []).append((float(parts[1]), int(parts[2])))
for b, rev in (("old", old), ("new", new)):
    t = [r[0] for r in runs[b]]
    m = max(r[1] for r in runs[b]) / 1024
    print(f"{b} ({rev}): median {statistics.median(t):.2f} s "
          f"({min(t):.2f}-{max(t):.2f}, {len(t)} runs), peak RSS {m:.1f} MB")
a = dict(l.split()[::-1] for l in open(f"{w}/old.sum"))
b = dict(l.split()[::-1] for l in open(f"{w}/new.sum"))
differ = sorted(f for f in a.keys() | b.keys() if a.get(f) != b.get(f))
print(f"PNGs: {len(a)} old, {len(b)} new, {len(differ)} differ"
      + ("" if not differ else f" (first: {differ[0]})"))
PY
