#!/usr/bin/env bash
# Builds the postkit container image from nothing (no registry, no base
# image): FROM scratch, holding the binary, exactly the shared libraries
# `ldd` lists and the dynamic loader, and passwd/group entries for the
# unprivileged user `postkit` (uid and gid 10001) it runs as.
#
#   scripts/container.sh [BINARY]           build the image postkit:VERSION
#                                           (and postkit:latest)
#   scripts/container.sh --check [BINARY]   build it, run it and render
#                                           through it, then remove it
#
# BINARY defaults to target/release/postkit (built with
# `cargo build --release --locked` when absent).
#
# --check runs the image as it would run in production, with the flags
# that work on these machines (podman with the vfs storage driver, runc,
# cgroupfs, host network; --ulimit below the host's limits), as the
# non-root user on a read-only root file system with no writable tmpfs,
# serving on a port the kernel picks on 127.0.0.1. It waits for /readyz,
# renders a PNG and a zip through it with curl (127.0.0.1 only), checks
# they are byte-identical to what the same binary's CLI writes for the
# same input, checks the process's user on the host and that the root
# file system refuses a write, stops it with SIGTERM (exit 0 expected),
# and removes the container and the image.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

check=0
bin=""
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    -h | --help)
      sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*) echo "usage: scripts/container.sh [--check] [BINARY]" >&2; exit 2 ;;
    *)
      [ -z "$bin" ] || { echo "usage: scripts/container.sh [--check] [BINARY]" >&2; exit 2; }
      bin=$arg
      ;;
  esac
done

step() { echo "== container: $*"; }
fail() { echo "container check failed: $*" >&2; exit 1; }

command -v podman >/dev/null 2>&1 ||
  fail "podman is not installed (Debian: apt-get install podman buildah runc)"
command -v runc >/dev/null 2>&1 || fail "runc is not installed (Debian: apt-get install runc)"

if [ -z "$bin" ]; then
  bin=${CARGO_TARGET_DIR:-target}/release/postkit
  if [ ! -x "$bin" ]; then
    step "no $bin: cargo build --release --locked"
    cargo build --release --locked --bin postkit
  fi
fi
[ -x "$bin" ] || fail "$bin is not an executable file"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

# The flags podman needs here: see README, "Host it for your partners".
pm() { podman --storage-driver vfs --runtime runc --cgroup-manager cgroupfs "$@"; }

version=$("$bin" --version | sed -n 's/^postkit \([^ ]*\).*/\1/p')
[ -n "$version" ] || fail "$bin --version does not say postkit's version"
# --check builds under its own name, and removes it, so that an image
# built before for use is left alone.
if [ "$check" = 1 ]; then
  image=localhost/postkit-check:$version
  tags=(-t "$image")
else
  image=localhost/postkit:$version
  tags=(-t "$image" -t localhost/postkit:latest)
fi
uid=10001

