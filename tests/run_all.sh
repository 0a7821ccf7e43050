#!/usr/bin/env bash
# Runs every test suite of the project. Called by .ci/run and by developers:
#   bash tests/run_all.sh
# Later issues add the C, Python and Node suites here.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Rust: unit, integration, vector, Wycheproof, property and doc tests =="
cargo test --workspace --locked --release
