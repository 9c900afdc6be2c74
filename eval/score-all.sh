#!/bin/bash
# Score every labelled seed set and every judged catalog group with one binary.
#
#   eval/score-all.sh BIN [OUTDIR] [--root /work/eval-checkouts]
#
# Checkouts come from `eval/checkouts.py restore all` (ROOT/SET/owner__name).
# Prints one summary line per set (seed: the "all rules" precision/recall
# line; catalog: the ALL line) and, with OUTDIR, keeps each full score there
# as SET.txt, so two binaries can be compared with `diff -r`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "$1")
out=${2:-}
root=${ROOT:-/work/eval-checkouts}
[[ -n "$out" ]] && mkdir -p "$out"
python3 "$here/checkouts.py" list | while IFS=$'\t' read -r set n; do
  dir="$root/$set"
  if [[ ! -d "$dir" ]]; then
    echo "$set: no checkouts in $dir (run eval/checkouts.py restore $set)"
    continue
  fi
  if [[ -f "$here/seed-rules/$set.json" ]]; then
    report=$(python3 "$here/seed-rules/score.py" --checkouts "$dir" --seaworthy "$bin" \
      --labels "$here/seed-rules/$set.json" 2>&1) || true
    line=$(grep -E '^all six' <<<"$report" | head -1)
  else
    report=$(python3 "$here/catalog/score.py" "$dir" --seaworthy "$bin" --group "$set" 2>&1) || true
    line=$(grep -E '^ALL' <<<"$report" | head -1)
  fi
  [[ -n "$out" ]] && printf '%s\n' "$report" >"$out/$set.txt"
  printf '%-12s %3s repos  %s\n' "$set" "$n" "${line:-$(tail -1 <<<"$report")}"
done
