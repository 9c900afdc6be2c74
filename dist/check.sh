#!/usr/bin/env bash
# Proves the two distribution channels on this machine (Linux x86_64):
#   1. the Python wheel: maturin build → pip install into a fresh venv →
#      `seaworthy check` on the example app;
#   2. npm: the platform package and the launcher → npm pack → installed from
#      the tarballs into a scratch project → `npx seaworthy check` on the
#      example app.
# Each run must report the six seed findings. Needs Python (pip, venv),
# Node/npm, cargo; installs maturin with pip when it is missing. Fetches
# nothing but maturin. Exit 0 when both work, 1 otherwise.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
EXAMPLE="$ROOT/examples/nextjs-prisma-pet-server"

# Reads a JSON report on stdin; fails unless the six seed rules are in it.
expect_seed_findings() {
    python3 -c '
import json, sys
report = json.load(sys.stdin)
rules = {f["rule"] for f in report["findings"]}
seed = {"missing-container-config", "manual-server-deployment", "apm-sdk-missing",
        "missing-health-endpoint", "backups-not-offsite", "sqlite-in-production"}
missing = seed - rules
if missing:
    sys.exit(f"{sys.argv[1]}: missing {sorted(missing)}")
count = len(report["findings"])
print(f"{sys.argv[1]}: {count} findings, the six seed rules among them")
' "$1"
}

echo "== Python wheel (maturin)"
command -v maturin >/dev/null || python3 -m pip install --quiet "maturin>=1.5,<2"
rm -rf target/dist/wheels
dist/build.sh wheel >/dev/null
wheel=$(ls target/dist/wheels/*.whl)
python3 -m venv "$SCRATCH/venv"
"$SCRATCH/venv/bin/pip" install --quiet --no-index "$wheel"
"$SCRATCH/venv/bin/seaworthy" --version
"$SCRATCH/venv/bin/seaworthy" check "$EXAMPLE" --format json --fail-on none | expect_seed_findings "pip-installed seaworthy"

echo "== npm packages"
# maturin built target/release/seaworthy on the way.
[ -x target/release/seaworthy ] || cargo build --release --quiet
rm -rf target/dist/npm
dist/build.sh npm x86_64-unknown-linux-gnu target/release/seaworthy >/dev/null
mkdir -p "$SCRATCH/project"
(
    cd "$SCRATCH/project"
    npm init -y >/dev/null
    # Both tarballs at once: the launcher's optional dependency on the
    # platform package is met by the local tarball (the other platforms'
    # packages are skipped, as on a user's machine).
    npm install --no-audit --no-fund --silent \
        "$ROOT"/target/dist/npm/seaworthy-cli-linux-x64-gnu-*.tgz \
        "$ROOT"/target/dist/npm/seaworthy-[0-9]*.tgz
    npx --no-install seaworthy --version
    npx --no-install seaworthy check "$EXAMPLE" --format json --fail-on none
) | tail -n +2 | expect_seed_findings "npx seaworthy"
echo "distribution: both channels work"
