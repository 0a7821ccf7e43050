#!/usr/bin/env python3
"""Writes docs/PERFORMANCE.md, docs/perf-peers.svg and docs/perf-scaling.svg
from the JSON files `bench/run.sh` leaves in target/bench (standard library
only).

    python3 bench/report.py target/bench
"""

import datetime
import json
import math
import os
import platform
import subprocess
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "target/bench"
DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs")
ALGS = ["RS256", "ES256", "EdDSA", "HS256"]


def load(name):
    with open(os.path.join(SRC, name), encoding="utf-8") as f:
        return json.load(f)


rust, py, node, c = load("rust.json"), load("python.json"), load("node.json"), load("c.json")
registry, scaling, ins = load("registry.json"), load("scaling.json"), load("instructions.json")
serve_load, providers = load("load.json"), load("providers.json")


def us(x):
    if x is None:
        return "—"
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def ratio(x):
    return "—" if x is None else f"{x:.2f}×"


def cpu():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split("\n")[0].strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


# ---- charts ---------------------------------------------------------------

COLORS = ["#1f6feb", "#d4a017", "#8a8a8a", "#2da44e", "#cf222e", "#8250df"]


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;")


def peers_svg():
    """µs per verification on a log scale: jwtauth (blue, first) and each
    face's peers, per algorithm."""
    faces = [
        ("Rust", rust["verify"], ["jwtauth", "floor", "jsonwebtoken"]),
        ("Python", py["verify"], ["jwtauth", "PyJWT", "joserfc", "jwcrypto", "Authlib"]),
        ("Node", node["verify"], ["jwtauth sync", "fast-jwt", "jose", "jsonwebtoken"]),
    ]
    left, width, bar, lo, hi = 150, 520, 9, 0.1, 1000.0
    x = lambda v: left + width * (math.log10(max(v, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))  # noqa: E731
    rows, y = [], 40
    for face, data, names in faces:
        rows.append(f'<text x="8" y="{y + 4}" font-weight="bold">{face}</text>')
        y += 12
        for alg in ALGS:
            got = [(n, data[alg].get(n)) for n in names if data.get(alg, {}).get(n) is not None]
            rows.append(f'<text x="{left - 8}" y="{y + bar * len(got) / 2 + 3}" text-anchor="end">{alg}</text>')
            for i, (n, v) in enumerate(got):
                color = COLORS[0] if i == 0 else COLORS[1 + (i - 1) % (len(COLORS) - 1)]
                rows.append(f'<rect x="{left}" y="{y}" width="{x(v) - left:.1f}" height="{bar - 1}" fill="{color}"/>')
                rows.append(f'<text x="{x(v) + 4:.1f}" y="{y + bar - 2}" font-size="9">{esc(n)} {us(v)}</text>')
                y += bar
            y += 6
        y += 8
    ticks = []
    for k in range(-1, 4):
        tx = x(10.0**k)
        ticks.append(f'<line x1="{tx:.1f}" y1="28" x2="{tx:.1f}" y2="{y}" stroke="#ddd"/>')
        ticks.append(f'<text x="{tx:.1f}" y="24" text-anchor="middle" font-size="9">{10.0 ** k:g} µs</text>')
    return svg(left + width + 160, y + 10, "Verification, µs per assertion (log scale; jwtauth in blue)", ticks + rows)


def scaling_svg():
    panels = []
    # Registry load and memory, per size.
    sizes = [r["clients"] for r in registry]
    panel = lambda i, title, labels, values, unit: bars(20 + i * 230, 40, title, labels, values, unit)  # noqa: E731
    logbars = lambda i, title, labels, values, unit: bars(20 + i * 230, 40, title, labels, values, unit, log=True)  # noqa: E731
    panels += logbars(0, "registry load (ms, log scale)", [f"{n:,}" for n in sizes], [r["load_ms"] for r in registry], "ms")
    panels += logbars(1, "resident memory (MB, log scale)", [f"{n:,}" for n in sizes], [r["resident_bytes"] / 1e6 for r in registry], "MB")
    cl, jt, th = scaling["clients_10_vs_1m"], scaling["jtis_10k_vs_1m"], scaling["threads_1_vs_2"]
    panels += panel(2, "HS256 verify (µs), clients", ["10", "1,000,000"], [cl["a"], cl["b"]], "µs")
    panels += panel(3, "HS256 verify (µs), live jtis", ["10,000", "1,000,000"], [jt["a"], jt["b"]], "µs")
    panels += panel(4, "ES256 verify (µs/op), threads", ["1", "2"], [th["a"], th["b"]], "µs")
    return svg(20 + 5 * 230, 230, "How the cost grows", panels)


def bars(x0, y0, title, labels, values, unit, log=False):
    top = max(values) or 1
    lo = min(values) / 10
    height = (lambda v: 140 * math.log10(v / lo) / math.log10(top / lo)) if log else (lambda v: 140 * v / top)
    out = [f'<text x="{x0}" y="{y0}" font-weight="bold">{esc(title)}</text>']
    bw = 150 / len(values)
    for i, (label, v) in enumerate(zip(labels, values)):
        h = height(v)
        bx = x0 + 10 + i * (bw + 10)
        out.append(f'<rect x="{bx:.1f}" y="{y0 + 160 - h:.1f}" width="{bw:.1f}" height="{h:.1f}" fill="{COLORS[0]}"/>')
        out.append(f'<text x="{bx + bw / 2:.1f}" y="{y0 + 155 - h:.1f}" text-anchor="middle" font-size="9">{us(v)} {unit}</text>')
        out.append(f'<text x="{bx + bw / 2:.1f}" y="{y0 + 174}" text-anchor="middle" font-size="9">{esc(label)}</text>')
    return out


def svg(w, h, title, body):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
        f'font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="white"/>\n'
        f'<text x="8" y="14" font-size="13" font-weight="bold">{esc(title)}</text>\n' + "\n".join(body) + "\n</svg>\n"
    )


