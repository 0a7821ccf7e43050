#!/usr/bin/env bash
# Regenerates include/jwtauth.h from ffi-c/src with the pinned cbindgen.
#   bash ffi-c/gen-header.sh          # write the header
#   bash ffi-c/gen-header.sh --check  # fail if the committed header differs
set -euo pipefail
cd "$(dirname "$0")/.."
want=0.29.4
have=$(cbindgen --version 2>/dev/null | awk '{print $2}')
if [ "$have" != "$want" ]; then
  echo "cbindgen $want is required (found: ${have:-none}): cargo install cbindgen --version $want --locked" >&2
  exit 1
fi
# The version macros come from Cargo.toml (the test suite compares them with
# jwtauth_version() at run time).
version=$(awk -F'"' '/^version = / {print $2; exit}' Cargo.toml)
IFS=. read -r major minor patch <<<"$version"
cfg=$(mktemp)
out=$(mktemp)
trap 'rm -f "$cfg" "$out"' EXIT
sed -e "s/^#define JWTAUTH_VERSION \".*\"/#define JWTAUTH_VERSION \"$version\"/" \
    -e "s/^#define JWTAUTH_VERSION_MAJOR .*/#define JWTAUTH_VERSION_MAJOR $major/" \
    -e "s/^#define JWTAUTH_VERSION_MINOR .*/#define JWTAUTH_VERSION_MINOR $minor/" \
    -e "s/^#define JWTAUTH_VERSION_PATCH .*/#define JWTAUTH_VERSION_PATCH $patch/" \
    ffi-c/cbindgen.toml > "$cfg"
cbindgen --quiet --config "$cfg" --crate jwtauth-ffi --output "$out" ffi-c
if [ "${1:-}" = "--check" ]; then
  if ! diff -u include/jwtauth.h "$out"; then
    echo "include/jwtauth.h is out of date: run bash ffi-c/gen-header.sh" >&2
    exit 1
  fi
  echo "include/jwtauth.h is current"
else
  mkdir -p include
  cp "$out" include/jwtauth.h
  echo "wrote include/jwtauth.h"
fi
