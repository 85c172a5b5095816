#!/usr/bin/env bash
# The page in headless Chromium (BENCHMARKS.md, "The static site against
# postkit serve"): benches/page.js run RUNS times against the static site
# (target/site, served by python3 -m http.server) and RUNS times against
# `postkit serve` (the release build), each run in a fresh Chromium with a
# fresh profile, everything on 127.0.0.1 with ports the OS picks. One JSON
# line per run.
#
#   bash benches/page.sh            # ROUNDS=20 edits a run, RUNS=2
#
# Needs the site (scripts/site.sh target/site), Node.js, and Debian's
# chromium. Every wait inside page.js stops by itself after 120 s.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${ROUNDS:-20}"
RUNS="${RUNS:-2}"
cd "$ROOT"
[ -f target/site/.postkit-site ] || { echo "page.sh: build the site first: scripts/site.sh target/site" >&2; exit 1; }
cargo build --release --locked --quiet --bin postkit
BIN="$ROOT/target/release/postkit"
W=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$W"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
listening() { # PORT: waits up to 30 s
    for _ in $(seq 300); do
        python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "page.sh: nothing listens on 127.0.0.1:$1" >&2
    exit 1
}

# One run: a fresh Chromium against URL; prints page.js's line.
run() {
    local devtools profile pid
    devtools=$(free_port)
    profile=$(mktemp -d "$W/profile.XXXXXX")
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --remote-debugging-address=127.0.0.1 --remote-debugging-port="$devtools" \
        --user-data-dir="$profile" about:blank >/dev/null 2>&1 &
    pid=$!
    PIDS+=("$pid")
    listening "$devtools"
    node --experimental-websocket benches/page.js "$devtools" "$1" "$ROUNDS"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

site_port=$(free_port)
python3 -m http.server --bind 127.0.0.1 "$site_port" --directory target/site >/dev/null 2>&1 &
PIDS+=($!)
listening "$site_port"
for _ in $(seq "$RUNS"); do run "http://127.0.0.1:$site_port/"; done

serve_port=$(free_port)
(cd "$W" && exec "$BIN" serve --bind "127.0.0.1:$serve_port") >/dev/null 2>&1 &
PIDS+=($!)
listening "$serve_port"
for _ in $(seq "$RUNS"); do run "http://127.0.0.1:$serve_port/"; done
