"""The shared vectors (tests/vectors/) through the Python package: the same
verdicts and error codes as the Rust and C suites."""

import base64
import json

import pytest

import jwtauth
from conftest import load

ASSERTIONS = load("assertions.json")
REQUESTS = load("requests.json")
GRANTS = load("grants.json")
KEY_LOADING = load("key_loading.json")


def verifier(cfg, clock):
    return jwtauth.Verifier(
        cfg["issuer"],
        token_endpoint=cfg["token_endpoint"],
        audiences=cfg["extra_audiences"],
        audience_mode=cfg["audience_mode"],
        leeway=cfg["leeway"],
        max_age=cfg["max_age"],
        max_lifetime=cfg["max_lifetime"],
        max_assertion_len=cfg["max_assertion_len"],
        algorithms=cfg.get("allowed_algorithms"),
        profile=cfg.get("profile", "compat"),
        report_profile=cfg.get("report_profile"),
        endpoints=cfg.get("endpoints"),
        clock=clock,
    )


def would_refuse_as_expected(result, expect):
    """`would_refuse` when the step names it: {profile, code}, or None."""
    if "would_refuse" not in expect:
        return True
    w, want = result.would_refuse, expect["would_refuse"]
    if want is None:
        return w is None
    return w is not None and (w["profile"], w["code"]) == (want["profile"], "JWTAUTH_" + want["code"])


def credential_metadata(keys, c):
    """A vector credential as registration metadata (docs/registry.md)."""
    fmt = c["format"]
    if fmt == "jwk":
        jwk = dict(keys[c["key"]]["jwk"])
        if "alg" in c:
            jwk["alg"] = c["alg"]
        cred = {"jwk": json.dumps(jwk)}
    elif fmt in ("pem", "pkcs1", "cert"):
        cred = {"pem": keys[c["key"]][{"pem": "spki_pem", "pkcs1": "pkcs1_pem", "cert": "cert_pem"}[fmt]]}
    elif fmt == "jwks":
        cred = {"jwks": {"keys": [keys[k]["jwk"] for k in c["keys"]]}}
    else:
        cred = {"secret": c["secret"]}
    if "expires_at" in c:
        cred["expires_at"] = c["expires_at"]
    if c.get("expiry_from_cert"):
        cred["parse_expiry_from_cert"] = True
    return cred


@pytest.mark.parametrize("case", ASSERTIONS["cases"], ids=lambda c: c["id"])
def test_assertion_vector(case, keys):
    cfg = {**ASSERTIONS["defaults"]["config"], **case.get("config", {})}
    clock = jwtauth.FixedClock(case["now"])
    v = verifier(cfg, clock)
    if "at" in cfg:
        v = v.at(cfg["at"])
    # The vectors' clients are built in code by the other suites; here through
    # the lookup callback, over clients built without the registration policy
    # (which would refuse some of the deliberately odd keys).
    clients = {}
    for cl in case["clients"]:
        clients[cl["client_id"]] = client_from_vector(keys, cl)
    registry = jwtauth.Registry.from_callback(clients.get)
    for i, step in enumerate(case["steps"]):
        if "now" in step:
            clock.set(step["now"])
        expect = step["expect"]
        try:
            r = v.verify(step["assertion"], registry, client_id=step.get("client_id"))
        except jwtauth.JwtAuthError as e:
            assert "error" in expect, f"step {i}: refused with {e.code}: {e.detail}"
            assert e.name == expect["error"], f"step {i}: {e.name} ({e.detail}), want {expect['error']}"
            assert e.code == "JWTAUTH_" + expect["error"]
        else:
            assert "error" not in expect, f"step {i}: accepted, want {expect.get('error')}"
            assert r.client_id == expect["client_id"]
            assert would_refuse_as_expected(r, expect), f"step {i}: would_refuse {r.would_refuse}"



def client_from_vector(keys, cl):
    """Clients of assertions.json, through `Client.from_metadata` with a
    permissive policy (the vectors register keys the default policy refuses
    on purpose, e.g. several credentials)."""
    creds = [credential_metadata(keys, c) for c in cl["credentials"]]
    meta = {"client_id": cl["client_id"], "token_endpoint_auth_method": cl["method"], "credentials": creds}
    if cl["method"] in ("client_secret_basic", "client_secret_post"):
        # A password method's secret is the client_secret member, not a credential.
        meta["client_secret"] = creds.pop(0)["secret"]
    if "signing_alg" in cl:
        meta["token_endpoint_auth_signing_alg"] = cl["signing_alg"]
    if "audience_mode" in cl:
        meta["audience_mode"] = cl["audience_mode"]
    if "max_age" in cl:
        meta["max_age"] = cl["max_age"]
    if "profile" in cl:
        meta["profile"] = cl["profile"]
    policy = jwtauth.CredentialPolicy(max_credentials=16, min_client_secret_len=1)
    return jwtauth.Client.from_metadata(meta, policy=policy, now=0)


