#!/usr/bin/env bash
# Check that the audit of a tree does not depend on the name of the folder
# it was checked out in (issue 14): each checkout is audited as it is and as
# a hard-linked copy under other names (a GitHub ZIP's `NAME-main`, and a
# name unrelated to the project), and the JSON reports must be equal apart
# from `root`.
#
#   bench/folder-name.sh BIN DIR...
#
# Prints "same" per folder or the differing findings; exits 1 when any
# folder differs. Needs python3; copies are hard links (cheap, same disk).
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BIN DIR..." >&2; exit 2; }
bin="$(realpath "$1")"; shift
tmp="$(mktemp -d -p "${TMPDIR:-/tmp}")"
trap 'rm -rf "$tmp"' EXIT
strip() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("root",None); print(json.dumps(d,sort_keys=True,indent=1))' "$1"; }
differ=0
for dir in "$@"; do
    dir="${dir%/}"; name="$(basename "$dir")"
    "$bin" check "$dir" --format json --fail-on none --no-config >"$tmp/a.json" 2>/dev/null
    strip "$tmp/a.json" >"$tmp/a.txt" || { echo "$name: no JSON"; differ=1; continue; }
    for other in "$name-main" "x"; do
        rm -rf "$tmp/copy"; mkdir -p "$tmp/copy"
        cp -al "$dir" "$tmp/copy/$other" 2>/dev/null || cp -a "$dir" "$tmp/copy/$other"
        "$bin" check "$tmp/copy/$other" --format json --fail-on none --no-config >"$tmp/b.json" 2>/dev/null
        strip "$tmp/b.json" >"$tmp/b.txt"
        if ! cmp -s "$tmp/a.txt" "$tmp/b.txt"; then
            differ=1; echo "$name: DIFFERENT as $other/"
            diff "$tmp/a.txt" "$tmp/b.txt" | head -20 | sed 's/^/    /'
            continue 2
        fi
    done
    echo "$name: same"
done
exit $differ
