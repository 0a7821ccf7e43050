#!/usr/bin/env bash
# Runs every test suite of the project. Called by .ci/run and by developers:
#   bash tests/run_all.sh
# Suites: Rust (unit, integration, vectors, Wycheproof, property, doc tests),
# then C (ffi-c/tests/run.sh: API, shared vectors, threads, under valgrind and
# ASan+UBSan, the example), then Python (bindings-python/tests/run.sh: wheel, stubtest,
# pytest), then Node (bindings-node/tests/run.sh: the addon, node:test), then the
# core under the other crypto providers (tests/providers.sh: ring; the FIPS module,
# with the C library and the wheel built on it). The last line is the total over
# all suites: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
# One target triple for every build, so that cargo, maturin and napi share
# one build of aws-lc (napi always passes --target; TOOLCHAIN.md).
export CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
# Third-party vectors (Wycheproof JOSE, RFC 7520 cookbook) beside the
# repository, where CI puts them; the Rust suite skips them when absent.
if [ -z "${JWTAUTH_SHARED_VECTORS:-}" ] && [ -d ../shared/vectors ]; then
  export JWTAUTH_SHARED_VECTORS=$(cd ../shared/vectors && pwd)
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

echo "== Rust: unit, integration, vector, Wycheproof, property and doc tests =="
cargo test --workspace --locked --release 2>&1 | tee -a "$log" || status=1

echo
echo "== C: API, shared vectors, threads (static, shared, ASan+UBSan, valgrind), example =="
bash ffi-c/tests/run.sh 2>&1 | tee -a "$log" || status=1

echo
echo "== Python: the wheel, stubtest, shared vectors, API, interop (PyJWT, joserfc, jwcrypto, Authlib), threads =="
bash bindings-python/tests/run.sh 2>&1 | tee -a "$log" || status=1

echo
echo "== Node: the addon, shared vectors, API, interop (jose, fast-jwt, jsonwebtoken, openid-client), event loop =="
bash bindings-node/tests/run.sh 2>&1 | tee -a "$log" || status=1

echo
echo "== Crypto providers: ring, and the AWS-LC FIPS module (core, C library, wheel) =="
bash tests/providers.sh 2>&1 | tee -a "$log" || status=1

# "test result: ok. N passed; M failed" (cargo) and "<suite>: N passed, M failed" (C, Python, Node).
read -r passed failed < <(awk '
  /^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
  /^[A-Za-z+ ()]+: [0-9]+ passed, [0-9]+ failed$/ { p += $(NF-3); f += $(NF-1) }
  END { print p + 0, f + 0 }' "$log")
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then failed=1; fi
echo
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
