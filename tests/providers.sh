#!/usr/bin/env bash
# The core under each crypto provider besides the default (docs/PROVIDERS.md):
#   - ring: the whole Rust suite of the core, shared vectors and Wycheproof
#     (what ring cannot do is checked to be refused at load);
#   - the AWS-LC FIPS 140-3 module: the same suite (with the module's own
#     service indicator checked for every algorithm), then the C library and
#     the Python wheel built with `fips` and tested as users get them.
# Everything builds in target/providers, so the default build is untouched
# and the FIPS module is compiled once. FIPS needs cmake and Go (Debian
# `cmake`, `golang-go`); without them it is skipped, unless
# JWTAUTH_REQUIRE_FIPS=1 (CI).
#   bash tests/providers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
export CARGO_TARGET_DIR=$root/target/providers
out=$CARGO_TARGET_DIR/$CARGO_BUILD_TARGET/release

echo "-- ring: cargo test -p jwtauth --no-default-features --features ring,remote-jwks,redis"
cargo test --locked --release -p jwtauth --no-default-features --features ring,remote-jwks,redis

if ! command -v cmake >/dev/null 2>&1 || ! command -v go >/dev/null 2>&1; then
  if [ "${JWTAUTH_REQUIRE_FIPS:-}" = 1 ]; then
    echo "JWTAUTH_REQUIRE_FIPS=1 but cmake or go is missing" >&2
    exit 1
  fi
  echo "SKIPPED: the FIPS build needs cmake and go (Debian: apt-get install cmake golang-go)"
  exit 0
fi

echo "-- FIPS: cargo test -p jwtauth --features fips,redis"
cargo test --locked --release -p jwtauth --features fips,redis

echo "-- FIPS: the C library (cargo build -p jwtauth-ffi --features fips), its API and vector tests"
cargo build --locked --release -p jwtauth-ffi --features fips
mkdir -p "$CARGO_TARGET_DIR/c"
python3 ffi-c/tests/flatten_vectors.py > "$CARGO_TARGET_DIR/c/vectors.rec"
for t in api vectors; do
  gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -Iinclude -Iffi-c/tests -O1 "ffi-c/tests/$t.c" \
    -o "$CARGO_TARGET_DIR/c/$t" "$out/libjwtauth.a" -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
done
JWTAUTH_EXPECT_FIPS=1 "$CARGO_TARGET_DIR/c/api" | tail -n 1
"$CARGO_TARGET_DIR/c/vectors" "$CARGO_TARGET_DIR/c/vectors.rec" | tail -n 1

echo "-- FIPS: the wheel (maturin build --features fips) and the Python API and vector tests on it"
venv=$root/target/py-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r bindings-python/tests/requirements.txt
rm -rf "$CARGO_TARGET_DIR/wheels" "$CARGO_TARGET_DIR/fips-site"
(cd bindings-python && "$venv/bin/maturin" build --release --locked --features fips --out "$CARGO_TARGET_DIR/wheels" 2>&1 | tail -n 1)
# Unpacked ahead of the installed default wheel on the path: the venv keeps the default one.
"$venv/bin/python" -m zipfile -e "$CARGO_TARGET_DIR"/wheels/jwtauth-*.whl "$CARGO_TARGET_DIR/fips-site"
out=$(JWTAUTH_EXPECT_FIPS=1 PYTHONPATH="$CARGO_TARGET_DIR/fips-site" "$venv/bin/python" -m pytest -q -p no:warnings \
  -p no:cacheprovider bindings-python/tests/test_api.py bindings-python/tests/test_vectors.py 2>&1) || { echo "$out" | tail -n 30; exit 1; }
# "N passed in Xs" -> the suite total's form.
echo "$out" | tail -n 1 | awk '{ p = 0; f = 0; for (i = 2; i <= NF; i++) { w = $i; gsub(/[,=]/, "", w)
  if (w == "passed") p = $(i-1); if (w == "failed" || w == "errors") f += $(i-1) } }
  END { print "Python (FIPS wheel): " p + 0 " passed, " f + 0 " failed" }'
JWTAUTH_EXPECT_FIPS=1 PYTHONPATH="$CARGO_TARGET_DIR/fips-site" "$venv/bin/python" -c \
  'import jwtauth; assert jwtauth.FIPS and jwtauth.__file__.startswith("'"$CARGO_TARGET_DIR"'"), jwtauth.__file__; print("jwtauth.FIPS =", jwtauth.FIPS, "from", jwtauth.__file__)'
