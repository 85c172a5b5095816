#!/usr/bin/env bash
# Builds the toolkit as a static site: the page of `postkit serve` with the
# engine compiled to WebAssembly, running in the partner's browser. Copy the
# folder to any static host (GitHub Pages, Netlify, a website's file space):
# it needs no server code and no special headers, and works from a subfolder.
#
#   scripts/site.sh DIR [--campaign FILE] [--platforms FILE] [--template-dir DIR]
#
# Installs what it needs when missing, as .ci/run does: the wasm32 target
# and wasm-bindgen-cli of the version Cargo.lock pins. Running it again
# rebuilds DIR; the folder is written beside DIR and swapped in whole.
#
# DIR gets: index.html and sw.js (the service worker: offline once
# visited); assets/ (the page's script and styles, the engine's .wasm and
# its JS glue, the workers); fonts/ (one file per family, and index.json:
# which file serves which scripts, so a page fetches only what its texts
# use); data/setup.json (the campaign, platforms and kinds it carries);
# SIZES.txt (each part's size, as stored and as a host that gzips sends
# it). The engine and the fonts are stored gzip-compressed (.gz) and
# unpacked by the page, so the site is small on the wire on any host.
set -euo pipefail
ORIG=$(pwd)
cd "$(dirname "$0")/.."
ROOT=$(pwd)

usage() {
  echo "usage: scripts/site.sh DIR [--campaign FILE] [--platforms FILE] [--template-dir DIR]" >&2
  exit 2
}

OUT=""
CAMPAIGN=""
PLATFORMS=""
TEMPLATE_DIR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --campaign) [ $# -ge 2 ] || usage; CAMPAIGN=$2; shift 2 ;;
    --platforms) [ $# -ge 2 ] || usage; PLATFORMS=$2; shift 2 ;;
    --template-dir) [ $# -ge 2 ] || usage; TEMPLATE_DIR=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "site.sh: unknown option $1" >&2; usage ;;
    *) [ -z "$OUT" ] || usage; OUT=$1; shift ;;
  esac
done
[ -n "$OUT" ] || usage
abs() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s' "$ORIG/$1" ;; esac; }
OUT=$(abs "$OUT")
for f in "$CAMPAIGN" "$PLATFORMS"; do
  if [ -n "$f" ] && [ ! -f "$(abs "$f")" ]; then
    echo "site.sh: no such file: $f" >&2
    exit 1
  fi
done
[ -z "$CAMPAIGN" ] || CAMPAIGN=$(abs "$CAMPAIGN")
[ -z "$PLATFORMS" ] || PLATFORMS=$(abs "$PLATFORMS")
if [ -n "$TEMPLATE_DIR" ]; then
  TEMPLATE_DIR=$(abs "$TEMPLATE_DIR")
  [ -d "$TEMPLATE_DIR" ] || { echo "site.sh: no such folder: $TEMPLATE_DIR" >&2; exit 1; }
fi
# Never replace a folder that is not a site this script built.
if [ -e "$OUT" ] && [ ! -f "$OUT/.postkit-site" ] && [ -n "$(ls -A "$OUT" 2>/dev/null)" ]; then
  echo "site.sh: $OUT exists and is not a site built by this script; give an empty or new folder" >&2
  exit 1
fi

# The tools: the wasm32 target, and wasm-bindgen-cli of the locked version.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$WB_VERSION" ] || { echo "site.sh: Cargo.lock pins no wasm-bindgen" >&2; exit 1; }
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
CARGO_BIN=${CARGO_HOME:-$HOME/.cargo}/bin
export PATH="$CARGO_BIN:$PATH"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  echo "site.sh: installing wasm-bindgen-cli $WB_VERSION" >&2
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --locked \
    || cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

