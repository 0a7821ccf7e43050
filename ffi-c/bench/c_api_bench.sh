#!/usr/bin/env bash
# Build ffi-c/bench/c_api_bench.c against libjwtauth.a (static link) and
# libjwtauth.so, and run both: the C API against the core in the same binary.
# Uses the library with the benchmark hook when built (make -C ffi-c
# bench-lib), else the shipped one (the C API timed alone). RUNS=k runs each
# binary k times: on a noisy machine the median of one process moves by a
# few percent from process to process (code and data placement), more than
# within one.
#   bash ffi-c/bench/c_api_bench.sh [rounds] [alg ...]
#   RUNS=6 bash ffi-c/bench/c_api_bench.sh 0 HS256
set -euo pipefail
cd "$(dirname "$0")/../.."
triple=${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}
lib=target/bench-hooks/${triple}release
[ -e "$lib/libjwtauth.a" ] || lib=target/${triple}release
[ -e "$lib/libjwtauth.a" ] || { echo "build the library first: make -C ffi-c bench-lib (or make -C ffi-c)"; exit 2; }
out=target/c-bench
mkdir -p "$out"
cflags=(-std=c11 -O2 -Wall -Wextra -Wpedantic -Werror -Iinclude)
gcc "${cflags[@]}" ffi-c/bench/c_api_bench.c -o "$out/c_api_bench-static" \
  "$lib/libjwtauth.a" -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
gcc "${cflags[@]}" ffi-c/bench/c_api_bench.c -o "$out/c_api_bench-shared" \
  -L"$lib" -ljwtauth -Wl,-rpath,"$PWD/$lib"
for mode in static shared; do
  echo "== $lib/libjwtauth.$([ $mode = static ] && echo a || echo so) ($mode link)"
  "$out/c_api_bench-$mode" "$@"
  for _ in $(seq 2 "${RUNS:-1}"); do "$out/c_api_bench-$mode" "$@" | grep '^| [A-Z]'; done
  echo
done
