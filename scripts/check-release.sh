#!/usr/bin/env bash
# CI: builds what a user downloads (scripts/release.sh --deb) and checks it
# works away from the repository: the archive is unpacked into an empty
# folder and its binary run there (version, a render on the embedded
# defaults, completions, man pages); the .deb is inspected and, as root,
# installed, run and removed again.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

step() { echo "== release check: $*"; }
fail() { echo "release check failed: $*" >&2; exit 1; }

if ! command -v cargo-deb >/dev/null 2>&1; then
  step "installing cargo-deb"
  cargo install cargo-deb --locked --version 3.8.0 --quiet
fi

step "scripts/release.sh --deb"
t0=$(date +%s)
bash scripts/release.sh --deb
echo "release build and packing took $(( $(date +%s) - t0 )) s"

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
dist=$repo/${CARGO_TARGET_DIR:-target}/dist
name=postkit-$version-x86_64-unknown-linux-gnu
deb=$dist/postkit_${version}-1_amd64.deb
(cd "$dist" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case "$tmp" in "$repo"/*) fail "temporary folder $tmp is inside the repository" ;; esac

step "unpacking $name.tar.gz into $tmp"
tar -xzf "$dist/$name.tar.gz" -C "$tmp"
root=$tmp/$name
for f in postkit README.md LICENSE-MIT LICENSE-APACHE fonts/OFL.txt fonts/FONTS.txt \
  completions/postkit.bash completions/_postkit completions/postkit.fish \
  completions/_postkit.ps1 man/postkit.1 man/postkit-render.1 man/postkit-batch.1; do
  [ -s "$root/$f" ] || fail "the archive has no $f"
done
grep -q NotoSansArabic-Regular.ttf "$root/fonts/FONTS.txt" || fail "FONTS.txt lists no fonts"

step "the static site, postkit-site-$version.zip"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
  "$dist/postkit-site-$version.zip" "$tmp" || fail "postkit-site-$version.zip cannot be unpacked"
site=$tmp/postkit-site-$version
for f in index.html sw.js assets/app.js assets/engine-wasm.js assets/engine-worker.js \
  assets/postkit_web.js assets/postkit_web_bg.wasm.gz fonts/index.json fonts/OFL.txt data/setup.json; do
  [ -s "$site/$f" ] || fail "the site's zip has no $f"
done
python3 - "$site" <<'PY' || fail "the site's zip is missing a font its index names"
import gzip, json, pathlib, sys
site = pathlib.Path(sys.argv[1])
index = json.loads((site / "fonts/index.json").read_text())
for f in index:
    stored = site / "fonts" / f["path"]
    assert stored.stat().st_size == f["bytes"], f
    assert gzip.decompress(stored.read_bytes())[:4] in (b"\0\1\0\0", b"OTTO", b"ttcf", b"true"), f
print(f"  {len(index)} font files, each as its index says")
PY
# The site the tests drove (.ci/run builds target/site first) is the one packed.
if [ -f "$repo/${CARGO_TARGET_DIR:-target}/site/.postkit-site" ]; then
  diff -rq "$repo/${CARGO_TARGET_DIR:-target}/site" "$site" || fail "the site's zip differs from the site the tests used"
fi

# Run from the empty folder, with nothing of the repository or the build
# around: no templates or fonts on disk, a minimal environment.
run() { (cd "$tmp/work" && env -i PATH=/usr/bin:/bin HOME="$tmp/home" "$@"); }
mkdir -p "$tmp/work" "$tmp/home"
bin=$root/postkit

step "postkit --version"
run "$bin" --version | tee "$tmp/version"
grep -q "^postkit $version (.*features: cjk, emoji, serve, video)$" "$tmp/version" || fail "--version: $(cat "$tmp/version")"

step "postkit render on the embedded defaults"
run "$bin" render --org "Test Org" --quiet --out "$tmp/out" \
  --story "When we arrived we knew nobody. Now our neighbours teach us to bake saffron buns."
n=0
for png in "$tmp"/out/test-org/*.png; do
  [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$png is not a PNG"
  n=$((n + 1))
done
[ "$n" -ge 5 ] || fail "render wrote $n PNGs, expected the campaign's five"
echo "$n PNGs"

step "postkit completions and man"
for shell in bash zsh fish powershell; do
  run "$bin" completions "$shell" >"$tmp/completions.$shell"
  grep -q render "$tmp/completions.$shell" || fail "$shell completions do not name render"
  cmp -s "$tmp/completions.$shell" "$root/completions/$(
    case $shell in bash) echo postkit.bash ;; zsh) echo _postkit ;;
      fish) echo postkit.fish ;; powershell) echo _postkit.ps1 ;; esac)" ||
    fail "the archive's $shell completions differ from the binary's"
done
bash -n "$tmp/completions.bash" || fail "bash completions are not valid bash"
run "$bin" man >"$tmp/postkit.1"
grep -q '^\.TH postkit 1' "$tmp/postkit.1" || fail "man: not a man page"
cmp -s "$tmp/postkit.1" "$root/man/postkit.1" || fail "the archive's man page differs from the binary's"

step "inspecting $(basename "$deb")"
dpkg-deb --info "$deb" | sed -n 's/^ \(Package\|Version\|Architecture\|Depends\|Installed-Size\):/  &/p'
dpkg-deb --contents "$deb" >"$tmp/deb-contents"
for path in ./usr/bin/postkit ./usr/share/man/man1/postkit.1 ./usr/share/man/man1/postkit-render.1 \
  ./usr/share/bash-completion/completions/postkit ./usr/share/zsh/vendor-completions/_postkit \
  ./usr/share/fish/vendor_completions.d/postkit.fish ./usr/lib/systemd/system/postkit.service \
  ./usr/share/doc/postkit/copyright ./usr/share/doc/postkit/fonts/OFL.txt; do
  grep -qE " $path(\.gz)?\$" "$tmp/deb-contents" || fail "the .deb has no $path"
done
echo "  $(wc -l <"$tmp/deb-contents") entries"

if [ "$(id -u)" != 0 ]; then
  echo "not root: the .deb is not installed"
  exit 0
fi
if dpkg-query -W -f='${Status}' postkit 2>/dev/null | grep -q installed; then
  echo "a postkit package is already installed here: the .deb is not installed over it"
  exit 0
fi

step "dpkg -i"
dpkg -i "$deb" >/dev/null
trap 'dpkg -r postkit >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
/usr/bin/postkit --version | grep -q "^postkit $version (" || fail "installed postkit --version"
(cd "$tmp/work" && /usr/bin/postkit render --org "Test Org" --quiet --out "$tmp/out-deb" \
  --platform x-post --story "It takes a community.") || fail "installed postkit render"
[ -s "$tmp/out-deb/test-org/story-quote-x-post.png" ] || fail "installed postkit wrote no PNG"
id postkit >/dev/null || fail "no postkit system user"
[ "$(getent passwd postkit | cut -d: -f7)" = /usr/sbin/nologin ] || fail "the postkit user can log in"
state=$(systemctl is-enabled postkit.service 2>/dev/null || true)
[ "$state" = disabled ] || fail "postkit.service is '$state', expected disabled"
if command -v systemd-analyze >/dev/null 2>&1; then
  systemd-analyze verify /usr/lib/systemd/system/postkit.service || fail "systemd-analyze verify postkit.service"
fi
echo "installed: /usr/bin/postkit runs, user postkit exists, postkit.service $state"

step "dpkg -r"
dpkg -r postkit >/dev/null
[ ! -e /usr/bin/postkit ] || fail "dpkg -r left /usr/bin/postkit"
trap 'rm -rf "$tmp"' EXIT
echo "release check passed"
