"""The GIL is released during signature work, and the objects are shared
across threads: two threads verifying at once finish in well under the time
one thread needs for the same work (on a machine with 2 or more cores), and
one assertion presented by many threads at once is accepted exactly once."""

import os
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


def run(threads, clock, reg, pool):
    v = jwtauth.Verifier(ISSUER, clock=clock)  # fresh replay store: the pool verifies again
    chunks = [pool[i::threads] for i in range(threads)]
    errors = []

    def work(chunk):
        try:
            for a in chunk:
                v.verify(a, reg)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    ts = [threading.Thread(target=work, args=(c,)) for c in chunks]
    start = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors
    return time.perf_counter() - start


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs 2 cores")
def test_two_threads_verify_in_parallel(setup):
    clock, reg, pool, _ = setup
    run(1, clock, reg, pool)  # warm up
    ratios = []
    # Best of several paired runs: the machine is shared, and one slow run
    # says nothing about the GIL.
    for _ in range(7):
        one = run(1, clock, reg, pool)
        two = run(2, clock, reg, pool)
        ratios.append(two / one)
        if two / one < 0.8:
            break
    # Holding the GIL would give about 1.0; released, about 0.5 (plus noise).
    print(f"2 threads / 1 thread, same work: {min(ratios):.2f} (best of {ratios})")
    assert min(ratios) < 0.8, ratios


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
