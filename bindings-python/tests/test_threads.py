"""The GIL is released during signature work (another thread runs Python
meanwhile), and the objects are shared across threads: one assertion
presented by many threads at once is accepted exactly once. How much two
threads gain is measured by the benchmarks (docs/PERFORMANCE.md), not here."""

import sys
import threading
import time

import pytest

import jwtauth

ISSUER = "https://as.example.com"
NOW = 1_800_000_000


@pytest.fixture(scope="module")
def setup():
    key = jwtauth.SigningKey.generate("ES384", kid="k1")  # ~0.3 ms per verify: long enough to measure
    clock = jwtauth.FixedClock(NOW)
    reg = jwtauth.Registry.from_json(
        {"clients": [{"client_id": "c1", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [key.public_jwk()]}}]},
        now=NOW,
    )
    pool = [jwtauth.sign(key, "c1", ISSUER, clock=clock).assertion for _ in range(300)]
    return clock, reg, pool, key


def test_verification_releases_the_gil(setup):
    """Another thread runs Python while verifications run. With a switch
    interval of 5 s the interpreter forces no hand-off, and the spinning
    thread gives the GIL up at every turn (`time.sleep(0)`): it can only count
    while the main thread is inside a call that released the GIL. Held, the
    count stays near 0 whatever the machine's speed; released, it grows with
    every verification (each takes hundreds of microseconds)."""
    clock, reg, pool, _ = setup
    v = jwtauth.Verifier(ISSUER, clock=clock)
    count = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            count[0] += 1
            time.sleep(0)

    old = sys.getswitchinterval()
    sys.setswitchinterval(5.0)
    spinner = threading.Thread(target=spin)
    try:
        spinner.start()
        time.sleep(0.01)
        before = count[0]
        for a in pool:
            v.verify(a, reg)
        during = count[0] - before
    finally:
        stop.set()
        spinner.join()
        sys.setswitchinterval(old)
    print(f"other thread's turns during {len(pool)} verifications: {during}")
    assert during > len(pool), during


def test_one_assertion_from_many_threads_is_accepted_once(setup):
    clock, reg, _, key = setup
    v = jwtauth.Verifier(ISSUER, clock=clock)
    a = jwtauth.sign(key, "c1", ISSUER, clock=clock).assertion
    barrier = threading.Barrier(16)
    results = []

    def attempt():
        barrier.wait()
        try:
            v.verify(a, reg)
            results.append("ok")
        except jwtauth.JwtAuthError as e:
            results.append(e.name)

    ts = [threading.Thread(target=attempt) for _ in range(16)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert sorted(results) == ["REPLAYED"] * 15 + ["ok"]
