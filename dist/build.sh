#!/usr/bin/env bash
# Builds the distribution packages from a seaworthy binary, into target/dist.
#
#   dist/build.sh npm TARGET BINARY   npm: the platform package of TARGET (a Rust
#                                     target triple) carrying BINARY, and the
#                                     `seaworthy` launcher package; packed with npm pack
#   dist/build.sh wheel [ARGS...]     the Python wheel (maturin build --release ARGS)
#
# The version is read from Cargo.toml: it is written nowhere else.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${OUT:-$ROOT/target/dist}"
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -1)
[ -n "$VERSION" ] || { echo "error: no version in Cargo.toml" >&2; exit 2; }

# Rust target → npm platform package suffix, os, cpu, libc.
TARGETS="x86_64-unknown-linux-gnu:linux-x64-gnu:linux:x64:glibc
x86_64-unknown-linux-musl:linux-x64-musl:linux:x64:musl
aarch64-unknown-linux-gnu:linux-arm64-gnu:linux:arm64:glibc
aarch64-unknown-linux-musl:linux-arm64-musl:linux:arm64:musl
x86_64-apple-darwin:darwin-x64:darwin:x64:
aarch64-apple-darwin:darwin-arm64:darwin:arm64:
x86_64-pc-windows-msvc:win32-x64:win32:x64:"

npm_packages() {
    local target=$1 binary=$2 line suffix os cpu libc
    line=$(printf '%s\n' "$TARGETS" | grep "^$target:") || {
        echo "error: unknown target $target" >&2
        exit 2
    }
    IFS=: read -r _ suffix os cpu libc <<<"$line"
    local exe=seaworthy
    [ "$os" = win32 ] && exe=seaworthy.exe
    mkdir -p "$OUT/npm"
    # The platform package: the binary and the fields npm selects it by.
    local pkg="$OUT/npm/cli-$suffix"
    rm -rf "$pkg" && mkdir -p "$pkg/bin"
    cp "$binary" "$pkg/bin/$exe"
    chmod 755 "$pkg/bin/$exe"
    # The release profile keeps line tables for profiling; users need none.
    if [ "$os" = linux ] && command -v strip >/dev/null && strip "$pkg/bin/$exe" 2>/dev/null; then :; fi
    python3 - "$pkg/package.json" "$VERSION" "$suffix" "$os" "$cpu" "$libc" <<'PY'
import json, sys
path, version, suffix, os_, cpu, libc = sys.argv[1:]
doc = {
    "name": f"@seaworthy/cli-{suffix}",
    "version": version,
    "description": f"The seaworthy binary for {suffix}.",
    "license": "MIT",
    "os": [os_],
    "cpu": [cpu],
    "files": ["bin"],
    "preferUnplugged": True,
}
if libc:
    doc["libc"] = [libc]
json.dump(doc, open(path, "w"), indent=2)
open(path, "a").write("\n")
PY
    # The launcher package, depending on every platform package.
    local main="$OUT/npm/seaworthy"
    rm -rf "$main" && mkdir -p "$main/bin"
    cp "$ROOT/dist/npm/seaworthy/bin/seaworthy.js" "$main/bin/"
    cp "$ROOT/dist/python/README.md" "$main/README.md"
    python3 - "$main/package.json" "$VERSION" "$TARGETS" <<'PY'
import json, sys
path, version, targets = sys.argv[1:]
suffixes = [line.split(":")[1] for line in targets.splitlines() if line]
doc = {
    "name": "seaworthy",
    "version": version,
    "description": "Production-readiness auditor: finds what an application needs before it ships, with evidence.",
    "license": "MIT",
    "bin": {"seaworthy": "bin/seaworthy.js"},
    "files": ["bin", "README.md"],
    "engines": {"node": ">=16"},
    "optionalDependencies": {f"@seaworthy/cli-{s}": version for s in suffixes},
}
json.dump(doc, open(path, "w"), indent=2)
open(path, "a").write("\n")
PY
    (cd "$OUT/npm" && npm pack --silent "$pkg" >/dev/null && npm pack --silent "$main" >/dev/null)
    ls "$OUT/npm"/*.tgz
}

wheel() {
    command -v maturin >/dev/null || { echo "error: maturin is not installed (pip install maturin)" >&2; exit 2; }
    mkdir -p "$OUT/wheels"
    (cd "$ROOT/dist/python" && maturin build --release --out "$OUT/wheels" "$@")
    ls "$OUT/wheels"/*.whl
}

case "${1:-}" in
    npm) [ $# -eq 3 ] || { echo "usage: $0 npm TARGET BINARY" >&2; exit 2; }; npm_packages "$2" "$3" ;;
    wheel) shift; wheel "$@" ;;
    *) echo "usage: $0 npm TARGET BINARY | wheel [ARGS...]" >&2; exit 2 ;;
esac