@pytest.mark.parametrize("case", REQUESTS["cases"], ids=lambda c: c["id"])
def test_request_vector(case):
    cfg = {**REQUESTS["defaults"]["config"], **case.get("config", {})}
    policy = jwtauth.CredentialPolicy.from_json(case["policy"]) if "policy" in case else None
    if "registration" in case:
        with pytest.raises(jwtauth.InvalidCredentialError) as info:
            jwtauth.Registry.from_json(case["registry"], policy=policy, now=case["now"])
        got = [p[0] for p in info.value.problems]
        assert got == ["JWTAUTH_" + p for p in case["registration"]["problems"]]
        assert all(msg for _, _, msg in info.value.problems)
        return
    registry = jwtauth.Registry.from_json(json.dumps(case["registry"]), policy=policy, now=case["now"])
    clock = jwtauth.FixedClock(case["now"])
    auth = jwtauth.Authenticator(verifier(cfg, clock), registry, realm=cfg["realm"], client_ca=cfg.get("client_ca"))
    for i, step in enumerate(case["steps"]):
        if "now" in step:
            clock.set(step["now"])
        expect = step["expect"]
        tls = {}
        if "certificate" in step:
            c = step["certificate"]
            data = base64.b64decode(c["data"]) if c["format"] == "der" else c["data"]
            tls = dict(client_certificate=data, certificate_format=c["format"], certificate_verified=c["verified_by_tls"])
        calls = [("body", dict(authorization=step.get("authorization"), body=step["body"].encode(), **tls))]
        form = step.get("form")
        if form is not None and not ("error" not in expect and any(k == "client_assertion" for k, _ in form)):
            calls.append(("form", dict(authorization=step.get("authorization"), form=[tuple(p) for p in form], **tls)))
        for api, kwargs in calls:
            try:
                a = auth.authenticate(**kwargs)
            except jwtauth.JwtAuthError as e:
                assert "error" in expect, f"step {i} ({api}): refused with {e.code}: {e.detail}"
                assert e.name == expect["error"], f"step {i} ({api}): {e.name}, want {expect['error']}"
                status, headers, body = e.response()
                assert status == expect["status"]
                assert ("WWW-Authenticate" in headers) == expect["www_authenticate"]
                if expect["www_authenticate"]:
                    assert 'realm="as.example.com"' in headers["WWW-Authenticate"]
                row = jwtauth.CODES[e.name]
                assert json.loads(body) == {"error": row.oauth_error, "error_description": row.description}
            else:
                assert "error" not in expect, f"step {i} ({api}): accepted, want {expect.get('error')}"
                assert (a.client_id, a.method) == (expect["client_id"], expect["method"])
                assert (a.claims is not None) == a.method.endswith("_jwt")
                assert would_refuse_as_expected(a, expect), f"step {i} ({api}): would_refuse {a.would_refuse}"
                assert a.certificate_thumbprint == expect.get("certificate_thumbprint"), f"step {i} ({api})"


@pytest.mark.parametrize("case", KEY_LOADING["cases"], ids=lambda c: c["id"])
def test_key_loading_vector(case):
    fmt, data, expect = case["format"], case["input"], case["expect"]
    try:
        if fmt == "jwk":
            k = jwtauth.VerifyingKey.from_jwk(data)
            got = {"thumbprint": k.thumbprint, "x5t": k.x5t, "not_after": k.not_after}
        elif fmt == "pem":
            k = jwtauth.VerifyingKey.from_pem(data)
            got = {"thumbprint": k.thumbprint, "x5t": k.x5t, "not_after": k.not_after}
        elif fmt == "private_pem":
            got = {"thumbprint": jwtauth.SigningKey.from_pem(data).thumbprint}
        elif fmt == "secret":
            jwtauth.Client.from_metadata(
                {"client_id": "c", "token_endpoint_auth_method": "client_secret_jwt", "client_secret": data},
                policy=jwtauth.CredentialPolicy(min_client_secret_len=1),
            )
            got = {}
        else:
            got = {"count": len(jwtauth.JwkSet.from_json(data))}
    except jwtauth.JwtAuthError as e:
        assert "error" in expect, f"refused with {e.code}: {e.detail}"
        names = [p[0] for p in e.problems] or [e.code]
        assert "JWTAUTH_" + expect["error"] in names, f"{names}, want {expect['error']}"
    else:
        assert "error" not in expect, f"accepted, want {expect.get('error')}"
        for field in ("thumbprint", "x5t", "not_after", "count"):
            if field in expect:
                assert got[field] == expect[field], field


