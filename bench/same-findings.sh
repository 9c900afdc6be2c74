#!/usr/bin/env bash
# Check that two seaworthy binaries report byte-identical JSON.
#
#   bench/same-findings.sh OLD_BIN NEW_BIN DIR...
#
# Prints "same" per folder, or a diff of the two reports (pretty-printed with
# jq when available, so the diff names the findings). Exits 1 when any folder
# differs, 2 on usage errors.
set -uo pipefail

if [ $# -lt 3 ]; then
    echo "usage: $0 OLD_BIN NEW_BIN DIR..." >&2
    exit 2
fi
old="$1"; new="$2"; shift 2
for bin in "$old" "$new"; do
    [ -x "$bin" ] || { echo "error: $bin is not executable" >&2; exit 2; }
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

differ=0
for dir in "$@"; do
    dir="${dir%/}"
    name="$(basename "$dir")"
    "$old" check "$dir" --format json --fail-on none >"$tmp/old.json" 2>"$tmp/old.err"; orc=$?
    "$new" check "$dir" --format json --fail-on none >"$tmp/new.json" 2>"$tmp/new.err"; nrc=$?
    if [ "$orc" -eq "$nrc" ] && cmp -s "$tmp/old.json" "$tmp/new.json"; then
        echo "$name: same"
        continue
    fi
    differ=1
    echo "$name: DIFFERENT (exit $orc -> $nrc)"
    if command -v jq >/dev/null && jq -e . "$tmp/old.json" >/dev/null 2>&1 && jq -e . "$tmp/new.json" >/dev/null 2>&1; then
        # One finding a line, so the diff names whole findings; then the rest
        # of the report (apps, errors, scores) pretty-printed.
        jq -c '.findings[]?' "$tmp/old.json" >"$tmp/old.lines"
        jq -c '.findings[]?' "$tmp/new.json" >"$tmp/new.lines"
        diff "$tmp/old.lines" "$tmp/new.lines" | sed 's/^/    /'
        diff <(jq -S 'del(.findings)' "$tmp/old.json") <(jq -S 'del(.findings)' "$tmp/new.json") | sed 's/^/    /'
        if cmp -s "$tmp/old.lines" "$tmp/new.lines" && [ "$(jq -S 'del(.findings)' "$tmp/old.json")" = "$(jq -S 'del(.findings)' "$tmp/new.json")" ]; then
            echo "    (same content, different bytes: key order or formatting)"
            diff "$tmp/old.json" "$tmp/new.json" | head -40 | sed 's/^/    /'
        fi
    else
        diff "$tmp/old.json" "$tmp/new.json" | head -200 | sed 's/^/    /'
        sed 's/^/    old stderr: /' "$tmp/old.err"; sed 's/^/    new stderr: /' "$tmp/new.err"
    fi
done
exit "$differ"
