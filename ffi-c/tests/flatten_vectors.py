#!/usr/bin/env python3
"""Flatten the shared JSON vectors (tests/vectors/) into a record stream the C
suite reads without a JSON parser: each record is `name length\\n` followed by
`length` raw bytes and `\\n`. Only the vectors' own data is rearranged (defaults
merged into each case, key names resolved to key text, the expected OAuth body
spelled out); every verdict is computed by the library through the C API.

    python3 ffi-c/tests/flatten_vectors.py > vectors.rec
"""
import base64
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VEC = os.path.join(HERE, "..", "..", "tests", "vectors")


def load(name):
    with open(os.path.join(VEC, name), encoding="utf-8") as f:
        return json.load(f)


out = sys.stdout.buffer


def rec(name, value):
    if isinstance(value, bool):
        value = "1" if value else "0"
    if not isinstance(value, (bytes, str)):
        value = str(value)
    if isinstance(value, str):
        value = value.encode("utf-8")
    out.write(f"{name} {len(value)}\n".encode() + value + b"\n")


KEYS = load("keys.json")["keys"]
TABLE = {e["name"]: e for e in load("error_codes.json")["codes"]}


def config(cfg):
    rec("cfg_issuer", cfg["issuer"])
    rec("cfg_token_endpoint", cfg["token_endpoint"])
    for a in cfg["extra_audiences"]:
        rec("cfg_audience", a)
    rec("cfg_audience_mode", cfg["audience_mode"])
    rec("cfg_leeway", cfg["leeway"])
    rec("cfg_max_age", cfg["max_age"])
    rec("cfg_max_lifetime", cfg["max_lifetime"])
    rec("cfg_max_len", cfg["max_assertion_len"])
    if "allowed_algorithms" in cfg:
        rec("cfg_algorithms", ",".join(cfg["allowed_algorithms"]))
    for k in ("profile", "report_profile"):
        if k in cfg:
            rec("cfg_" + k, cfg[k])
    for name, url in cfg.get("endpoints", {}).items():
        rec("cfg_endpoint", name)
        rec("cfg_endpoint_url", url)
    if "client_ca" in cfg:
        rec("cfg_client_ca", cfg["client_ca"])


def would_refuse(exp):
    """`expect_would`: "none", or "profile:CODE" (absent: not checked)."""
    if "would_refuse" in exp:
        w = exp["would_refuse"]
        rec("expect_would", "none" if w is None else f"{w['profile']}:{w['code']}")


def credential(c):
    fmt = c["format"]
    if fmt == "jwk":
        jwk = dict(KEYS[c["key"]]["jwk"])
        if "alg" in c:
            jwk["alg"] = c["alg"]
        rec("cred_jwk", json.dumps(jwk))
    elif fmt in ("pem", "pkcs1", "cert"):
        field = {"pem": "spki_pem", "pkcs1": "pkcs1_pem", "cert": "cert_pem"}[fmt]
        rec("cred_pem", KEYS[c["key"]][field])
    elif fmt == "jwks":
        rec("cred_jwks", json.dumps({"keys": [KEYS[k]["jwk"] for k in c["keys"]]}))
    elif fmt == "secret":
        rec("cred_secret", c["secret"])
    else:
        raise SystemExit(f"unknown credential format {fmt}")
    if "expires_at" in c:
        rec("cred_expires_at", c["expires_at"])
    rec("cred_expiry_from_cert", bool(c.get("expiry_from_cert")))
    rec("end_cred", "")


def assertions():
    doc = load("assertions.json")
    defaults = doc["defaults"]["config"]
    for case in doc["cases"]:
        rec("case", case["id"])
        cfg = {**defaults, **case.get("config", {})}
        config(cfg)
        rec("now", case["now"])
        rec("begin", cfg.get("at", ""))
        for cl in case["clients"]:
            rec("client", cl["client_id"])
            rec("method", cl["method"])
            if "signing_alg" in cl:
                rec("signing_alg", cl["signing_alg"])
            rec("client_audience_mode", cl.get("audience_mode", ""))
            rec("client_max_age", cl.get("max_age", -1))
            if "profile" in cl:
                rec("client_profile", cl["profile"])
            for c in cl["credentials"]:
                credential(c)
            rec("end_client", "")
        for step in case["steps"]:
            if "now" in step:
                rec("step_now", step["now"])
            rec("assertion", step["assertion"])
            if "client_id" in step:
                rec("step_client_id", step["client_id"])
            exp = step["expect"]
            if "error" in exp:
                rec("expect_error", exp["error"])
            else:
                rec("expect_client", exp["client_id"])
                would_refuse(exp)
            rec("end_step", "")
        rec("end_case", "")


