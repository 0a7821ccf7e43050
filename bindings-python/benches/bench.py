#!/usr/bin/env python3
"""Verify and sign per algorithm through the public API: jwtauth and the
Python peers PyJWT, joserfc, jwcrypto and Authlib, all in one run on the
same tokens, interleaved round by round. Prints markdown tables (µs per
operation, medians of 15 rounds; the peer ratio is the median of per-round
ratios) for docs/PERFORMANCE.md.

    bash bindings-python/tests/run.sh            # builds and installs the wheel
    target/py-venv/bin/python bindings-python/benches/bench.py [--json]

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


def summarise(samples, peers):
    """Medians, and the fastest peer's ratio to the binding as the median
    of its per-round values."""
    med = {name: statistics.median(xs) for name, xs in samples.items()}
    rounds = range(len(samples["ours"]))
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
        verify = interleaved({"ours": ours, **peers}, n)
        verify_rows.append((alg, *summarise(verify, peers)))

        m = max(50, n // 4)
        claims = {"iss": "c1", "sub": "c1", "aud": ISSUER, "iat": int(time.time()), "exp": int(time.time()) + 60, "jti": "x"}
        sign_peers = {
            "PyJWT": lambda: [pyjwt.encode(claims, priv, algorithm=alg) for _ in range(m)],
            "joserfc": lambda: [jose_jwt.encode({"alg": alg}, claims, jose_key, algorithms=[alg]) for _ in range(m)],
        }
        sign = interleaved({"ours": lambda: [jwtauth.sign(key, "c1", ISSUER) for _ in range(m)], **sign_peers}, m)
        sign_rows.append((alg, *summarise(sign, sign_peers)))

    if "--json" in sys.argv:
        import json

        doc = {"python": sys.version.split()[0], "rounds": ROUNDS}
        for title, rows in (("verify", verify_rows), ("sign", sign_rows)):
            doc[title] = {alg: {"jwtauth" if k == "ours" else k: v for k, v in {**med, "fastest_peer_over_jwtauth": ratio}.items()}
                          for alg, med, ratio in rows}
        print(json.dumps(doc))
        return
    for title, rows in (("verify", verify_rows), ("sign", sign_rows)):
        names = [k for k in rows[0][1] if k != "ours"]
        print(f"\n**{title}** (µs per operation, medians of {ROUNDS} interleaved rounds; Python {sys.version.split()[0]})\n")
        print("| alg | jwtauth | " + " | ".join(names) + " | fastest peer / jwtauth |")
        print("|---|" + "---:|" * (len(names) + 2))
        for alg, med, ratio in rows:
            cells = " | ".join(f"{med[n]:.1f}" for n in names)
            print(f"| {alg} | {med['ours']:.1f} | {cells} | {ratio:.2f}× |")


if __name__ == "__main__":
    main()