tmp=$(mktemp -d)
container=""
built=""
cleanup() {
  [ -z "$container" ] || pm rm -f -t 0 "$container" >/dev/null 2>&1 || true
  [ -z "$built" ] || [ "$check" = 0 ] || pm rmi -f "$image" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

step "root file system for $bin ($version)"
root=$tmp/context/root
mkdir -p "$root/usr/local/bin" "$root/etc" "$root/tmp"
cp "$bin" "$root/usr/local/bin/postkit"
strip "$root/usr/local/bin/postkit" 2>/dev/null || true
# The libraries ldd lists ("name => /path (address)") and the loader
# ("/lib64/ld-linux-x86-64.so.2 (address)"), each at the path the binary
# asks for, symlinks resolved; linux-vdso is the kernel's, not a file.
libs=$(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)
if ldd "$bin" 2>&1 | grep -q 'not found'; then
  fail "$(ldd "$bin" | grep 'not found')"
fi
for lib in $libs; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
  echo "  $lib"
done
printf 'root:x:0:0:root:/:/sbin/nologin\npostkit:x:%s:%s:postkit:/:/sbin/nologin\n' "$uid" "$uid" >"$root/etc/passwd"
printf 'root:x:0:\npostkit:x:%s:\n' "$uid" >"$root/etc/group"
chmod 1777 "$root/tmp"

cat >"$tmp/context/Containerfile" <<EOF
FROM scratch
COPY root/ /
USER postkit:postkit
WORKDIR /
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/postkit"]
CMD ["serve", "--bind", "0.0.0.0:8080"]
LABEL org.opencontainers.image.title="postkit" org.opencontainers.image.version="$version"
EOF

step "podman build -t $image (FROM scratch)"
t0=$(date +%s)
pm build --quiet --pull=never "${tags[@]}" "$tmp/context" >/dev/null
built=1
size=$(pm image inspect --format '{{.Size}}' "$image")
echo "built $image: $size bytes ($(( size / 1000000 )) MB) in $(( $(date +%s) - t0 )) s"
pm image inspect --format '{{.Config.User}}' "$image" | grep -qx 'postkit:postkit' ||
  fail "the image's user is not postkit"

[ "$check" = 1 ] || exit 0

command -v curl >/dev/null 2>&1 || fail "curl is not installed"

step "run it: non-root, read-only root, host network, 127.0.0.1 and a port the kernel picks"
container=postkit-check-$$
pm run -d --name "$container" --network host \
  --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
  --read-only --read-only-tmpfs=false --user postkit \
  --cap-drop all --security-opt no-new-privileges \
  "$image" serve --bind 127.0.0.1:0 --workers 2 --drain-delay 1 >/dev/null
url=""
for _ in $(seq 1 200); do
  url=$(pm logs "$container" 2>/dev/null | sed -n 's|^postkit: serving on \(http://127\.0\.0\.1:[0-9]*\)/.*|\1|p' | head -n 1)
  [ -n "$url" ] && break
  [ "$(pm inspect -f '{{.State.Running}}' "$container")" = true ] ||
    fail "the container stopped: $(pm logs "$container" 2>&1 | tail -n 5)"
  sleep 0.1
done
[ -n "$url" ] || fail "no start-up line after 20 s: $(pm logs "$container" 2>&1 | tail -n 5)"
echo "$(pm logs "$container" 2>/dev/null | head -n 1)"
case "$url" in http://127.0.0.1:*) ;; *) fail "serving on $url, not 127.0.0.1" ;; esac

ready=""
for _ in $(seq 1 100); do
  if curl -sf --max-time 2 "$url/readyz" >/dev/null; then ready=1; break; fi
  sleep 0.1
done
[ -n "$ready" ] || fail "/readyz never answered 200"
echo "/readyz: $(curl -s --max-time 2 "$url/readyz")"

pid=$(pm inspect -f '{{.State.Pid}}' "$container")
[ "$(ps -o uid= -p "$pid" | tr -d ' ')" = "$uid" ] || fail "the server runs as uid $(ps -o uid= -p "$pid"), not $uid"
[ "$(pm inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$container")" = true ] || fail "the root file system is writable"
echo "the server runs as uid $uid (host view of pid $pid) on a read-only root"

step "render a PNG and a zip through it, and the same with the CLI"
org="Plymouth Welcome Hub"
story="When we arrived we knew nobody. Now our neighbours teach us to bake saffron buns."
# --form-string: curl reads ';' in a -F value as its own separator.
curl -sf --max-time 120 -H 'Accept: image/png' --form-string org="$org" --form-string story="$story" \
  -F template=story-quote -F platform=x-post -o "$tmp/served.png" "$url/api/render" ||
  fail "POST /api/render (image/png)"
curl -sf --max-time 120 -H 'Accept: application/zip' --form-string org="$org" --form-string story="$story" \
  -F logo=@examples/logo.png --form-string 'platform=x-post;instagram-square' -o "$tmp/served.zip" "$url/api/render" ||
  fail "POST /api/render (application/zip)"
mkdir -p "$tmp/cli"
(cd "$tmp/cli" && "$bin" render --quiet --org "$org" --story "$story" \
  --template story-quote --platform x-post --out png)
(cd "$tmp/cli" && "$bin" render --quiet --org "$org" --story "$story" \
  --logo "$repo/examples/logo.png" --platform x-post --platform instagram-square --out zip)
cmp "$tmp/served.png" "$tmp/cli/png/plymouth-welcome-hub/story-quote-x-post.png" ||
  fail "the PNG served differs from the CLI's"
echo "PNG: $(stat -c %s "$tmp/served.png") bytes, byte-identical to the CLI's"
# Every PNG, alt text and caption in the zip equals the CLI's file.
python3 - "$tmp/served.zip" "$tmp/cli/zip" <<'EOF' || fail "the zip differs from the CLI's files"
import pathlib, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
cli = pathlib.Path(sys.argv[2])
names = [n for n in z.namelist() if n != "report.json"]
pngs = [n for n in names if n.endswith(".png")]
on_disk = sorted(str(p.relative_to(cli)) for p in cli.rglob("*.png"))
if sorted(pngs) != on_disk:
    sys.exit(f"zip PNGs {sorted(pngs)} != CLI PNGs {on_disk}")
for n in names:
    if z.read(n) != (cli / n).read_bytes():
        sys.exit(f"{n} differs")
print(f"zip: {len(pngs)} PNGs, {len(names)} files byte-identical to the CLI's")
EOF

step "the root file system refuses a write"
if out=$(pm run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
  --read-only --read-only-tmpfs=false --user postkit "$image" \
  render --quiet --org Hub --story "We cook." --platform x-post --out /tmp/out 2>&1); then
  fail "a render into /tmp/out succeeded on the read-only root"
fi
echo "$out" | grep -qi 'read-only' || fail "the write failed, but not for the read-only root: $out"
echo "refused: $(echo "$out" | head -n 1)"

step "SIGTERM: drains, exits 0"
pm kill --signal TERM "$container" >/dev/null
code=$(timeout 90 podman --storage-driver vfs --runtime runc --cgroup-manager cgroupfs wait "$container") ||
  fail "the server did not stop within 90 s of SIGTERM"
[ "$code" = 0 ] || fail "exit code $code after SIGTERM: $(pm logs "$container" 2>&1 | tail -n 5)"
echo "exit 0"
pm rm "$container" >/dev/null
container=""
pm rmi "$image" >/dev/null
built=""
echo "container check passed"
