"""n HS256 verifications through the Python package (client from a
registry, fixed clock), for callgrind: `bench/run.sh` runs it with n = 2000
and n = 6000 and divides the difference by 4000 (start-up, imports and
signing the pool cancel out) — the instructions one call costs through
Python, to compare with the Rust core's count on the same work.

    python bindings-python/benches/hop.py <n>
"""

import sys

import jwtauth

SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
ISSUER = "https://as.example.com"
n = int(sys.argv[1])
clock = jwtauth.FixedClock(1_800_000_000)
key = jwtauth.SigningKey.from_secret(SECRET, "HS256")
registry = jwtauth.Registry.from_json(
    {"clients": [{"client_id": "client-1", "token_endpoint_auth_method": "client_secret_jwt", "client_secret": SECRET}]}
)
pool = [jwtauth.sign(key, "client-1", ISSUER, clock=clock).assertion for _ in range(6000)]
verifier = jwtauth.Verifier(ISSUER, clock=clock)
for a in pool[:n]:
    verifier.verify(a, registry)
