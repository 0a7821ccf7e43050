#!/usr/bin/env bash
# Runs every test suite of the project. Called by .ci/run and by developers:
#   bash tests/run_all.sh
# Later issues add the C, Python and Node suites here. The last line is the
# total over all suites: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== Rust: unit, integration, vector, Wycheproof, property and doc tests =="
status=0
cargo test --workspace --locked --release 2>&1 | tee "$log" || status=$?

read -r passed failed < <(awk '/^test result:/ {
    for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i }
  } END { print p + 0, f + 0 }' "$log")
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then failed=1; fi
echo
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