def test_error_table_matches_the_core_and_the_file():
    rows = load("error_codes.json")["codes"]
    assert len(rows) == len(jwtauth.CODES)
    for row in rows:
        c = jwtauth.CODES[row["name"]]
        assert (c.number, c.category, c.oauth_error, c.http_status, c.description) == (
            row["number"],
            row["category"],
            row["oauth_error"],
            row["http_status"],
            row["description"],
        )
        assert c.code == "JWTAUTH_" + row["name"]


def test_defaults_match_the_core():
    doc = load("defaults.json")
    assert jwtauth.Verifier(doc["issuer"]).settings() == doc["verifier"]
    assert jwtauth.CredentialPolicy().settings() == doc["policy"]
    # What is set is reported too, under the same names.
    tuned = jwtauth.Verifier(doc["issuer"], leeway=5, max_lifetime=600, remote_jwks=False).settings()
    assert (tuned["leeway"], tuned["max_lifetime"], tuned["remote_jwks"]) == (5, 600, None)
    assert jwtauth.CredentialPolicy(max_credentials=3).settings()["max_credentials"] == 3


def test_report_only_profile_counts_and_a_bad_profile_is_a_usage_error():
    import base64

    doc = {"clients": [{"client_id": "web", "token_endpoint_auth_method": "client_secret_basic",
                        "client_secret": "a-secret-of-enough-length"}]}
    registry = jwtauth.Registry.from_json(json.dumps(doc))
    basic = "Basic " + base64.b64encode(b"web:a-secret-of-enough-length").decode()
    verifier = jwtauth.Verifier("https://as.example.com", report_profile="fapi2")
    assert verifier.report() == {"profile": "fapi2", "counts": [], "dropped": 0}
    auth = jwtauth.Authenticator(verifier, registry)
    for _ in range(2):
        a = auth.authenticate(authorization=basic, body=b"grant_type=client_credentials")
        assert a.would_refuse["code"] == "JWTAUTH_AUTH_METHOD_MISMATCH"
        assert a.would_refuse["profile"] == "fapi2"
    assert verifier.report()["counts"] == [{"client_id": "web", "code": "JWTAUTH_AUTH_METHOD_MISMATCH", "count": 2}]
    # A view for another endpoint shares the verifier's counters.
    auth.at("revocation_endpoint").authenticate(authorization=basic, body=b"grant_type=client_credentials")
    assert verifier.report()["counts"][0]["count"] == 3
    assert verifier.metrics()["accepted"]["client_secret_basic"] == 3
    with pytest.raises(jwtauth.UsageError):
        auth.at("revocation")
    enforcing = jwtauth.Authenticator(jwtauth.Verifier("https://as.example.com", profile="fapi2"), registry)
    with pytest.raises(jwtauth.InvalidClientError) as e:
        enforcing.authenticate(authorization=basic, body=b"grant_type=client_credentials")
    assert e.value.code == "JWTAUTH_AUTH_METHOD_MISMATCH"
    with pytest.raises(jwtauth.UsageError):
        jwtauth.Verifier("https://as.example.com", profile="fapi3")


def test_the_policy_hook_decides_after_every_check_and_fails_closed():
    import base64

    doc = {"clients": [{"client_id": "web", "token_endpoint_auth_method": "client_secret_basic",
                        "client_secret": "a-secret-of-enough-length"}]}
    registry = jwtauth.Registry.from_json(json.dumps(doc))
    basic = "Basic " + base64.b64encode(b"web:a-secret-of-enough-length").decode()
    answers, seen = [], []

    def hook(context):
        seen.append(context)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    auth = jwtauth.Authenticator(jwtauth.Verifier("https://as.example.com", policy_hook=hook), registry)

    def attempt():
        return auth.authenticate(authorization=basic, body=b"grant_type=client_credentials")

    answers.append("tenant suspended")
    with pytest.raises(jwtauth.InvalidClientError) as e:
        attempt()
    assert e.value.code == "JWTAUTH_POLICY_REFUSED" and "tenant suspended" in e.value.detail
    status, _, body = e.value.response()
    assert status == 401 and "tenant" not in body
    assert seen[-1] == {"client_id": "web", "method": "client_secret_basic", "alg": None, "kid": None,
                        "typ": None, "claims": None}
    answers.append(False)
    with pytest.raises(jwtauth.InvalidClientError):
        attempt()
    answers.append(True)
    assert attempt().client_id == "web"
    # Anything but True, False or a str, and any exception, fail closed.
    for wrong in (None, 1, [True], "".encode(), RuntimeError("db down")):
        answers.append(wrong)
        with pytest.raises(jwtauth.JwtAuthError) as e:
            attempt()
        assert e.value.code == "JWTAUTH_HOOK_FAILED", wrong
        assert e.value.response()[0] == 503
    with pytest.raises(jwtauth.UsageError):
        jwtauth.Verifier("https://as.example.com", policy_hook="not callable")


