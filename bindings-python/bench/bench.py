#!/usr/bin/env python3
"""Verify and sign per algorithm: the Rust core (looped in Rust), the jwtauth
Python binding, and the Python peers PyJWT, joserfc, jwcrypto and Authlib,
all in one run on the same tokens. Prints markdown tables (µs per operation,
median of 7 rounds) for the README.

    bash tests/python/run.sh            # builds and installs the wheel
    target/py-venv/bin/python bindings-python/bench/bench.py

Peers verify with a pre-parsed key object and check the audience where their
API does it in the same call; jwtauth additionally runs every DESIGN.md §4
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
ROUNDS = 7
KEYGEN = {
    "RS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "EdDSA": ed25519.Ed25519PrivateKey.generate,
    "HS256": None,
}
POOL = {"RS256": 400, "ES256": 200, "EdDSA": 300, "HS256": 4000}


def per_op(fn, n):
    times = []
    for _ in range(ROUNDS):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) / n * 1e6)
    return statistics.median(times)


def paired(core_fn, py_fn, n, rounds=31):
    """Core and binding timed back to back in each round (alternating which
    goes first); the binding's cost is the median of the per-round
    differences, which a slow drift of the machine does not bias."""
    cs, ps, ds = [], [], []
    for i in range(rounds):
        order = (core_fn, py_fn) if i % 2 == 0 else (py_fn, core_fn)
        got = {}
        for fn in order:
            t = time.perf_counter()
            fn()
            got[fn] = (time.perf_counter() - t) / n * 1e6
        cs.append(got[core_fn])
        ps.append(got[py_fn])
        ds.append(got[py_fn] - got[core_fn])
    return statistics.median(cs), statistics.median(ps), statistics.median(ds)


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
        core, mine, adds = paired(lambda: _native._bench_core_verify(fresh(), reg, pool), ours, n)
        got = {name: per_op(fn, n) for name, fn in peers.items()}
        verify_rows.append((alg, core, mine, adds, got))

        m = max(50, n // 4)
        core_s, mine_s, adds_s = paired(
            lambda: _native._bench_core_sign(key, "c1", ISSUER, m), lambda: [jwtauth.sign(key, "c1", ISSUER) for _ in range(m)], m
        )
        claims = {"iss": "c1", "sub": "c1", "aud": ISSUER, "iat": int(time.time()), "exp": int(time.time()) + 60, "jti": "x"}
        sign_peers = {
            "PyJWT": lambda: [pyjwt.encode(claims, priv, algorithm=alg) for _ in range(m)],
            "joserfc": lambda: [jose_jwt.encode({"alg": alg}, claims, jose_key, algorithms=[alg]) for _ in range(m)],
        }
        got_s = {name: per_op(fn, m) for name, fn in sign_peers.items()}
        sign_rows.append((alg, core_s, mine_s, adds_s, got_s))

    for title, rows in (("verify", verify_rows), ("sign", sign_rows)):
        names = list(rows[0][4])
        print(f"\n**{title}** (µs per operation, medians; Python {sys.version.split()[0]})\n")
        print("| alg | Rust core | jwtauth (Python) | binding adds (paired) | " + " | ".join(names) + " | fastest peer / jwtauth |")
        print("|---|" + "---:|" * (len(names) + 4))
        for alg, core, mine, adds, got in rows:
            best = min(got.values())
            cells = " | ".join(f"{got[n]:.1f}" for n in names)
            print(f"| {alg} | {core:.1f} | {mine:.1f} | {adds:+.1f} | {cells} | {best / mine:.2f}× |")


if __name__ == "__main__":
    main()
