#!/usr/bin/env bash
# Fuzz the C API's entry points that take outside bytes (tests/c/fuzz_api.c)
# with libFuzzer + ASan for a smoke period: clang and its runtime come from
# Debian (clang, libclang-rt-14-dev). The library is the release libjwtauth.a.
#   bash tests/c/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=target/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}release
build=target/c-fuzz
mkdir -p "$build/corpus"
[ -f "$out/libjwtauth.a" ] || make -s -C ffi-c lib
clang -g -O1 -fsanitize=fuzzer,address -Iinclude tests/c/fuzz_api.c -o "$build/fuzz_api" \
  "$out/libjwtauth.a" -lpthread -ldl -lm
"$build/fuzz_api" -max_total_time="${1:-12}" "$build/corpus" tests/c/fuzz_seeds 2>&1 | tail -n 1