def requests():
    doc = load("requests.json")
    defaults = doc["defaults"]["config"]
    for case in doc["cases"]:
        rec("rcase", case["id"])
        cfg = {**defaults, **case.get("config", {})}
        config(cfg)
        rec("realm", cfg["realm"])
        rec("now", case["now"])
        if "policy" in case:
            rec("policy", json.dumps(case["policy"]))
        rec("registry", json.dumps(case["registry"]))
        if "registration" in case:
            rec("problems", ",".join(case["registration"]["problems"]))
        rec("begin", "")
        for step in case.get("steps", []):
            if "now" in step:
                rec("step_now", step["now"])
            if "authorization" in step:
                rec("authorization", step["authorization"])
            rec("body", step["body"])
            exp = step["expect"]
            cert = step.get("certificate")
            if cert is not None:
                data = base64.b64decode(cert["data"]) if cert["format"] == "der" else cert["data"]
                rec("cert_format", cert["format"])
                rec("cert_verified", cert["verified_by_tls"])
                rec("cert_data", data)
            # The decoded-pairs API gets the same request too, except for a
            # successful JWT step (its assertion was just used: a replay).
            form = step.get("form")
            # (The C API takes a certificate with a raw body only.)
            if cert is None and form is not None and not ("error" not in exp and any(k == "client_assertion" for k, _ in form)):
                for k, v in form:
                    rec("form_name", k)
                    rec("form_value", v)
                rec("form_end", "")
            if "error" in exp:
                e = TABLE[exp["error"]]
                rec("expect_error", exp["error"])
                rec("expect_status", exp["status"])
                rec("expect_www", exp["www_authenticate"])
                body = {"error": e["oauth_error"], "error_description": e["description"]}
                rec("expect_body", json.dumps(body, separators=(",", ":")))
            else:
                rec("expect_client", exp["client_id"])
                rec("expect_method", exp["method"])
                rec("expect_thumbprint", exp.get("certificate_thumbprint", ""))
                would_refuse(exp)
            rec("end_step", "")
        rec("end_case", "")


def key_loading():
    for case in load("key_loading.json")["cases"]:
        rec("kcase", case["id"])
        rec("format", case["format"])
        rec("input", case["input"])
        exp = case["expect"]
        if "error" in exp:
            rec("expect_error", exp["error"])
        for f in ("thumbprint", "x5t", "not_after", "count"):
            if f in exp:
                rec("expect_" + f, exp[f])
        rec("end_case", "")


def defaults():
    """What a verifier with only an issuer and the default policy report, in
    the compact form with sorted keys the library writes."""
    doc = load("defaults.json")
    rec("defaults", doc["issuer"])
    for what in ("verifier", "policy"):
        rec("expect_" + what, json.dumps(doc[what], sort_keys=True, separators=(",", ":")))
    rec("end_case", "")


def grants():
    doc = load("grants.json")
    cfg = doc["defaults"]["config"]
    for case in doc["cases"]:
        rec("gcase", case["id"])
        rec("cfg_issuer", cfg["issuer"])
        rec("cfg_token_endpoint", cfg["token_endpoint"])
        rec("realm", cfg["realm"])
        rec("now", case["now"])
        rec("registry", json.dumps(case["registry"]))
        rec("trust", json.dumps(case["trust"]))
        if "trust_problems" in case:
            rec("trust_problems", ",".join(case["trust_problems"]))
        rec("begin", "")
        for step in case["steps"]:
            if "authorization" in step:
                rec("authorization", step["authorization"])
            if step.get("verifier"):
                rec("second", "")
            rec("body", step["body"])
            exp = step["expect"]
            if "error" in exp:
                rec("expect_error", exp["error"])
                rec("expect_status", exp["status"])
                rec("expect_oauth", exp["oauth_error"])
                rec("expect_www", exp["www_authenticate"])
            else:
                rec("expect_client", exp["client_id"] or "")
                rec("expect_method", exp["method"] or "")
                rec("expect_issuer", exp["grant"]["issuer"])
                rec("expect_subject", exp["grant"]["subject"])
            rec("end_step", "")
        rec("end_case", "")


if __name__ == "__main__":
    defaults()
    assertions()
    requests()
    key_loading()
    grants()
