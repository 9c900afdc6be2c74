#!/usr/bin/env bash
# Fuzzes seaworthy: every cargo-fuzz target in fuzz/, one at a time, for a
# fixed time each, then prints executions per target. Exits non-zero when any
# target crashed (panic, failed invariant, timeout, out-of-memory) or failed
# to build. Not part of CI (CI runs only the test suite).
#
#   scripts/fuzz.sh                 all targets, 60 s each
#   scripts/fuzz.sh shell code      only these targets
#   scripts/fuzz.sh --replay        run each saved fuzz/regressions/<target>/*
#                                   input once; fails while any still crashes
#   scripts/fuzz.sh --stress        generate large inputs (fuzz/stress.py: files
#                                   of FUZZ_STRESS_KIB, default 1024, built for
#                                   super-linear paths, deep nesting, YAML
#                                   aliases) and run each once with the limits
#
# Environment:
#   FUZZ_SECONDS=60      time per target
#   FUZZ_TIMEOUT=10      seconds before one input counts as a hang
#   FUZZ_RSS_MB=2048     memory limit (RSS and single malloc) per target
#   FUZZ_MAX_LEN=        libFuzzer -max_len (default: 8192; 16384 for audit_tree)
#   FUZZ_SANITIZER=address   or `none` (faster; the code is safe Rust, so
#                        ASan mostly watches the dependencies' unsafe code)
#   FUZZ_KEEP_GOING=1    fork mode: keep fuzzing after a crash, to find more
#                        than the first one per target
#   FUZZ_RANGE_ONLY=1    location checks only test 1 ≤ line ≤ lines, not that
#                        the line spells the token (to fuzz past a known
#                        line-drift bug until it is fixed)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). libFuzzer wants nightly
# flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
export RUSTC_BOOTSTRAP=1

seconds=${FUZZ_SECONDS:-60}
timeout=${FUZZ_TIMEOUT:-10}
rss=${FUZZ_RSS_MB:-2048}
sanitizer=${FUZZ_SANITIZER:-address}
replay=
targets=()
for arg in "$@"; do
    case "$arg" in
        --replay) replay=regressions ;;
        --stress) replay=stress ;;
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
        *) targets+=("$arg") ;;
    esac
done

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: cargo-fuzz is not installed (cargo install cargo-fuzz)" >&2
    exit 2
fi
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi

build_flags=(--debug-assertions --sanitizer "$sanitizer")
echo "== building ${#targets[@]} targets (sanitizer: $sanitizer)"
if ! cargo fuzz build "${build_flags[@]}" >/dev/null; then
    echo "fuzz.sh: build failed" >&2
    exit 2
fi

# Targets that write files (config, audit_tree) use $TMPDIR; give them a
# folder of their own, removed at the end.
base=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
scratch=$(mktemp -d "$base/seaworthy-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT

triple=$(rustc -vV | sed -n 's/^host: //p')
bin_dir=fuzz/target/$triple/release

if [ -n "$replay" ]; then
    if [ "$replay" = stress ]; then
        rm -rf fuzz/stress
        python3 fuzz/stress.py "${FUZZ_STRESS_KIB:-1024}" || exit 2
    fi
    failed=0
    for t in "${targets[@]}"; do
        dir=fuzz/$replay/$t
        [ -d "$dir" ] || continue
        for input in "$dir"/*; do
            [ -f "$input" ] || continue
            start=$(date +%s.%N)
            TMPDIR=$scratch "$bin_dir/$t" -timeout="$timeout" -rss_limit_mb="$rss" \
                -malloc_limit_mb="$rss" "$input" >"$scratch/replay.log" 2>&1
            rc=$?
            took=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
            if [ "$rc" -eq 0 ]; then
                printf '%-16s ok     %6ss  %s\n' "$t" "$took" "$input"
            else
                printf '%-16s CRASH  %6ss  %s\n' "$t" "$took" "$input"
                grep -m2 -E -A1 "panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer|overflowed its stack" \
                    "$scratch/replay.log" | cut -c1-200 | sed 's/^/    /'
                failed=1
            fi
        done
    done
    exit $failed
fi

command -v python3 >/dev/null && python3 fuzz/seeds.py "${targets[@]}"

logs=fuzz/logs/$(date +%Y%m%d-%H%M%S)
mkdir -p "$logs"
failed=0
summary=()
for t in "${targets[@]}"; do
    max_len=${FUZZ_MAX_LEN:-8192}
    [ "$t" = audit_tree ] && max_len=${FUZZ_MAX_LEN:-16384}
    args=(-max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss"
          -malloc_limit_mb="$rss" -max_len="$max_len" -print_final_stats=1
          -report_slow_units=2)
    [ -f "fuzz/dicts/$t.dict" ] && args+=(-dict="fuzz/dicts/$t.dict")
    if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
        args+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    fi
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    log=$logs/$t.log
    echo "== $t: ${seconds}s (log: $log)"
    start=$(date +%s)
    TMPDIR=$scratch cargo fuzz run "${build_flags[@]}" "$t" "fuzz/corpus/$t" -- "${args[@]}" \
        >"$log" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))

    # Executions: libFuzzer's final stats, else the last `#N DONE`/`#N` line
    # (fork mode prints only those).
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    [ -n "$execs" ] || execs=0
    crashes=$(grep -oE '(crash|leak|timeout|oom|slow-unit)-[0-9a-f]+' "$log" | grep -v '^slow-unit' | sort -u | tr '\n' ' ')
    slow=$(grep -oE 'Slowest unit: [0-9]+ s' "$log" | tail -1)
    if [ "$rc" -ne 0 ] || [ -n "$crashes" ] || grep -qE 'ERROR: libFuzzer|panicked at|overflowed its stack' "$log"; then
        failed=1
        what=$(grep -m1 -oE 'ERROR: libFuzzer: [a-z-]+( signal)?|overflowed its stack|out-of-memory' "$log")
        panic=$(grep -m1 -E 'panicked at' -A1 "$log" | tr '\n' ' ' | cut -c1-160)
        result="CRASH ${what:-rc=$rc} ${crashes}${panic:+— $panic}"
    else
        result="ok"
    fi
    [ -n "$slow" ] && result="$result ($slow)"
    summary+=("$(printf '%-16s %5ss %12s execs  %s' "$t" "$took" "$execs" "$result")")
    echo "   ${summary[-1]}"
done

echo
echo "== summary (${seconds}s per target, sanitizer: $sanitizer; logs in $logs)"
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
    echo "fuzz.sh: crashes found; inputs are under fuzz/artifacts/<target>/" >&2
fi
exit $failed
