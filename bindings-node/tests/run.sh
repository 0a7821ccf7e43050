#!/usr/bin/env bash
# The Node suite: build the addon (napi-rs) into bindings-node/, run the
# node:test suite (bindings-node/tests/; `npm test` there runs the same).
# The last line is "Node: N passed, M failed".
#   bash bindings-node/tests/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# `napi build` always passes --target for the host; giving every cargo call
# the same triple lets them share one build of aws-lc (CONTRIBUTING.md).
export CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}

# The command line's binary, for tests/serve.test.mjs (jwtauth serve with openid-client).
(cd "$root" && cargo build --release --locked --quiet -p jwtauth-cli)
export JWTAUTH_BIN="$root/target/$CARGO_BUILD_TARGET/release/jwtauth"

cd "$root/bindings-node"
npm install --no-audit --no-fund --loglevel=error
npm run --silent build

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
node --test --test-timeout=300000 --test-reporter=tap tests/ > "$log" 2>&1 || status=1
# The shipped index.d.ts, as a TypeScript user compiles against it (one more check).
types=0
if npx tsc --strict --noEmit --module nodenext --moduleResolution nodenext --target es2022 --types node tests/types.ts; then
  echo "index.d.ts: tests/types.ts compiles (tsc --strict)"
else
  types=1; status=1
fi
grep -E '^not ok|^    not ok|^        not ok' -A12 "$log" || true
grep -E '^# (tests|pass|fail|cancelled|duration_ms)' "$log"
grep -E '^# [a-z].* ms' "$log" | grep -v duration_ms || true
passed=$(( $(sed -n 's/^# pass //p' "$log" | tail -n 1) + 1 - types ))
failed=$(( $(sed -n 's/^# fail //p' "$log" | tail -n 1) + $(sed -n 's/^# cancelled //p' "$log" | tail -n 1) + types ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "Node: ${passed:-0} passed, ${failed} failed"
exit "$status"