def test_an_async_policy_hook_in_the_async_variant():
    import asyncio
    import base64

    doc = {"clients": [{"client_id": "web", "token_endpoint_auth_method": "client_secret_basic",
                        "client_secret": "a-secret-of-enough-length"}]}
    registry = jwtauth.Registry.from_json(json.dumps(doc))
    basic = "Basic " + base64.b64encode(b"web:a-secret-of-enough-length").decode()

    async def hook(context):
        await asyncio.sleep(0)
        return context["client_id"] != "web" or "web is suspended"

    auth = jwtauth.Authenticator(jwtauth.Verifier("https://as.example.com", policy_hook=hook), registry)

    async def main():
        with pytest.raises(jwtauth.InvalidClientError) as e:
            await auth.authenticate_async(authorization=basic, body=b"grant_type=client_credentials")
        return e.value

    e = asyncio.run(main())
    assert e.code == "JWTAUTH_POLICY_REFUSED" and "web is suspended" in e.detail


def test_a_hanging_policy_hook_fails_closed_at_the_deadline():
    import base64
    import time

    doc = {"clients": [{"client_id": "web", "token_endpoint_auth_method": "client_secret_basic",
                        "client_secret": "a-secret-of-enough-length"}]}
    registry = jwtauth.Registry.from_json(json.dumps(doc))
    basic = "Basic " + base64.b64encode(b"web:a-secret-of-enough-length").decode()

    def slow(context):
        time.sleep(0.5)
        return True

    auth = jwtauth.Authenticator(jwtauth.Verifier("https://as.example.com", policy_hook=slow), registry)
    with pytest.raises(jwtauth.JwtAuthError) as e:
        auth.authenticate(authorization=basic, body=b"grant_type=client_credentials", timeout=0.1)
    assert e.value.code == "JWTAUTH_HOOK_FAILED"
    # Within the deadline the same hook's True counts.
    assert auth.authenticate(authorization=basic, body=b"grant_type=client_credentials", timeout=5).client_id == "web"


@pytest.mark.parametrize("case", GRANTS["cases"], ids=lambda c: c["id"])
def test_grant_vector(case):
    cfg = GRANTS["defaults"]["config"]
    if "trust_problems" in case:
        with pytest.raises(jwtauth.JwtAuthError) as e:
            jwtauth.TrustTable.from_json(case["trust"], now=case["now"])
        assert sorted(p[1] for p in e.value.problems) == case["trust_problems"]
        return
    table = jwtauth.TrustTable.from_json(case["trust"], now=case["now"])
    store = jwtauth.MemoryReplayStore()

    def make():
        v = jwtauth.Verifier(cfg["issuer"], token_endpoint=cfg["token_endpoint"], replay_store=store,
                             clock=jwtauth.FixedClock(case["now"]))
        registry = jwtauth.Registry.from_json(case["registry"], now=case["now"])
        return jwtauth.Authenticator(v, registry, realm=cfg["realm"], trust=table)

    a, b = make(), make()
    for i, step in enumerate(case["steps"]):
        on = b if step.get("verifier") else a
        expect = step["expect"]
        # Half the steps as the raw body, half as decoded pairs.
        args = {"body": step["body"]} if i % 2 == 0 else {"form": [tuple(p) for p in step["form"]]}
        try:
            r = on.authenticate_grant(authorization=step.get("authorization"), **args)
        except jwtauth.JwtAuthError as e:
            assert "error" in expect, f"{case['id']} step {i}: refused {e.code}, want {expect}"
            resp = e.response()
            assert e.oauth_error == json.loads(resp.body)["error"]
            assert (e.code, resp.status, e.oauth_error, "WWW-Authenticate" in resp.headers) == (
                "JWTAUTH_" + expect["error"], expect["status"], expect["oauth_error"], expect["www_authenticate"]
            ), f"{case['id']} step {i}"
            continue
        assert "error" not in expect, f"{case['id']} step {i}: accepted, want {expect}"
        got = (r.client.client_id if r.client else None, r.client.method if r.client else None, r.grant.issuer, r.grant.subject)
        assert got == (expect["client_id"], expect["method"], expect["grant"]["issuer"], expect["grant"]["subject"]), case["id"]
