#!/usr/bin/env bash
# Checks that `rust-version` in Cargo.toml is what the locked dependencies
# actually require: the highest `rust-version` among the crates that
# Cargo.lock resolves for Linux x86_64 (build, normal and dev dependencies).
# Prints the crates that set the floor. Exit 1 if Cargo.toml says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo metadata --locked --format-version 1 --filter-platform x86_64-unknown-linux-gnu |
  python3 -c '
import json, sys
meta = json.load(sys.stdin)
ids = {n["id"] for n in meta["resolve"]["nodes"]}
ours = set(meta["workspace_members"])
def key(v):
    return tuple(int(x) for x in (v.split(".") + ["0", "0"])[:3])
deps = [(p["rust_version"], p["name"], p["version"]) for p in meta["packages"]
        if p["id"] in ids and p["id"] not in ours and p.get("rust_version")]
need = max(key(v) for v, _, _ in deps)
floor = sorted(f"{n} {ver} ({v})" for v, n, ver in deps if key(v) == need)
stated = [p["rust_version"] for p in meta["packages"] if p["id"] in ours][0]
need_s = ".".join(map(str, need[:2])) if need[2] == 0 else ".".join(map(str, need))
print(f"rust-version: Cargo.toml says {stated}; the locked dependencies need {need_s}: "
      + ", ".join(floor))
if key(stated or "0") != need:
    print(f"set rust-version = \"{need_s}\" in Cargo.toml", file=sys.stderr)
    sys.exit(1)
'
