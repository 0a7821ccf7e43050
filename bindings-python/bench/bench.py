#!/usr/bin/env python3
"""Verify and sign per algorithm: the Rust core (looped in Rust), the jwtauth
Python binding, and the Python peers PyJWT, joserfc, jwcrypto and Authlib,
all in one run on the same tokens, interleaved round by round. Prints
markdown tables (µs per operation, medians of 15 rounds; the peer ratio is
the median of per-round ratios) for the README. What the binding adds is
measured apart, as the median difference over thousands of adjacent pairs
of single operations (core timed inside Rust, binding timed from Python).

    bash tests/python/run.sh            # builds and installs the wheel
    target/py-venv/bin/python bindings-python/bench/bench.py

Peers verify with a pre-parsed key object and check the audience where their
API does it in the same call; jwtauth additionally runs every docs/SECURITY.md
rule and records the jti in its replay store, so it does more work.
"""

import statistics
import sys
import time
import warnings

import jwt as pyjwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc import jwk as jose_jwk
from joserfc import jwt as jose_jwt
from jwcrypto import jwk as jc_jwk
from jwcrypto import jwt as jc_jwt

import jwtauth
from jwtauth import _native

warnings.filterwarnings("ignore")
try:
    from authlib.jose import JsonWebToken
except ImportError:  # pragma: no cover
    JsonWebToken = None

ISSUER = "https://as.example.com"
SECRET = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
ROUNDS = 15
KEYGEN = {
    "RS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "EdDSA": ed25519.Ed25519PrivateKey.generate,
    "HS256": None,
}
POOL = {"RS256": 400, "ES256": 200, "EdDSA": 300, "HS256": 4000}


def interleaved(fns, n, rounds=ROUNDS):
    """Every contender once per round, the order rotated each round, so a
    change of the machine's pace hits all of them alike; µs per operation,
    one list per contender. A contender that returns a float has timed
    itself (the Rust core loops: their argument conversion is not counted)."""
    names = list(fns)
    samples = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            t = time.perf_counter()
            inner = fns[name]()
            took = time.perf_counter() - t
            samples[name].append((inner if isinstance(inner, float) else took) / n * 1e6)
    return samples


def timer_floor():
    """What two back-to-back perf_counter() calls measure (subtracted from
    single-operation timings)."""
    xs = []
    for _ in range(20001):
        t = time.perf_counter()
        xs.append(time.perf_counter() - t)
    return statistics.median(xs)


def binding_cost(core_once, ours_once, budget=2.0):
    """What the binding adds to one operation: the median over many
    adjacent pairs of (binding − core), one operation each, alternating
    which goes first. Adjacent operations share the machine's pace, so this
    stays accurate where a whole round's time drifts by more than the cost
    (RSA signing: ≈ 0.9 ms ± 5 %). `core_once(i)` returns the core's own
    timing of operation i in seconds; `ours_once(i)` returns a function and
    its arguments, whose call is timed here.

    Also returned: what a bare native call around the same core operation
    costs (the time of the `core_once` call from Python minus the core's own
    timing: argument parsing, GIL release and re-entry, a float returned).
    No extension function can cost less; after a millisecond of RSA work
    it grows, because the interpreter's code and data have left the caches.
    µs, µs, and the number of pairs."""
    floor = timer_floor()
    diffs, bare = [], []
    deadline = time.perf_counter() + budget
    i = 0
    while time.perf_counter() < deadline or i < 200:
        fn, args = ours_once(i)
        if i % 2:
            t = time.perf_counter()
            core = core_once(i)
            outer = time.perf_counter() - t - floor
            t = time.perf_counter()
            fn(*args)
            ours = time.perf_counter() - t - floor
        else:
            t = time.perf_counter()
            fn(*args)
            ours = time.perf_counter() - t - floor
            t = time.perf_counter()
            core = core_once(i)
            outer = time.perf_counter() - t - floor
        diffs.append((ours - core) * 1e6)
        bare.append((outer - core) * 1e6)
        i += 1
    return statistics.median(diffs), statistics.median(bare), len(diffs)


def summarise(samples, peers):
    """Medians, and the fastest peer's ratio to the binding as the median
    of its per-round values."""
    med = {name: statistics.median(xs) for name, xs in samples.items()}
    rounds = range(len(samples["core"]))
    ratio = statistics.median(min(samples[p][i] for p in peers) / samples["ours"][i] for i in rounds)
    return med, ratio


