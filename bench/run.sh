#!/usr/bin/env bash
# Benchmark `seaworthy check` against `rg --files` (the walk-only floor) on a
# synthetic monorepo of ~100k files plus an ignored node_modules tree.
#
#   bench/run.sh              build, generate bench/work/monorepo if absent, measure
#
# Environment:
#   FILES=100000        files outside node_modules (regenerates when it changes)
#   SEED=1              generator seed
#   TREE=bench/work/monorepo
#   RUNS=10 WARMUP=2    hyperfine settings
#   MAX_RATIO=1.5       fail when mean(seaworthy) / mean(rg --files) is above
#   MAX_RSS_MB=200      fail when seaworthy's peak RSS is above
#
# Writes bench/work/results.md (hyperfine table and figures) and
# bench/work/hyperfine.json. Exits 1 when a target is missed, 2 on setup errors.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$ROOT/bench/work"
FILES="${FILES:-100000}"
SEED="${SEED:-1}"
TREE="${TREE:-$WORK/monorepo}"
RUNS="${RUNS:-10}"
WARMUP="${WARMUP:-2}"
MAX_RATIO="${MAX_RATIO:-1.5}"
MAX_RSS_MB="${MAX_RSS_MB:-200}"

# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
require_tools
mkdir -p "$WORK"
build_seaworthy "$ROOT"

# The tree is regenerated only when absent or generated with other parameters.
STAMP="$TREE.params"
PARAMS="files=$FILES seed=$SEED generator=$(cksum <"$ROOT/bench/generate.py" | cut -d' ' -f1)"
if [ ! -d "$TREE" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$PARAMS" ]; then
    echo "==> generating $TREE ($FILES files)"
    python3 "$ROOT/bench/generate.py" "$TREE" --files "$FILES" --seed "$SEED" --force
    echo "$PARAMS" >"$STAMP"
fi

listed=$(rg --files "$TREE" | wc -l)
all=$(find "$TREE" -path "$TREE/.git" -prune -o -type f -print | wc -l)
echo "==> tree: $listed files listed by rg --files, $all files in all (node_modules included)"

# Other work on the machine (a compiler) inflates both figures unevenly.
load=$(cut -d' ' -f1 /proc/loadavg)
if python3 -c "import sys; sys.exit(0 if float('$load') > 0.5 else 1)"; then
    echo "warning: load average is $load; figures are only meaningful on an idle machine" >&2
fi

echo "==> hyperfine"
hyperfine --warmup "$WARMUP" --runs "$RUNS" --style basic \
    --export-json "$WORK/hyperfine.json" --export-markdown "$WORK/hyperfine.md" \
    -n 'rg --files' "rg --files '$TREE' >/dev/null" \
    -n 'seaworthy check' "'$BIN' check '$TREE' --format json --fail-on none >/dev/null"

echo "==> peak RSS (/usr/bin/time -v, max of 3 runs)"
rss_kb=0
for _ in 1 2 3; do
    /usr/bin/time -v "$BIN" check "$TREE" --format json --fail-on none >/dev/null 2>"$WORK/time.txt"
    kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
    [ "$kb" -gt "$rss_kb" ] && rss_kb=$kb
done

findings=$("$BIN" check "$TREE" --format json --fail-on none | python3 -c \
    'import json,sys; r=json.load(sys.stdin); print(len(r.get("findings", [])), len(r.get("apps", [])))' 2>/dev/null || echo "? ?")

read -r verdict summary < <(python3 - "$WORK/hyperfine.json" "$rss_kb" "$MAX_RATIO" "$MAX_RSS_MB" <<'EOF'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
rg, sw = results["rg --files"], results["seaworthy check"]
ratio = sw["mean"] / rg["mean"]
rss_mb = int(sys.argv[2]) / 1024
ok = ratio <= float(sys.argv[3]) and rss_mb <= float(sys.argv[4])
print("ok" if ok else "fail",
      f"ratio={ratio:.2f} rss_mb={rss_mb:.1f} rg_mean={rg['mean']*1000:.0f}ms "
      f"rg_sd={rg['stddev']*1000:.0f}ms seaworthy_mean={sw['mean']*1000:.0f}ms seaworthy_sd={sw['stddev']*1000:.0f}ms")
EOF
)
ratio=$(sed 's/.*ratio=\([^ ]*\).*/\1/' <<<"$summary")
rss_mb=$(sed 's/.*rss_mb=\([^ ]*\).*/\1/' <<<"$summary")

{
    echo "# seaworthy benchmark"
    echo
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ), seaworthy $(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo '?')"
    echo "- machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM"
    echo "- tools: $(hyperfine --version), $(rg --version | head -1); load average before the run: $load"
    echo "- tree: $listed files listed by \`rg --files\`, $all in all with node_modules (seed $SEED)"
    echo "- findings: ${findings% *} in ${findings#* } apps"
    echo
    cat "$WORK/hyperfine.md"
    echo
    echo "- ratio mean(seaworthy) / mean(rg --files): **$ratio** (target ≤ $MAX_RATIO)"
    echo "- seaworthy peak RSS: **$rss_mb MB** (target ≤ $MAX_RSS_MB MB)"
} >"$WORK/results.md"

echo
cat "$WORK/results.md"
echo
if [ "$verdict" = ok ]; then
    echo "PASS: ratio $ratio ≤ $MAX_RATIO, peak RSS $rss_mb MB ≤ $MAX_RSS_MB MB"
else
    echo "FAIL: ratio $ratio (target ≤ $MAX_RATIO), peak RSS $rss_mb MB (target ≤ $MAX_RSS_MB MB)" >&2
    exit 1
fi
