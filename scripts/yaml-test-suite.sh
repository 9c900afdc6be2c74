#!/usr/bin/env bash
# Measures seaworthy's YAML reader against the official YAML test suite and
# prints the pass rate: valid inputs parsed, invalid inputs rejected, and how
# many valid inputs give the values the suite's in.json gives. The yaml-rust2
# loader and parser alone (what seaworthy used before it forgave what
# Compose forgives) are measured on the same cases.
#
#   scripts/yaml-test-suite.sh SUITE [--verbose]
#
# SUITE is a checkout of the `data` branch of the yaml/yaml-test-suite
# repository (one folder per case: in.yaml, `error` when invalid, in.json).
# Nothing is fetched here and the suite is not part of this repository.
# --verbose names each case seaworthy's reader gets wrong.
set -euo pipefail
if [[ $# -lt 1 || ! -d $1 ]]; then
    echo "usage: $0 SUITE [--verbose]   (SUITE: a checkout of yaml-test-suite's data branch)" >&2
    exit 2
fi
suite=$(cd "$1" && pwd)
[[ ${2:-} == --verbose ]] && export VERBOSE=1
cd "$(dirname "$0")/.."
YAML_TEST_SUITE=$suite cargo test --quiet --test parsers -- --ignored --exact yaml_test_suite --nocapture 2>&1 |
    grep -v -E '^(running [0-9]+ tests?|test result:.*|)$'