def setup(alg):
    if alg == "HS256":
        key = jwtauth.SigningKey.from_secret(SECRET, "HS256")
        client = {"client_id": "c1", "token_endpoint_auth_method": "client_secret_jwt", "client_secret": SECRET.decode()}
        return key, client, SECRET, SECRET, jose_jwk.OctKey.import_key(SECRET), jc_jwk.JWK(kty="oct", k=pyjwt.utils.base64url_encode(SECRET).decode())
    priv = KEYGEN[alg]()
    pem = priv.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    pub_pem = priv.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    key = jwtauth.SigningKey.from_pem(pem, alg=alg, kid="k1")
    client = {"client_id": "c1", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [key.public_jwk()]}}
    return key, client, priv, priv.public_key(), jose_jwk.import_key(pem), jc_jwk.JWK.from_pem(pem)


def main():
    verify_rows, sign_rows = [], []
    for alg in KEYGEN:
        n = POOL[alg]
        key, client, priv, pub, jose_key, jc_key = setup(alg)
        reg = jwtauth.Registry.from_json({"clients": [client]})
        pool = [jwtauth.sign(key, "c1", ISSUER).assertion for _ in range(n)]
        fresh = lambda: jwtauth.Verifier(ISSUER)  # noqa: E731 (a replay store per pass)


        def ours():
            v = fresh()
            for a in pool:
                v.verify(a, reg)

        def pyjwt_verify():
            for a in pool:
                pyjwt.decode(a, pub, algorithms=[alg], audience=ISSUER)

        def joserfc_verify():
            for a in pool:
                jose_jwt.decode(a, jose_key, algorithms=[alg])

        def jwcrypto_verify():
            for a in pool:
                jc_jwt.JWT(jwt=a, key=jc_key, algs=[alg])

        peers = {"PyJWT": pyjwt_verify, "joserfc": joserfc_verify, "jwcrypto": jwcrypto_verify}
        if JsonWebToken is not None:
            aj = JsonWebToken([alg])
            peers["Authlib"] = lambda: [aj.decode(a, pub if alg != "HS256" else SECRET) for a in pool]
        verify = interleaved({"core": lambda: _native._bench_core_verify(fresh(), reg, pool), "ours": ours, **peers}, n)
        # The binding's cost, one verification at a time: each side has its
        # own verifier (replay store) and both verify the same assertion.
        # A new pair of verifiers each time the pool comes round again.
        sides = {}

        def side(name, i):
            if i % n == 0 and (name, i) not in sides:
                sides[name] = fresh()
                sides[name, i] = True
            return sides[name]

        def core_verify_once(i):
            return _native._bench_core_verify(side("core", i), reg, [pool[i % n]])

        def ours_verify_once(i):
            return side("ours", i).verify, (pool[i % n], reg)

        verify_rows.append((alg, *summarise(verify, peers), *binding_cost(core_verify_once, ours_verify_once)))

        m = max(50, n // 4)
        claims = {"iss": "c1", "sub": "c1", "aud": ISSUER, "iat": int(time.time()), "exp": int(time.time()) + 60, "jti": "x"}
        sign_peers = {
            "PyJWT": lambda: [pyjwt.encode(claims, priv, algorithm=alg) for _ in range(m)],
            "joserfc": lambda: [jose_jwt.encode({"alg": alg}, claims, jose_key, algorithms=[alg]) for _ in range(m)],
        }
        sign = interleaved(
            {
                "core": lambda: _native._bench_core_sign(key, "c1", ISSUER, m),
                "ours": lambda: [jwtauth.sign(key, "c1", ISSUER) for _ in range(m)],
                **sign_peers,
            },
            m,
        )
        sign_rows.append(
            (
                alg,
                *summarise(sign, sign_peers),
                *binding_cost(
                    lambda _: _native._bench_core_sign(key, "c1", ISSUER, 1),
                    lambda _: (jwtauth.sign, (key, "c1", ISSUER)),
                    budget=4.0 if alg == "RS256" else 2.0,
                ),
            )
        )

    for title, rows in (("verify", verify_rows), ("sign", sign_rows)):
        names = [k for k in rows[0][1] if k not in ("core", "ours")]
        print(f"\n**{title}** (µs per operation, medians of {ROUNDS} interleaved rounds; Python {sys.version.split()[0]})\n")
        print(
            "| alg | Rust core | jwtauth (Python) | binding adds (pairs) | bare native call | "
            + " | ".join(names)
            + " | fastest peer / jwtauth |"
        )
        print("|---|" + "---:|" * (len(names) + 5))
        for alg, med, ratio, adds, bare, pairs in rows:
            cells = " | ".join(f"{med[n]:.1f}" for n in names)
            print(
                f"| {alg} | {med['core']:.1f} | {med['ours']:.1f} | {adds:+.2f} ({pairs}) | {bare:+.2f} | {cells} | {ratio:.2f}× |"
            )


if __name__ == "__main__":
    main()
