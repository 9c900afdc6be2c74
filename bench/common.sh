# shellcheck shell=bash
# Shared by bench/run.sh and bench/scale.sh (sourced, not run): checks the
# measuring tools and builds seaworthy. Sets BIN.

# require_tools: hyperfine, ripgrep and GNU time (for peak RSS: the shell
# keyword `time` cannot report it), plus cargo, python3 and git.
require_tools() {
    local missing=()
    command -v hyperfine >/dev/null || missing+=(hyperfine)
    command -v rg >/dev/null || missing+=(ripgrep)
    [ -x /usr/bin/time ] && /usr/bin/time -v "$BASH" -c : >/dev/null 2>&1 || missing+=(time)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "error: missing tools: ${missing[*]}" >&2
        echo "install them with: apt-get install -y ${missing[*]}" >&2
        exit 2
    fi
    local tool
    for tool in cargo python3 git; do
        command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 2; }
    done
}

# build_seaworthy ROOT: a release build; sets BIN to the binary's absolute path.
build_seaworthy() {
    local root=$1
    echo "==> building seaworthy (release)"
    (cd "$root" && cargo build --release --quiet)
    BIN="${CARGO_TARGET_DIR:-$root/target}/release/seaworthy"
    case "$BIN" in /*) ;; *) BIN="$root/$BIN" ;; esac
    [ -x "$BIN" ] || { echo "error: $BIN not found after the build" >&2; exit 2; }
}
