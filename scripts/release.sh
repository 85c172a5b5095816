#!/usr/bin/env bash
# Builds what a user downloads: the release binary, packed with its README,
# licences, font list, shell completions and man pages as
#   target/dist/postkit-VERSION-x86_64-unknown-linux-gnu.tar.gz
# the static site (the page with the engine in WebAssembly, built by
# scripts/site.sh; for any operating system, to copy to a static host) as
#   target/dist/postkit-site-VERSION.zip
# with target/dist/SHA256SUMS beside them. With --deb, also the Debian package
#   target/dist/postkit_VERSION-1_amd64.deb
# (needs cargo-deb: `cargo install cargo-deb --locked`).
#
# The completions and man pages are made by the binary just built
# (`postkit completions SHELL`, `postkit man --dir`), from the same clap
# definition that parses the flags.
#
# Windows: not built here. This machine's Rust toolchain has no standard
# library for x86_64-pc-windows-gnu and cannot download one; Debian's
# (libstd-rust-dev-windows) belongs to Debian's older rustc, which the locked
# dependencies do not build with. See README, "Install".
set -euo pipefail
cd "$(dirname "$0")/.."

deb=0
for arg in "$@"; do
  case "$arg" in
    --deb) deb=1 ;;
    *) echo "usage: scripts/release.sh [--deb]" >&2; exit 2 ;;
  esac
done

triple=x86_64-unknown-linux-gnu
host=$(rustc -vV | sed -n 's/^host: //p')
if [ "$host" != "$triple" ]; then
  echo "release.sh builds $triple; this machine is $host" >&2
  exit 1
fi
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
target_dir=${CARGO_TARGET_DIR:-target}
name=postkit-$version-$triple
dist=$target_dir/dist
gen=$target_dir/release/gen   # cargo-deb's assets point here too
stage=$dist/$name

# Reproducible archives: file times from the last commit.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

cargo build --release --locked --bin postkit
bin=$target_dir/release/postkit

rm -rf "$gen" "$stage"
mkdir -p "$gen/completions" "$gen/man" "$stage/fonts"
"$bin" completions bash >"$gen/completions/postkit.bash"
"$bin" completions zsh >"$gen/completions/_postkit"
"$bin" completions fish >"$gen/completions/postkit.fish"
"$bin" completions powershell >"$gen/completions/_postkit.ps1"
"$bin" man --dir "$gen/man"

# The fonts embedded in a default build: every font file in fonts/.
{
  echo "Fonts embedded in postkit $version (default features: $("$bin" --version | sed -n 's/.*features: \(.*\))$/\1/p'))."
  echo "All are Noto fonts (Google LLC), from Debian's Noto font packages, under"
  echo "the SIL Open Font License 1.1: see OFL.txt beside this file."
  echo
  printf '%-34s %10s  %s\n' file bytes sha256
  for f in fonts/*.ttf fonts/*.ttc fonts/*.otf; do
    [ -e "$f" ] || continue
    printf '%-34s %10s  %s\n' "$(basename "$f")" "$(stat -c %s "$f")" "$(sha256sum "$f" | cut -d' ' -f1)"
  done
} >"$gen/FONTS.txt"

cp "$bin" "$stage/postkit"
strip "$stage/postkit"
cp README.md LICENSE-MIT LICENSE-APACHE "$stage/"
cp fonts/OFL.txt "$gen/FONTS.txt" "$stage/fonts/"
cp -r "$gen/completions" "$gen/man" "$stage/"

archive=$name.tar.gz
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
  -C "$dist" -cf - "$name" | gzip -n -9 >"$dist/$archive"
sums=("$archive")

# The static site, its own archive: a coordinator who publishes it needs no
# Linux binary, and the binary's users need not download its fonts again
# (it would double the archive). Built by the script a coordinator runs; a
# zip, as any computer opens, with fixed order and times; the stored .gz
# files are not compressed twice.
site_name=postkit-site-$version
rm -rf "$gen/$site_name"
bash scripts/site.sh "$gen/$site_name"
python3 - "$gen" "$site_name" "$dist/$site_name.zip" "$SOURCE_DATE_EPOCH" <<'PY'
import pathlib, sys, time, zipfile
gen, name, out, epoch = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
stamp = time.gmtime(max(epoch, 315532800))[:6]
with zipfile.ZipFile(out, "w") as z:
    for p in sorted((gen / name).rglob("*")):
        if p.is_file():
            info = zipfile.ZipInfo(str(p.relative_to(gen)), stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if p.suffix == ".gz" else zipfile.ZIP_DEFLATED
            z.writestr(info, p.read_bytes(), compresslevel=9)
PY
sums+=("$site_name.zip")

if [ "$deb" = 1 ]; then
  cargo deb --no-build --locked --output "$dist/postkit_${version}-1_amd64.deb" >/dev/null
  sums+=("postkit_${version}-1_amd64.deb")
fi

(cd "$dist" && sha256sum "${sums[@]}" >SHA256SUMS)
for f in "${sums[@]}"; do
  echo "$dist/$f ($(stat -c %s "$dist/$f") bytes)"
done
echo "$dist/SHA256SUMS"
