#!/usr/bin/env bash
# The C suite: builds libjwtauth (release), checks that include/jwtauth.h is
# current, compiles the tests with -Wall -Wextra -Wpedantic -Werror against
# the static and the shared library (and the header as C++), runs them,
# then runs them again under valgrind (0 errors, 0 leaks) and built with
# ASan+UBSan; installs the library with its pkg-config file and builds the
# example against the installed copy.
#   bash ffi-c/tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=$root/target/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}release
build=$root/target/c-tests
mkdir -p "$build"

echo "-- build libjwtauth.so / libjwtauth.a and jwtauth.pc"
make -s -C ffi-c all
if command -v cbindgen >/dev/null 2>&1; then
  bash ffi-c/gen-header.sh --check
else
  echo "cbindgen not installed here: header drift check skipped (CI runs it)"
fi
python3 ffi-c/tests/flatten_vectors.py > "$build/vectors.rec"

cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -Iinclude -Iffi-c/tests -g)
static_libs=("$out/libjwtauth.a" -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc)
for t in api vectors threads; do
  gcc "${cflags[@]}" -O2 "ffi-c/tests/$t.c" -o "$build/$t-static" "${static_libs[@]}"
  gcc "${cflags[@]}" -O2 "ffi-c/tests/$t.c" -o "$build/$t-shared" -L"$out" -ljwtauth -Wl,-rpath,"$out" -lpthread
  gcc "${cflags[@]}" -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
    "ffi-c/tests/$t.c" -o "$build/$t-asan" "${static_libs[@]}"
done
g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -Iinclude ffi-c/tests/header_cpp.cc -o "$build/header-cpp" "${static_libs[@]}"
gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude -fsyntax-only -x c include/jwtauth.h

args() { if [ "$1" = vectors ]; then echo "$build/vectors.rec"; fi; }
status=0
run() { # label command...
  echo "-- $1"
  shift
  "$@" || status=1
}
for t in api vectors threads; do
  run "$t (static)" "$build/$t-static" $(args $t)
  run "$t (shared)" "$build/$t-shared" $(args $t)
  run "$t (ASan+UBSan)" env ASAN_OPTIONS=detect_leaks=1 "$build/$t-asan" $(args $t)
  run "$t (valgrind)" valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    "$build/$t-shared" $(args $t)
done
run "header as C++" "$build/header-cpp"

# The C guide's programs (ffi-c/README.md), as written: compiled with the
# suite's warnings, run against the shared library and under valgrind.
python3 - "$build" <<'PY'
import re, sys
text = open("ffi-c/README.md", encoding="utf-8").read()
blocks = re.findall(r"^```c\n(.*?)^```", text, re.S | re.M)
assert len(blocks) >= 2, "the C guide has no programs"
for i, code in enumerate(blocks, 1):
    open(f"{sys.argv[1]}/guide{i}.c", "w", encoding="utf-8").write(code)
print(len(blocks))
PY
for src in "$build"/guide*.c; do
  name=$(basename "$src" .c)
  gcc "${cflags[@]}" -O2 "$src" -o "$build/$name" -L"$out" -ljwtauth -Wl,-rpath,"$out" -lpthread
  run "guide program $name" "$build/$name"
  run "guide program $name (valgrind)" valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect "$build/$name"
done

echo "-- install (PREFIX=$build/prefix) and build the example with pkg-config"
rm -rf "$build/prefix"
make -s -C ffi-c install PREFIX="$build/prefix"
export PKG_CONFIG_PATH="$build/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
gcc -std=c11 -Wall -Wextra -Wpedantic -Werror ffi-c/examples/token_endpoint.c -o "$build/token_endpoint" \
  $(pkg-config --cflags --libs jwtauth) -Wl,-rpath,"$build/prefix/lib"
readelf -d "$build/prefix/lib/libjwtauth.so" | grep -q 'SONAME.*libjwtauth\.so\.0\.' || { echo "SONAME missing"; status=1; }
ok=$("$build/token_endpoint" ffi-c/examples/clients.json < ffi-c/examples/request-ok.txt)
bad=$("$build/token_endpoint" ffi-c/examples/clients.json < ffi-c/examples/request-bad.txt 2>/dev/null || true)
if [[ "$ok" == "authenticated client reporting-service (client_secret_basic)" && "$bad" == *"HTTP/1.1 401"* \
      && "$bad" == *'WWW-Authenticate: Basic realm="https://as.example.com"'* && "$bad" == *'"invalid_client"'* ]]; then
  echo "example: 1 passed, 0 failed"
else
  echo "example: 0 passed, 1 failed"; echo "$ok"; echo "$bad"; status=1
fi
exit $status
