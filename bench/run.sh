#!/usr/bin/env bash
# Regenerates docs/PERFORMANCE.md and its two charts (docs/perf-peers.svg,
# docs/perf-scaling.svg) from one run on this machine, a few minutes on 2
# cores:
#   bash bench/run.sh
# Needs what the test suites need (bindings-python/tests/run.sh and bindings-node/tests/run.sh
# build the wheel and the addon and install the peers), valgrind and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
out=target/bench
mkdir -p "$out"
rel=target/$CARGO_BUILD_TARGET/release
start=$(date +%s)
step() { echo "-- [$(date +%T)] $*" >&2; }

step "build (release): benches, libjwtauth, the C benchmark, the wheel and the addon"
cargo bench -q --locked -p jwtauth --bench verify --bench scaling --bench instructions --no-run 2>/dev/null
bin() { ls -t "$rel/deps/$1"-* | grep -v '\.d$' | head -1; }
make -s -C ffi-c all
gcc -std=c11 -O2 -Wall -Wextra -Wpedantic -Werror -Iinclude ffi-c/benches/bench.c -o "$out/c-bench" \
  -L"$rel" -ljwtauth -Wl,-rpath,"$PWD/$rel"
[ -x target/py-venv/bin/python ] && target/py-venv/bin/python -c 'import jwtauth, jwt, joserfc, jwcrypto' 2>/dev/null \
  || bash bindings-python/tests/run.sh >/dev/null
[ -f bindings-node/jwtauth.linux-x64-gnu.node ] && [ -d bindings-node/node_modules/jose ] \
  || (cd bindings-node && npm install --no-audit --no-fund --loglevel=error && npm run --silent build)
py=target/py-venv/bin/python

step "Rust: verify and sign vs the aws-lc-rs floor and the jsonwebtoken crate"
"$(bin verify)" > "$out/rust.json"
step "Python: vs PyJWT, joserfc, jwcrypto, Authlib"
"$py" bindings-python/benches/bench.py --json > "$out/python.json"
step "Node: vs fast-jwt, jose, jsonwebtoken"
ROUNDS=11 node bindings-node/benches/bench.mjs --json > "$out/node.json"
step "C: through the C API"
"$out/c-bench" time > "$out/c.json"

step "how the cost grows: registry size (a process per size), clients, live jtis, threads"
for n in 10 10000 1000000; do "$(bin scaling)" registry "$n"; done | paste -sd, | sed 's/^/[/; s/$/]/' > "$out/registry.json"
"$(bin scaling)" verify > "$out/scaling.json"

step "instructions (callgrind): the Rust core, the C layer, the Python and Node hops (HS256, client from a registry)"
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 | awk '/Collected/ {gsub(",", "", $4); print $4}'; }
core=$(count --toggle-collect='*::registry_loop*' "$(bin instructions)" HS256 registry 1000)
c=$(count --toggle-collect=verify_loop "$out/c-bench" count HS256 1000)
py2=$(count "$py" bindings-python/benches/hop.py 2000); py6=$(count "$py" bindings-python/benches/hop.py 6000)
node2=$(count node bindings-node/benches/hop.mjs 2000); node6=$(count node bindings-node/benches/hop.mjs 6000)
floor=$(count --toggle-collect='*::floor_loop*' "$(bin instructions)" HS256 floor 1000)
# Mutual TLS: the certificate's work per request beside a public client's request and an ES256 assertion's.
ins() { count --toggle-collect="*::$1*" "$(bin instructions)" ES256 "$2" "$3"; }
public=$(ins public_loop public 1000); dn=$(ins tls_loop mtls-dn 1000); chain=$(ins tls_loop mtls-chain 300)
selfsigned=$(ins tls_loop mtls-self-signed 1000); es256=$(ins authenticate_loop authenticate 300)
grant=$(ins grant_request_loop grant-request 300)
cat > "$out/instructions.json" <<JSON
{"floor": $((floor / 1000)), "core": $((core / 1000)), "c": $((c / 1000)),
 "python": $(((py6 - py2) / 4000)), "node": $(((node6 - node2) / 4000)),
 "mtls": {"public": $((public / 1000)), "dn": $((dn / 1000)), "chain": $((chain / 300)),
          "self_signed": $((selfsigned / 1000)), "es256": $((es256 / 300)),
          "grant": $((grant / 300))}}
JSON

step "jwtauth serve under load (wrk on the loopback) beside the library's own rate"
command -v wrk >/dev/null 2>&1 || { apt-get update -qq; apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
cargo bench -q --locked -p jwtauth-cli --bench load > "$out/load.json"

step "instructions per verification under each crypto provider (bench/providers.sh)"
bash bench/providers.sh "$out"

step "report: docs/PERFORMANCE.md, docs/perf-peers.svg, docs/perf-scaling.svg"
BENCH_MINUTES=$(( ($(date +%s) - start + 59) / 60 )) "$py" bench/report.py "$out"
