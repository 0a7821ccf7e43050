#!/usr/bin/env bash
# Instructions per verification through a registry (the library's whole path)
# under each crypto provider: aws-lc-rs, the AWS-LC FIPS module, ring.
# callgrind counts are exact, so the providers need not share a process.
#   bash bench/providers.sh OUT_DIR     -> OUT_DIR/providers.json
# Builds in target/providers (as tests/providers.sh); the FIPS build needs cmake and Go.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bench/providers.sh OUT_DIR}
export CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
export CARGO_TARGET_DIR=$PWD/target/providers
algs="RS256 PS256 ES256 ES384 ES512 EdDSA HS256"
n=200
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect='*::registry_loop*' "$@" 2>&1 |
  awk '/Collected/ {gsub(",", "", $4); print $4}'; }
json="{"
for provider in aws-lc-rs fips ring; do
  case $provider in
    aws-lc-rs) features=() ;;
    fips) features=(--features fips) ;;
    ring) features=(--no-default-features --features ring,remote-jwks) ;;
  esac
  bin=$(cargo bench -q --locked -p jwtauth --bench instructions "${features[@]}" --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json, sys; print([m["executable"] for m in map(json.loads, sys.stdin) if m.get("executable")][-1])')
  json+="\"$provider\": {"
  for alg in $algs; do
    # ring has no P-521: the bench cannot load an ES512 key there.
    if [ "$provider" = ring ] && [ "$alg" = ES512 ]; then json+="\"$alg\": null, "; continue; fi
    json+="\"$alg\": $(($(count "$bin" "$alg" registry "$n") / n)), "
  done
  json="${json%, }}, "
done
echo "${json%, }}" > "$out/providers.json"
cat "$out/providers.json"
