"""What one `sign` call adds over the core right after a long operation.

The binding's cost is measured as in bench.py (adjacent pairs of one core
signature, timed inside Rust, and one `jwtauth.sign`, alternating which
goes first; the median of each order, then their mean), for ES256, once as
is and once with something long before every operation: an RSA signature
in the core, 0.7 ms of Python busy-waiting, or a 0.7 ms sleep. If the
binding cost of ES256 grows the same way RS256's does, the extra is what
any call pays after a long operation, not the RS256 path of the binding.

The last two columns time, after the same preparation, calls that contain
no code of this binding: Python's builtin `abs(-1)`, and a native call that
releases and retakes the GIL around no work. What they cost beyond the
first row is what the machine charges any code that runs right after a
long operation.

    bash tests/python/run.sh      # builds the wheel into target/py-venv
    target/py-venv/bin/python bindings-python/bench/after_long_op.py
"""

import statistics
import time

import jwtauth
from jwtauth import _native

ISSUER = "https://as.example.com"


def clock_cost():
    xs = []
    for _ in range(20000):
        t = time.perf_counter()
        xs.append(time.perf_counter() - t)
    return statistics.median(xs)


def pairs(key, before, n, clock):
    adds, bare = ([], []), ([], [])
    for i in range(n):

        def core():
            if before:
                before()
            t = time.perf_counter()
            inner = _native._bench_core_sign(key, "c1", ISSUER, 1)
            return inner, time.perf_counter() - t - clock

        def ours():
            if before:
                before()
            t = time.perf_counter()
            jwtauth.sign(key, "c1", ISSUER)
            return time.perf_counter() - t - clock

        if i % 2:
            inner, outer = core()
            mine = ours()
        else:
            mine = ours()
            inner, outer = core()
        adds[i % 2].append((mine - inner) * 1e6)
        bare[i % 2].append((outer - inner) * 1e6)

    def both(x):
        return (statistics.median(x[0]) + statistics.median(x[1])) / 2

    return both(adds), both(bare)


def after(before, fn, n, clock):
    """Median time of fn() (µs) when each call follows before()."""
    xs = []
    for _ in range(n):
        if before:
            before()
        t = time.perf_counter()
        fn()
        xs.append(time.perf_counter() - t - clock)
    return statistics.median(xs) * 1e6


def main():
    rsa = jwtauth.SigningKey.generate("RS256")
    ec = jwtauth.SigningKey.generate("ES256")
    clock = clock_cost()

    def rsa_signature():
        _native._bench_core_sign(rsa, "c1", ISSUER, 1)

    def spin():
        t = time.perf_counter()
        while time.perf_counter() - t < 0.0007:
            pass

    def sleep():
        time.sleep(0.0007)

    cases = [
        ("ES256", ec, None, 6000),
        ("ES256, each after an RSA signature", ec, rsa_signature, 1500),
        ("ES256, each after 0.7 ms of Python", ec, spin, 1500),
        ("ES256, each after a 0.7 ms sleep", ec, sleep, 1500),
        ("RS256", rsa, None, 1500),
    ]
    print(
        "| case | sign adds (µs) | bare native call (µs) | builtin abs(-1) (µs) | native call, no work (µs) |\n"
        "|---|---:|---:|---:|---:|"
    )
    for name, key, before, n in cases:
        a, b = pairs(key, before, n, clock)
        builtin = after(before, lambda: abs(-1), n // 2, clock)
        nothing = after(before, lambda: _native._bench_core_sign(ec, "c1", ISSUER, 0), n // 2, clock)
        print(f"| {name} | {a:+.2f} | {b:+.2f} | {builtin:.2f} | {nothing:.2f} |")


if __name__ == "__main__":
    main()