# ---- the page -------------------------------------------------------------


def rps(x):
    return f"{x:,.0f}"


def table(head, rows):
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def provider_table():
    algs = list(providers["aws-lc-rs"])
    names = {"aws-lc-rs": "aws-lc-rs (default)", "fips": "AWS-LC FIPS module", "ring": "ring"}
    rows = [[names[p], *[f"{providers[p][a]:,}" if providers[p].get(a) else "—" for a in algs]] for p in providers]
    return table(["instructions per verification", *algs], rows)


def page():
    today = datetime.date.today().isoformat()
    machine = f"{cpu()}, {os.cpu_count()} vCPU, Linux {platform.release()}"
    tools = f"{version(['rustc', '--version'])}; Python {py['python']}; Node {node['node']}"
    rv, rs = rust["verify"], rust["sign"]
    order = ["RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA", "HS256"]
    rust_rows = lambda d: [  # noqa: E731
        [a, us(d[a]["floor"]), us(d[a]["jwtauth"]), us(d[a].get("jsonwebtoken")), ratio(d[a]["jwtauth_over_floor"]),
         ratio(d[a]["peer_over_jwtauth"])] for a in order if a in d
    ]
    pv, ps = py["verify"], py["sign"]
    pnames = [k for k in pv["RS256"] if k not in ("jwtauth", "fastest_peer_over_jwtauth")]
    snames = [k for k in ps["RS256"] if k not in ("jwtauth", "fastest_peer_over_jwtauth")]
    nv, ns = node["verify"], node["sign"]
    nnames = ["jwtauth sync", "jwtauth async", "jwtauth async ×64", "fast-jwt", "jose", "jsonwebtoken"]
    core, over = ins["core"], lambda k: f"{ins[k]:,} (+{ins[k] - ins['core']:,})"  # noqa: E731
    m = ins["mtls"]
    cl, jt, th = scaling["clients_10_vs_1m"], scaling["jtis_10k_vs_1m"], scaling["threads_1_vs_2"]
    big = registry[-1]
    return f"""# Performance

Made by `bash bench/run.sh` ({os.environ.get("BENCH_MINUTES", "a few")} minutes) on {today}: {machine}; {tools}.
On this shared VM (its pace moves by 5–10 % hour to hour) contenders run in **interleaved rounds** in one process; a figure is the median over the rounds, a ratio the median of per-round ratios; costs below the noise are counted in instructions. jwtauth does the whole verification (every docs/SECURITY.md rule, the replay insert); the peers decode with a pre-parsed key and an audience check, no replay store; the floor is aws-lc-rs alone.

![Verification time per assertion, jwtauth and its peers](perf-peers.svg)

## Rust (µs per operation, {rust['rounds']} rounds)

{table(["verify", "aws-lc-rs floor", "jwtauth", "jsonwebtoken crate", "jwtauth / floor", "jsonwebtoken / jwtauth"], rust_rows(rv))}

Through the C API (`jwtauth_verifier_verify`, median of 11 passes): {" · ".join(f"{a} {us(c[a])}" for a in ALGS)} µs.

{table(["sign", "aws-lc-rs floor", "jwtauth", "jsonwebtoken crate", "jwtauth / floor", "jsonwebtoken / jwtauth"], rust_rows(rs))}

## Python (µs per operation, {py['rounds']} rounds)

{table(["verify", "jwtauth", *pnames, "fastest peer / jwtauth"], [[a, us(pv[a]["jwtauth"]), *[us(pv[a].get(n)) for n in pnames], ratio(pv[a]["fastest_peer_over_jwtauth"])] for a in pv])}

{table(["sign", "jwtauth", *snames, "fastest peer / jwtauth"], [[a, us(ps[a]["jwtauth"]), *[us(ps[a].get(n)) for n in snames], ratio(ps[a]["fastest_peer_over_jwtauth"])] for a in ps])}

## Node (µs per operation, {node['rounds']} rounds; `async`: one call at a time, `×64`: 64 in flight)

{table(["verify", *nnames, "fastest peer / sync"], [[a, *[us(nv[a].get(n)) for n in nnames], ratio(nv[a]["fastest_peer_over_jwtauth"])] for a in nv])}

{table(["sign", *nnames, "fastest peer / sync"], [[a, *[us(ns[a].get(n)) for n in nnames], ratio(ns[a]["fastest_peer_over_jwtauth"])] for a in ns])}

## What each layer adds, in instructions

HS256, the client from a registry (callgrind; Python and Node: (6,000 − 2,000 calls) / 4,000):

{table(["layer", "instructions per verification"], [["aws-lc-rs HMAC floor", f"{ins['floor']:,}"], ["Rust core", f"{core:,}"], ["C API", over("c")], ["Python (`Verifier.verify`)", over("python")], ["Node (`verifySync`)", over("node")]])}

Under each crypto provider (docs/PROVIDERS.md), the whole verification through a registry (`bench/providers.sh`); ring has no P-521 and parses RSA keys on every verification:

{provider_table()}

Mutual TLS and JWT bearer grants, per token request (`Authenticator::authenticate_tls`, the certificate's DER read each time, ECDSA P-256; `authenticate_grant`, the grant ES256), beside a public client's request ({m['public']:,}: form and lookup):

{table(["request", "instructions", "beyond a public client's"], [[name, f"{m[k]:,}", f"+{m[k] - m['public']:,}"] for name, k in [("`tls_client_auth`, subject DN, chain verified by the TLS layer", "dn"), ("`tls_client_auth`, chain verified here (one signature)", "chain"), ("`self_signed_tls_client_auth`", "self_signed"), ("JWT bearer grant ES256, from a public client", "grant"), ("`private_key_jwt` ES256, for comparison", "es256")]])}

## How the cost grows

![Registry load time and memory, verification time by registry size, live jtis and threads](perf-scaling.svg)

{table(["registry document", "load", "resident memory", "per client"], [[f"{r['clients']:,} clients", f"{r['load_ms']:.1f} ms", f"{r['resident_bytes'] / 1e6:.1f} MB", f"{r['resident_bytes'] / r['clients'] / 1e3:.2f} kB" if r['clients'] >= 10000 else "—"] for r in registry])}

{table(["verification", "small", "large", "large / small"], [["HS256, 10 vs 1,000,000 registered clients", us(cl["a"]) + " µs", us(cl["b"]) + " µs", ratio(cl["ratio"])], ["HS256, 10,000 vs 1,000,000 live jtis", us(jt["a"]) + " µs", us(jt["b"]) + " µs", ratio(jt["ratio"])], ["ES256 on 1 vs 2 threads (µs per op, wall)", us(th["a"]) + " µs", us(th["b"]) + " µs", ratio(th["ratio"])]])}

`client_secret_jwt` registries, each in a fresh process ({big['resident_bytes'] / big['clients'] / 1e3:.1f} kB per client, 1.2 kB of it HMAC state); a million clients miss the CPU caches; threads: wall time per verification, two threads on one verifier (0.5× is perfect).

## `jwtauth serve` under load (requests per second, {serve_load['setup']['rounds']} rounds)

`wrk` ({serve_load['setup']['wrk_threads']} threads, {serve_load['setup']['connections']} keep-alive connections, {serve_load['setup']['seconds']} s a round, loopback) against `jwtauth serve`, on the same {serve_load['setup']['cores']} cores as wrk, beside `Authenticator::authenticate_body` in one process (`cargo bench -p jwtauth-cli --bench load`; every ES256 request has its own assertion). HTTP/1.1, the pool hop and the attempt record cost more than a Basic check; with ES256 serve keeps {serve_load["private_key_jwt_es256"]["serve"] / serve_load["private_key_jwt_es256"]["library_2_threads"]:.0%} of the library's rate:

{table(["request", "library, 1 thread", "library, 2 threads", "serve", "serve / library", "serve p50 / p99"], [[name, rps(d["library_1_thread"]), rps(d["library_2_threads"]), rps(d["serve"]), f"{d['serve'] / d['library_2_threads']:.2f}", f"{d['serve_p50_ms']:.2f} / {d['serve_p99_ms']:.2f} ms"] for name, d in [("private_key_jwt ES256", serve_load["private_key_jwt_es256"]), ("client_secret_basic", serve_load["client_secret_basic"])]])}
"""


def main():
    with open(os.path.join(DOCS, "PERFORMANCE.md"), "w", encoding="utf-8") as f:
        f.write(page())
    with open(os.path.join(DOCS, "perf-peers.svg"), "w", encoding="utf-8") as f:
        f.write(peers_svg())
    with open(os.path.join(DOCS, "perf-scaling.svg"), "w", encoding="utf-8") as f:
        f.write(scaling_svg())


main()
