#!/usr/bin/env bash
# The Python suite: builds the abi3 wheel with maturin, installs it into a
# virtual environment with the pinned peers (PyJWT, joserfc, jwcrypto,
# Authlib), checks the stubs with mypy.stubtest, and runs pytest.
#   bash bindings-python/tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
venv=$root/target/py-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r bindings-python/tests/requirements.txt
rm -rf "$root/target/wheels"
(cd bindings-python && "$venv/bin/maturin" build --release --locked --out "$root/target/wheels" 2>&1 | tail -n 1)
"$venv/bin/pip" install -q --force-reinstall --no-deps "$root"/target/wheels/jwtauth-*-cp39-abi3-*.whl
# The command line's binary, for test_serve.py (jwtauth serve with Authlib and MSAL).
export CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
cargo build --release --locked --quiet -p jwtauth-cli
export JWTAUTH_BIN="$root/target/$CARGO_BUILD_TARGET/release/jwtauth"
echo "-- mypy.stubtest jwtauth"
(cd /tmp && "$venv/bin/python" -m mypy.stubtest jwtauth)
echo "-- pytest bindings-python/tests"
status=0
out=$("$venv/bin/python" -m pytest -q -p no:warnings -p no:cacheprovider bindings-python/tests 2>&1) || status=$?
echo "$out" | tail -n 30
summary=$(echo "$out" | tail -n 1)
read -r passed failed < <(echo "$summary" | awk '{
  for (i = 2; i <= NF; i++) { w = $i; gsub(/[,=]/, "", w)
    if (w == "passed") p += $(i-1); if (w == "failed" || w == "error" || w == "errors") f += $(i-1) }
} END { print p + 0, f + 0 }')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "Python: $passed passed, $failed failed"
exit "$status"
