#!/usr/bin/env python3
"""Prints the README's benchmark tables from criterion's results
(target/criterion/**/new/estimates.json) of `cargo bench -p jwtauth --bench verify`
and `cargo bench -p jwtauth --bench authenticate`.
Ratios are computed from numbers measured in the same run. `±` is criterion's
standard deviation over the samples, as a percentage of the mean."""
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "criterion")
ALGS = ["RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA", "HS256"]


def est(kind, alg, who):
    p = os.path.join(ROOT, f"{kind}_{alg}", who, "new", "estimates.json")
    if not os.path.exists(p):
        return None
    e = json.load(open(p))
    mean = e["mean"]["point_estimate"] / 1000.0
    sd = e["std_dev"]["point_estimate"] / 1000.0
    return mean, 100.0 * sd / mean


def fmt(x):
    if x is None:
        return "—"
    mean, noise = x
    return f"{mean:.2f} ±{noise:.0f}%" if mean < 10 else f"{mean:.1f} ±{noise:.0f}%"


def ratio(a, b):
    return "—" if a is None or b is None else f"{a[0] / b[0]:.3f}×"


def diff(a, b):
    return "—" if a is None or b is None else f"+{a[0] - b[0]:.2f}"


for kind in ("verify", "sign"):
    print(f"\n**{kind}** (µs per operation, mean ± standard deviation)\n")
    print("| alg | aws-lc-rs floor | jwtauth | jwtauth / floor | jwtauth − floor (µs) | jsonwebtoken crate | jsonwebtoken / jwtauth |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for alg in ALGS:
        f, o, j = est(kind, alg, "floor"), est(kind, alg, "jwtauth"), est(kind, alg, "jsonwebtoken")
        if o is None:
            continue
        print(f"| {alg} | {fmt(f)} | {fmt(o)} | {ratio(o, f)} | {diff(o, f)} | {fmt(j)} | {ratio(j, o)} |")

print("\n**authenticate** (µs per token request, mean ± standard deviation)\n")
print("| request | signature floor | jwtauth | jwtauth / floor | jwtauth − floor (µs) |")
print("|---|---:|---:|---:|---:|")
for alg in ("RS256", "ES256"):
    f, o = est("authenticate", alg, "floor"), est("authenticate", alg, "jwtauth")
    if o is not None:
        print(f"| private_key_jwt {alg} | {fmt(f)} | {fmt(o)} | {ratio(o, f)} | {diff(o, f)} |")
b = est("authenticate", "client_secret_basic", "jwtauth")
if b is not None:
    print(f"| client_secret_basic | — | {fmt(b)} | — | — |")
