#!/usr/bin/env bash
# Clips (issue 24), on this machine, release build:
#  1. a 10-second 1080x1920 story-quote clip at 30 fps (instagram-reel,
#     --duration 10): wall time and peak memory, median of RUNS;
#  2. side by side, the naive way: the same card's SVG parsed and rendered
#     anew for each of the 300 frames with the resvg library (the
#     bare_resvg bench's `frames` mode; a lower bound for one SVG per
#     frame, since an animated frame's SVG is no cheaper than the still's),
#     piped as raw RGBA into the ffmpeg command line (libx264, yuv420p,
#     30 fps);
#  3. a batch of 40 organisations' story clips, and of 10, to see whether
#     memory stays flat.
#
#   bash benches/clips.sh            # RUNS=3 by default
#
# Needs ffmpeg (Debian) and GNU time (/usr/bin/time, Debian package time).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${RUNS:-3}"
W="$ROOT/target/bench-clips"
rm -rf "$W" && mkdir -p "$W"
cd "$ROOT"
cargo build --release --locked --quiet
cargo build --release --locked --quiet --bench bare_resvg 2>/dev/null || true
BIN="$ROOT/target/release/postkit"
BARE="$(ls -t "$ROOT"/target/release/deps/bare_resvg-* | grep -v '\.d$' | head -1)"
STORY="When we arrived in Plymouth we knew nobody. The volunteers at the hub met us at the station, found us a home and taught our children to love the sea."

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() { # LABEL CMD...: prints "seconds peak_kb"
    /usr/bin/time -f "%e %M" -o "$W/time.txt" "$@" >/dev/null 2>"$W/err.txt" || {
        cat "$W/err.txt" >&2; exit 1; }
    cat "$W/time.txt"
}

echo "1. one 10 s 1080x1920 clip (story-quote, instagram-reel, --duration 10)"
: >"$W/one.txt"
for i in $(seq "$RUNS"); do
    timed "$BIN" render --org "Plymouth Welcome Hub" --story "$STORY" --platform instagram-reel \
        --duration 10 --date 2026-12-12 --out "$W/one" --emit-svg >>"$W/one.txt"
done
CLIP="$W/one/plymouth-welcome-hub/story-quote-instagram-reel.mp4"
FRAMES=$(ffprobe -v error -select_streams v:0 -show_entries stream=nb_frames -of csv=p=0 "$CLIP")
ONE_S=$(cut -d' ' -f1 "$W/one.txt" | median)
ONE_KB=$(cut -d' ' -f2 "$W/one.txt" | sort -n | tail -1)
echo "   postkit: ${ONE_S} s wall (median of $RUNS), peak ${ONE_KB} kB, $FRAMES frames, $(stat -c %s "$CLIP") bytes"

echo "2. the naive way: $FRAMES SVG renders with resvg, piped into ffmpeg/libx264"
SVG="$W/one/plymouth-welcome-hub/story-quote-instagram-reel.svg"
: >"$W/naive.txt"
for i in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$W/time.txt" bash -c \
        "'$BARE' frames '$SVG' $FRAMES | ffmpeg -v error -y -f rawvideo -pix_fmt rgba -s 1080x1920 -r 30 -i - -c:v libx264 -pix_fmt yuv420p '$W/naive.mp4'"
    cat "$W/time.txt" >>"$W/naive.txt"
done
NAIVE_S=$(cut -d' ' -f1 "$W/naive.txt" | median)
echo "   naive: ${NAIVE_S} s wall (median of $RUNS)"
awk -v a="$NAIVE_S" -v b="$ONE_S" 'BEGIN { printf "   postkit is %.1fx faster; %.1fx faster than real time\n", a / b, 10 / b }'

echo "3. a batch of story clips (instagram-reel, --duration 10)"
for n in 10 40; do
    f="$W/batch-$n.csv"
    echo "org,story" >"$f"
    for i in $(seq "$n"); do echo "\"Partner $i\",\"$STORY Partner number $i.\"" >>"$f"; done
    r=$(timed "$BIN" batch "$f" --platform instagram-reel --duration 10 --date 2026-12-12 --out "$W/batch-$n")
    echo "   $n clips: $(echo "$r" | cut -d' ' -f1) s wall, peak $(echo "$r" | cut -d' ' -f2) kB"
done
