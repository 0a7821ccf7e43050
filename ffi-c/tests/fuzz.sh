#!/usr/bin/env bash
# Fuzz the C API's entry points that take outside bytes (ffi-c/tests/fuzz_api.c)
# with libFuzzer + ASan for a smoke period: clang and its runtime come from
# Debian (clang, libclang-rt-14-dev). The library is the release libjwtauth.a.
#   bash ffi-c/tests/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=target/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}release
build=target/c-fuzz
mkdir -p "$build/corpus"
[ -f "$out/libjwtauth.a" ] || make -s -C ffi-c lib
clang -g -O1 -fsanitize=fuzzer,address -Iinclude ffi-c/tests/fuzz_api.c -o "$build/fuzz_api" \
  "$out/libjwtauth.a" -lpthread -ldl -lm
"$build/fuzz_api" -max_total_time="${1:-12}" "$build/corpus" ffi-c/tests/fuzz_seeds 2>&1 | tail -n 1
