#!/usr/bin/env bash
# How `seaworthy check` grows with the number of apps: generated monorepos
# of many services (~50 files each, every one with a Dockerfile, a compose
# file, Kubernetes manifests and scripts), plus the 100k-file/40-app tree of
# bench/run.sh and, on request, a 1M-file tree. For each tree: mean time
# against `rg --files` (hyperfine, same run), peak RSS, and at the end the
# growth exponent in apps fitted over the service trees (log-log least
# squares of seaworthy's mean time against the number of apps).
#
#   bench/scale.sh                     10, 100, 1000, 2000 services + the 40-app tree
#   APPS="100 400" bench/scale.sh      other service counts
#   HUGE=1 bench/scale.sh              also the 1M-file tree (~2 GB, minutes to generate)
#   SHARED_APPS="250 1000" bench/scale.sh  the shared-files shape (default 100 1000; "" for none)
#
# The shared-files trees (`shared-N`, generate.py --shared-ops) add files
# that name every app: a root compose file, one Kubernetes folder, a CI job,
# a Makefile target and env variables per app. A rule that scans such a list
# once per app is quadratic there and invisible on the services trees; their
# exponent is fitted and checked separately.
#
# Environment: APPS, FILES_PER_APP=50, RUNS=5, WARMUP=1, MAX_RATIO=1.5,
# MAX_EXPONENT=1.1, MAX_RSS_MB=200 (checked on trees of ≤ 100k files),
# HUGE=0, WORK=bench/work. Writes $WORK/scale.md. Exits 1 when a target is
# missed, 2 on setup errors. Performance is checked here, never by tests.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${WORK:-$ROOT/bench/work}"
APPS="${APPS:-10 100 1000 2000}"
FILES_PER_APP="${FILES_PER_APP:-50}"
RUNS="${RUNS:-5}"
WARMUP="${WARMUP:-1}"
MAX_RATIO="${MAX_RATIO:-1.5}"
MAX_EXPONENT="${MAX_EXPONENT:-1.1}"
MAX_RSS_MB="${MAX_RSS_MB:-200}"
HUGE="${HUGE:-0}"
SHARED_APPS="${SHARED_APPS-100 1000}"

# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
require_tools
mkdir -p "$WORK"
build_seaworthy "$ROOT"

GEN_SUM=$(cksum <"$ROOT/bench/generate.py" | cut -d' ' -f1)

# generate NAME ARGS...: bench/work/NAME, regenerated only when the
# arguments or the generator changed.
generate() {
    local name=$1
    shift
    local tree="$WORK/$name" params="$* generator=$GEN_SUM"
    if [ ! -d "$tree" ] || [ "$(cat "$tree.params" 2>/dev/null)" != "$params" ]; then
        echo "==> generating $name ($*)" >&2
        python3 "$ROOT/bench/generate.py" "$tree" "$@" --force >&2
        echo "$params" >"$tree.params"
    fi
    echo "$tree"
}

rows=()
fit=()
fit_shared=()
fail=0
measure() {
    local label=$1 apps=$2 tree=$3 check_rss=$4
    local listed
    listed=$(rg --files "$tree" | wc -l)
    echo "==> $label: $listed files listed by rg --files" >&2
    hyperfine --warmup "$WARMUP" --runs "$RUNS" --style none \
        --export-json "$WORK/scale-$label.json" \
        -n rg "rg --files '$tree' >/dev/null" \
        -n seaworthy "'$BIN' check '$tree' --format json --fail-on none >/dev/null" >&2
    local rss_kb
    /usr/bin/time -v "$BIN" check "$tree" --format json --fail-on none >/dev/null 2>"$WORK/time.txt"
    rss_kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
    local line
    line=$(python3 - "$WORK/scale-$label.json" "$rss_kb" <<'EOF'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
rg, sw = r["rg"]["mean"], r["seaworthy"]["mean"]
print(f"{rg*1000:.0f} {sw*1000:.0f} {sw/rg:.2f} {int(sys.argv[2])/1024:.1f} {sw:.6f}")
EOF
)
    read -r rg_ms sw_ms ratio rss_mb sw_s <<<"$line"
    local verdict=ok
    if python3 -c "import sys; sys.exit(0 if $ratio > $MAX_RATIO else 1)"; then verdict="ratio > $MAX_RATIO"; fail=1; fi
    if [ "$check_rss" = 1 ] && python3 -c "import sys; sys.exit(0 if $rss_mb > $MAX_RSS_MB else 1)"; then
        verdict="RSS > $MAX_RSS_MB MB"; fail=1
    fi
    rows+=("| $label | $apps | $listed | $rg_ms | $sw_ms | $ratio | $rss_mb | $verdict |")
    [ "$apps" != "-" ] && [ "$label" != "${label#services-}" ] && fit+=("$apps $sw_s")
    [ "$apps" != "-" ] && [ "$label" != "${label#shared-}" ] && fit_shared+=("$apps $sw_s")
    return 0
}

for n in $APPS; do
    files=$((n * FILES_PER_APP))
    tree=$(generate "services-$n" --apps "$n" --files "$files" --service-ops --seed 1)
    rss=1
    [ "$(rg --files "$tree" | wc -l)" -gt 100000 ] && rss=0
    measure "services-$n" "$n" "$tree" "$rss"
done
for n in $SHARED_APPS; do
    tree=$(generate "shared-$n" --apps "$n" --files $((n * FILES_PER_APP)) --service-ops --shared-ops --seed 1)
    rss=1
    [ "$(rg --files "$tree" | wc -l)" -gt 100000 ] && rss=0
    measure "shared-$n" "$n" "$tree" "$rss"
done
tree=$(generate "monorepo" --files 100000 --seed 1)
measure "monorepo-100k" 40 "$tree" 1
if [ "$HUGE" = 1 ]; then
    tree=$(generate "huge" --files 1000000 --apps 400 --packages 200 --seed 1)
    measure "huge-1m" 400 "$tree" 0
fi

fit_exponent() {
    python3 -c '
import math, sys
pts = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
if len(pts) < 2:
    print("n/a"); sys.exit()
xs = [math.log(a) for a, _ in pts]; ys = [math.log(t) for _, t in pts]
mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
print(f"{sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs):.2f}")'
}
exponent=$(printf '%s\n' "${fit[@]}" | fit_exponent)
shared_exponent=n/a
[ ${#fit_shared[@]} -gt 0 ] && shared_exponent=$(printf '%s\n' "${fit_shared[@]}" | fit_exponent)
for e in "$exponent" "$shared_exponent"; do
    if [ "$e" != n/a ] && python3 -c "import sys; sys.exit(0 if $e > $MAX_EXPONENT else 1)"; then
        fail=1
    fi
done

{
    echo "# seaworthy scaling benchmark"
    echo
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ), seaworthy $(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo '?')"
    echo "- machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM; load average before: $(cut -d' ' -f1 /proc/loadavg)"
    echo "- hyperfine --warmup $WARMUP --runs $RUNS; $(rg --version | head -1)"
    echo
    echo "| tree | apps | files (rg --files) | rg --files [ms] | seaworthy [ms] | ratio | peak RSS [MB] | |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "- growth exponent in apps (services trees, log-log fit): **$exponent** (target ≤ $MAX_EXPONENT)"
    echo "- growth exponent in apps (shared-files trees): **$shared_exponent** (target ≤ $MAX_EXPONENT)"
} >"$WORK/scale.md"
echo
cat "$WORK/scale.md"
exit "$fail"
