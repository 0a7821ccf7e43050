#!/usr/bin/env bash
# Instructions per verification, floor (aws-lc-rs primitive, key pre-parsed)
# vs jwtauth end to end (Verifier::verify with the in-memory replay store),
# counted by callgrind inside each loop only. Deterministic for a given binary.
#   bash core/benches/instructions.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo bench -q -p jwtauth --bench instructions --no-run 2>/dev/null
# Honours CARGO_BUILD_TARGET (which moves cargo's output under target/<triple>/).
bin=$(ls -t "target/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}release/deps/"instructions-* | grep -v '\.d$' | head -1)
n=1000
count() { # alg mode function
  valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect="$3" "$bin" "$1" "$2" "$n" 2>&1 \
    | awk '/Collected/ {gsub(",", "", $4); print $4}'
}
row() { awk -v a="$1" -v f="$2" -v j="$3" -v n="$n" \
  'BEGIN { printf "| %s | %d | %d | %.3f× | %+d |\n", a, f/n, j/n, j/f, (j-f)/n }'; }
echo "verify"
echo
echo "| alg | floor (instructions) | jwtauth (instructions) | jwtauth / floor | jwtauth − floor |"
echo "|---|---:|---:|---:|---:|"
for alg in RS256 PS256 ES256 ES384 ES512 EdDSA HS256; do
  row "$alg" "$(count "$alg" floor '*::floor_loop*')" "$(count "$alg" jwtauth '*::jwtauth_loop*')"
done
echo
echo "authenticate (Authenticator::authenticate_body: form, mechanism, registry, verify, replay)"
echo
echo "| request | floor (instructions) | jwtauth (instructions) | jwtauth / floor | jwtauth − floor |"
echo "|---|---:|---:|---:|---:|"
for alg in RS256 ES256; do
  row "private_key_jwt $alg" "$(count "$alg" floor '*::floor_loop*')" "$(count "$alg" authenticate '*::authenticate_loop*')"
done
basic=$(count HS256 basic '*::basic_loop*')
awk -v j="$basic" -v n="$n" 'BEGIN { printf "| client_secret_basic | — | %d | — | — |\n", j/n }'
# RSA signing is blinded (its instruction count varies run to run): ECDSA, EdDSA, HMAC only.
echo
echo "sign"
echo
echo "| alg | floor (instructions) | jwtauth (instructions) | jwtauth / floor | jwtauth − floor |"
echo "|---|---:|---:|---:|---:|"
for alg in ES256 ES384 ES512 EdDSA HS256; do
  row "$alg" "$(count "$alg" sign-floor '*sign_floor_loop*')" "$(count "$alg" sign '*sign_jwtauth_loop*')"
done
