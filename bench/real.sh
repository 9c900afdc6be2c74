#!/usr/bin/env bash
# Benchmark `seaworthy check` against `rg --files` on real checkouts.
#
#   bench/real.sh DIR...      one row per checkout folder (no downloads)
#
# Each DIR should be a `git init`-ed checkout so that rg honours .gitignore the
# same way seaworthy does.
#
# Environment:
#   BIN=target/release/seaworthy   binary to measure (built beforehand)
#   RUNS=10 WARMUP=2               hyperfine settings
#   MAX_RATIO=1.5                  rows above it are flagged; exit 1 if any
#   OUT=bench/work/real            where hyperfine JSON and the table go
#
# Prints a Markdown table: repo, files listed by rg, rg mean, seaworthy mean,
# ratio, seaworthy peak RSS (max of 3 runs of /usr/bin/time -v).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${BIN:-$ROOT/target/release/seaworthy}"
RUNS="${RUNS:-10}"
WARMUP="${WARMUP:-2}"
MAX_RATIO="${MAX_RATIO:-1.5}"
OUT="${OUT:-$ROOT/bench/work/real}"

if [ $# -eq 0 ]; then
    echo "usage: $0 DIR..." >&2
    exit 2
fi
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v rg >/dev/null || missing+=(ripgrep)
command -v jq >/dev/null || missing+=(jq)
[ -x /usr/bin/time ] && /usr/bin/time -v "$BASH" -c : >/dev/null 2>&1 || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
    echo "error: missing tools: ${missing[*]} (apt-get install -y ${missing[*]})" >&2
    exit 2
fi
[ -x "$BIN" ] || { echo "error: $BIN not found; run cargo build --release or set BIN" >&2; exit 2; }
mkdir -p "$OUT"

load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" 'BEGIN{exit !(l > 0.5)}'; then
    echo "warning: load average is $load; figures are only meaningful on an idle machine" >&2
fi

rows=()
over=0
for dir in "$@"; do
    dir="${dir%/}"
    [ -d "$dir" ] || { echo "error: $dir is not a folder" >&2; exit 2; }
    name="$(basename "$dir")"
    commit=""
    [ -f "$dir/.commit" ] && commit="@$(head -c 10 "$dir/.commit")"
    files=$(rg --files "$dir" | wc -l)
    echo "==> $name$commit ($files files)" >&2
    json="$OUT/$name.json"
    # -N: no intermediate shell, both commands are measured as they are.
    hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --style none --export-json "$json" \
        -n rg "rg --files $dir" \
        -n seaworthy "$BIN check $dir --format json --fail-on none" >/dev/null
    rg_ms=$(jq '.results[0].mean * 1000' "$json")
    sw_ms=$(jq '.results[1].mean * 1000' "$json")
    rss_kb=0
    for _ in 1 2 3; do
        /usr/bin/time -v "$BIN" check "$dir" --format json --fail-on none >/dev/null 2>"$OUT/time.txt"
        kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$OUT/time.txt")
        [ "$kb" -gt "$rss_kb" ] && rss_kb=$kb
    done
    ratio=$(awk -v a="$sw_ms" -v b="$rg_ms" 'BEGIN{printf "%.2f", a/b}')
    flag=""
    if awk -v r="$ratio" -v m="$MAX_RATIO" 'BEGIN{exit !(r > m)}'; then flag=" !"; over=1; fi
    rows+=("$(printf '| %s%s | %d | %.1f | %.1f | %s%s | %.1f |' \
        "$name" "$commit" "$files" "$rg_ms" "$sw_ms" "$ratio" "$flag" "$(awk -v k="$rss_kb" 'BEGIN{print k/1024}')")")
done

{
    echo "| repo | files (rg) | rg ms | seaworthy ms | ratio | RSS MB |"
    echo "|---|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
} | tee "$OUT/results.md"
if [ "$over" -eq 1 ]; then
    echo "ratio above $MAX_RATIO on rows marked !" >&2
    exit 1
fi