# The engine, and what the site learns from the library (the font index;
# the campaign, platforms and templates checked). The batch engine (the
# same crate with its feature `batch`: the spreadsheet reader, the review
# page, the contact sheets) is built after the first engine is bound, as
# both builds write the same file.
cargo build --locked --profile wasm --target wasm32-unknown-unknown -p postkit-web
CHECK=()
[ -z "$CAMPAIGN" ] || CHECK+=(--campaign "$CAMPAIGN")
[ -z "$PLATFORMS" ] || CHECK+=(--platforms "$PLATFORMS")
SETS=()
if [ -n "$TEMPLATE_DIR" ]; then
  while IFS= read -r -d '' p; do
    SETS+=("$p")
    CHECK+=(--template "$p")
  done < <(find "$TEMPLATE_DIR" -mindepth 1 -maxdepth 1 \( -type d -o -name '*.svg' \) -print0 | sort -z)
fi

TMP=$(mktemp -d "$(dirname "$OUT")/.site-build.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/assets" "$TMP/fonts" "$TMP/data"
cargo run --locked --quiet --example site_index -- "${CHECK[@]}" > "$TMP/fonts/index.raw.json"

WASM=target/wasm32-unknown-unknown/wasm/postkit_web.wasm
BINDGEN=(wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir "$TMP/assets")
"${BINDGEN[@]}" "$WASM"
# The batch engine, fetched only when the page's batch mode is opened.
cargo build --locked --profile wasm --target wasm32-unknown-unknown -p postkit-web --features batch
"${BINDGEN[@]}" --out-name postkit_batch "$WASM"
# (binaryen's wasm-opt -Oz was tried: 3 minutes for 0.03% less compressed,
# so it is not run.)

PAGE=src/serve/page
# Every script and style sheet of the page (app.js, app.css, the engine's
# scripts, any other the page loads); the service worker goes beside the page.
for f in "$PAGE"/*.js "$PAGE"/*.css; do
  [ "$(basename "$f")" = sw.js ] || cp "$f" "$TMP/assets/"
done
cp "$PAGE/sw.js" "$TMP/sw.js"
# The page's message catalogues, by the names the server gives them
# (src/serve/page.rs): i18n-languages.json and i18n-TAG.json.
cp "$PAGE/i18n/languages.json" "$TMP/assets/i18n-languages.json"
for cat in "$PAGE"/i18n/*.json; do
  tag=$(basename "$cat" .json)
  [ "$tag" = languages ] || cp "$cat" "$TMP/assets/i18n-$tag.json"
done

python3 - "$TMP" "$ROOT" "$CAMPAIGN" "$PLATFORMS" "${SETS[@]}" <<'PY'
import gzip, json, os, pathlib, re, shutil, sys

tmp, root, campaign, platforms, *sets = sys.argv[1:]
tmp, root = pathlib.Path(tmp), pathlib.Path(root)

# The page: relative addresses (works from a subfolder), the engine chosen
# by a <meta>, and a policy that allows the engine and nothing from elsewhere.
html = (root / "src/serve/page/index.html").read_text()
html = html.replace('href="/assets/', 'href="assets/').replace('src="/assets/', 'src="assets/')
csp = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "
       "img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; connect-src 'self'; "
       "base-uri 'none'; form-action 'self'")
head = (f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="postkit-engine" content="wasm">\n'
        '<script src="assets/engine-wasm.js" defer></script>\n')
if '<script src="assets/app.js"' not in html:
    sys.exit("site.sh: the page has no <script src=\"/assets/app.js\">")
html = html.replace('<script src="assets/app.js"', head + '<script src="assets/app.js"', 1)
if re.search(r'(src|href)="/', html):
    sys.exit("site.sh: the page still has an address from the server's root: " + re.search(r'(src|href)="/[^"]*"', html).group(0))
(tmp / "index.html").write_text(html)

# The big files, the engine and the fonts, are stored gzip-compressed (the
# same bytes every build: no time or name in the header), so that a host
# that compresses nothing still sends them small; the page unpacks them as
# they arrive (engine-wasm.js, DecompressionStream). The text files are
# small and stay as they are: a host that compresses sends them smaller.
def packed(src, dst):
    dst.write_bytes(gzip.compress(src.read_bytes(), 9, mtime=0))
    return dst.stat().st_size

for engine in ("postkit_web_bg.wasm", "postkit_batch_bg.wasm"):
    wasm = tmp / "assets" / engine
    packed(wasm, wasm.with_name(wasm.name + ".gz"))
    wasm.unlink()

# Fonts: every file the index names, stored packed: `file` is the font's
# name (the engine's), `path` the stored file, `bytes` its size (the page's
# progress while it arrives).
index = json.loads((tmp / "fonts/index.raw.json").read_text())
(tmp / "fonts/index.raw.json").unlink()
for f in index:
    f["path"] = f["file"] + ".gz"
    f["bytes"] = packed(root / "fonts" / f["file"], tmp / "fonts" / f["path"])
(tmp / "fonts/index.json").write_text(json.dumps(index, indent=1) + "\n")
shutil.copyfile(root / "fonts/OFL.txt", tmp / "fonts/OFL.txt")

# What the site carries: campaign, platforms (TOML text) and extra kinds.
def read(p):
    return pathlib.Path(p).read_text() if p else None

templates = []
for s in sets:
    p = pathlib.Path(s)
    if p.is_dir():
        files = sorted((q.name, q.read_text()) for q in p.iterdir()
                       if q.suffix == ".svg" or q.name == "template.toml")
        templates.append({"name": p.name, "files": files})
    else:
        files = [(p.name, p.read_text())]
        manifest = p.parent / "template.toml"
        if manifest.is_file():
            files.append(("template.toml", manifest.read_text()))
        templates.append({"name": p.stem, "files": files})
setup = {"campaign": read(campaign), "platforms": read(platforms), "templates": templates,
         "campaignText": read(campaign) or ""}
(tmp / "data/setup.json").write_text(json.dumps(setup, ensure_ascii=False) + "\n")
(tmp / ".postkit-site").write_text("built by scripts/site.sh\n")

# Sizes: as stored (what a host that compresses nothing sends) and what a
# host that gzips its text files sends (a .gz file is sent as it is).
rows = []
for p in sorted(tmp.rglob("*")):
    if p.is_file() and p.name != ".postkit-site":
        raw = p.read_bytes()
        sent = len(raw) if p.suffix == ".gz" else len(gzip.compress(raw, 9, mtime=0))
        rows.append((str(p.relative_to(tmp)), len(raw), sent))
latin = {f["path"] for f in index if "Latin" in f["scripts"]}
first = [r for r in rows if not r[0].startswith("fonts/") or r[0] == "fonts/index.json"
         or r[0][len("fonts/"):] in latin]
first = [r for r in first if r[0] not in ("SIZES.txt", "fonts/OFL.txt")]
# The batch engine is fetched when the page's batch mode is opened, not on
# a first visit.
first = [r for r in first if not r[0].startswith("assets/postkit_batch")]
batch = [r for r in rows if r[0].startswith("assets/postkit_batch")]
with open(tmp / "SIZES.txt", "w") as out:
    out.write(f"{'part':44} {'stored':>11} {'gzip':>11}\n")
    for name, raw, gz in rows:
        out.write(f"{name:44} {raw:>11} {gz:>11}\n")
    total = sum(r[2] for r in first)
    out.write(f"{'first visit, English (page, engine, Latin fonts)':44} "
              f"{sum(r[1] for r in first):>11} {total:>11}\n")
    out.write(f"{'batch engine (when the batch mode is opened)':44} "
              f"{sum(r[1] for r in batch):>11} {sum(r[2] for r in batch):>11}\n")
print(f"site.sh: first visit for an English story: {total / 1e6:.2f} MB from a host that gzips, "
      f"{sum(r[1] for r in first) / 1e6:.2f} MB from one that compresses nothing")
print(f"site.sh: the batch engine, fetched when the batch mode is opened: {sum(r[2] for r in batch) / 1e6:.2f} MB compressed")
PY

rm -rf "$OUT.old"
[ ! -e "$OUT" ] || mv "$OUT" "$OUT.old"
mv "$TMP" "$OUT"
trap - EXIT
rm -rf "$OUT.old"
echo "site.sh: the static site is in $OUT (serve it with any static file server)"
