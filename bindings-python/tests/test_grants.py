"""JWT bearer grants (RFC 7523 §2.1) with assertions made by PyJWT, keys by
pyca/cryptography: a CI job's OIDC token and a Kubernetes service-account
token exchanged against a trust table; refusals by code."""

import json
import time
import uuid

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import jwtauth

AS = "https://as.example.com"
CI = "https://ci.example.com"
K8S = "https://kubernetes.default.svc.cluster.local"


def jwk_of(private, kid):
    jwk = json.loads(pyjwt.algorithms.get_default_algorithms()[
        "ES256" if isinstance(private, ec.EllipticCurvePrivateKey) else "RS256"].to_jwk(private.public_key()))
    jwk["kid"] = kid
    return jwk


@pytest.fixture(scope="module")
def keys():
    return {"ci": ec.generate_private_key(ec.SECP256R1()), "k8s": rsa.generate_private_key(public_exponent=65537, key_size=2048)}


@pytest.fixture
def table(keys):
    return jwtauth.TrustTable.from_json({"issuers": [
        {"issuer": CI, "jwks": {"keys": [jwk_of(keys["ci"], "ci-1")]}, "subject_prefixes": ["repo:example-org/"],
         "audience": ["issuer"]},
        {"issuer": K8S, "jwks": {"keys": [jwk_of(keys["k8s"], "k8s-1")]}, "subjects": ["system:serviceaccount:payments:api"],
         "require_jti": False, "max_age": 3600, "max_lifetime": 86400},
    ]})


def sign(keys, who, claims):
    alg, kid = ("ES256", "ci-1") if who == "ci" else ("RS256", "k8s-1")
    pem = keys[who].private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pyjwt.encode(claims, pem, algorithm=alg, headers={"kid": kid})


def ci_token(keys, sub="repo:example-org/app:ref:refs/heads/main", **over):
    now = int(time.time())
    claims = {"iss": CI, "sub": sub, "aud": AS, "iat": now, "exp": now + 300, "jti": uuid.uuid4().hex, **over}
    return sign(keys, "ci", claims)


def test_a_ci_token_and_a_service_account_token_are_granted(keys, table):
    v = jwtauth.Verifier(AS, token_endpoint=AS + "/token")
    g = v.verify_grant(ci_token(keys, workflow="deploy"), table)
    assert (g.issuer, g.subject, g.claims["workflow"]) == (CI, "repo:example-org/app:ref:refs/heads/main", "deploy")
    now = int(time.time())
    sa = sign(keys, "k8s", {"iss": K8S, "sub": "system:serviceaccount:payments:api", "iat": now - 60, "exp": now + 3600,
                            "aud": ["https://kubernetes.default.svc", AS + "/token"],
                            "kubernetes.io": {"namespace": "payments", "serviceaccount": {"name": "api"}}})
    g = v.verify_grant(sa, table)
    assert (g.subject, g.jti) == ("system:serviceaccount:payments:api", None)
    assert len(table) == 2


def test_refusals_name_the_rule(keys, table):
    v = jwtauth.Verifier(AS, token_endpoint=AS + "/token")
    cases = [
        (ci_token(keys, iss="https://evil.example"), "JWTAUTH_UNTRUSTED_ISSUER", jwtauth.InvalidGrantError),
        (ci_token(keys, sub="repo:other-org/app"), "JWTAUTH_SUBJECT_NOT_ALLOWED", jwtauth.InvalidGrantError),
        (ci_token(keys, aud=AS + "/token"), "JWTAUTH_AUDIENCE_MISMATCH", jwtauth.InvalidGrantError),
        (ci_token(keys, exp=int(time.time()) - 120), "JWTAUTH_EXPIRED", jwtauth.InvalidGrantError),
    ]
    for token, code, kind in cases:
        with pytest.raises(kind) as e:
            v.verify_grant(token, table)
        # Every refusal of a grant is answered invalid_grant, 400, whatever rule failed.
        assert (e.value.code, e.value.status) == (code, 400)
        assert json.loads(e.value.response().body)["error"] == "invalid_grant"
    # Used once, even by another verifier sharing the store.
    store = jwtauth.MemoryReplayStore()
    a, b = jwtauth.Verifier(AS, replay_store=store), jwtauth.Verifier(AS, replay_store=store)
    once = ci_token(keys)
    a.verify_grant(once, table)
    with pytest.raises(jwtauth.InvalidGrantError) as e:
        b.verify_grant(once, table)
    assert e.value.code == "JWTAUTH_REPLAYED"


def test_a_trust_table_with_problems_lists_them(keys):
    with pytest.raises(jwtauth.InvalidCredentialError) as e:
        jwtauth.TrustTable.from_json({"issuers": [{"issuer": CI, "jwks": {"keys": [jwk_of(keys["ci"], "a")]}},
                                                  {"issuer": "https://b.example", "jwks_uri": "http://b.example/jwks",
                                                   "subjects": ["x"]}]})
    where = {p[1] for p in e.value.problems}
    assert {"/issuers/0/subjects", "/issuers/1/jwks_uri"} <= where, where


SECRET = "a-client-secret-of-enough-length-0123456789"


def authenticator(table, **kw):
    registry = jwtauth.Registry.from_json({"clients": [
        {"client_id": "worker", "token_endpoint_auth_method": "client_secret_basic", "client_secret": SECRET}]})
    return jwtauth.Authenticator(jwtauth.Verifier(AS, token_endpoint=AS + "/token", **kw), registry, trust=table)


def basic(user, secret):
    import base64
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


def test_a_grant_request_returns_the_client_and_the_grant(keys, table):
    a = authenticator(table)
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": ci_token(keys), "scope": "deploy"}
    r = a.authenticate_grant(authorization=basic("worker", SECRET), form=form)
    assert (r.client.client_id, r.client.method) == ("worker", "client_secret_basic")
    assert (r.grant.issuer, r.grant.subject) == (CI, "repo:example-org/app:ref:refs/heads/main")
    assert "worker" in repr(r) and CI in repr(r)
    # The same as a raw body, and through the headers mapping.
    import urllib.parse
    form["assertion"] = ci_token(keys)
    r = a.authenticate_grant({"Authorization": basic("worker", SECRET)}, body=urllib.parse.urlencode(form))
    assert r.grant.issuer == CI
    # No client authentication: invalid_client, 401; the grant's jti is not spent.
    form["assertion"] = ci_token(keys)
    with pytest.raises(jwtauth.InvalidClientError) as e:
        a.authenticate_grant(form=form)
    assert (e.value.code, e.value.status) == ("JWTAUTH_NO_CLIENT_AUTHENTICATION", 401)
    assert a.authenticate_grant(authorization=basic("worker", SECRET), form=form).grant.subject
    # A second grant in the request, a repeated assertion: invalid_request.
    with pytest.raises(jwtauth.InvalidRequestError) as e:
        a.authenticate_grant(authorization=basic("worker", SECRET), form={**form, "code": "abc"})
    assert e.value.code == "JWTAUTH_MULTIPLE_GRANTS"
    with pytest.raises(jwtauth.InvalidRequestError) as e:
        a.authenticate_grant(authorization=basic("worker", SECRET), form={**form, "assertion": [form["assertion"], "x"]})
    assert e.value.code == "JWTAUTH_REPEATED_PARAMETER"
    # A refused grant: invalid_grant, 400, no WWW-Authenticate.
    with pytest.raises(jwtauth.InvalidGrantError) as e:
        a.authenticate_grant(authorization=basic("worker", SECRET), form={**form, "assertion": ci_token(keys, sub="repo:x/y")})
    r = e.value.response()
    assert (r.status, json.loads(r.body)["error"], dict(r.headers).get("WWW-Authenticate")) == (400, "invalid_grant", None)


def test_anonymous_grants_and_the_async_variant(keys):
    import asyncio
    doc = {"client_authentication": "optional", "issuers": [
        {"issuer": CI, "jwks": {"keys": [jwk_of(keys["ci"], "ci-1")]}, "subject_prefixes": ["repo:example-org/"]}]}
    a = authenticator(jwtauth.TrustTable.from_json(doc))
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": ci_token(keys)}
    r = asyncio.run(a.authenticate_grant_async(form=form))
    assert r.client is None and r.grant.issuer == CI
    with pytest.raises(jwtauth.InvalidGrantError) as e:
        asyncio.run(a.authenticate_grant_async(form=form))
    assert e.value.code == "JWTAUTH_REPLAYED"


def test_explain_grant_names_the_failed_rule(keys, table):
    v = jwtauth.Verifier(AS, token_endpoint=AS + "/token")
    ok = v.explain_grant(ci_token(keys), table)
    assert (ok["verdict"], ok["issuer"], ok["subject"]) == ("accepted", CI, "repo:example-org/app:ref:refs/heads/main")
    assert all(s["status"] == "pass" for s in ok["steps"])
    bad = v.explain_grant(ci_token(keys, sub="repo:other-org/app"), table)
    failed = [s for s in bad["steps"] if s["status"] == "fail"]
    assert bad["error"] == "JWTAUTH_SUBJECT_NOT_ALLOWED" and [s["name"] for s in failed] == ["subject"]
    assert "subject_prefixes" in failed[0]["fix"] and bad["response"]["status"] == 400


def test_authlib_signs_the_grant(keys, table):
    """Authlib's JWT bearer grant signer (what its AssertionSession sends)."""
    from authlib.oauth2.rfc7523 import JWTBearerGrant
    pem = keys["ci"].private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption())
    assertion = JWTBearerGrant.sign(pem, issuer=CI, audience=AS, subject="repo:example-org/app", header={"alg": "ES256", "kid": "ci-1"},
                                    expires_in=300)
    a = authenticator(table)
    r = a.authenticate_grant(authorization=basic("worker", SECRET),
                             form={"grant_type": JWTBearerGrant.GRANT_TYPE, "assertion": assertion.decode() if isinstance(assertion, bytes) else assertion})
    assert (r.grant.issuer, r.grant.subject) == (CI, "repo:example-org/app")
    assert r.grant.jti, "Authlib puts a jti in each assertion"


def test_the_library_signs_a_grant():
    """A workload holding its own key signs its grant with `subject=`."""
    key = jwtauth.SigningKey.generate("ES256", kid="svc-1")
    table = jwtauth.TrustTable.from_json({"issuers": [
        {"issuer": "https://svc.example", "jwks": {"keys": [key.public_jwk()]}, "subjects": ["batch-job"]}]})
    g = jwtauth.sign(key, "https://svc.example", AS, subject="batch-job")
    assert g.subject == "batch-job" and g.form == {"grant_type": jwtauth.JWT_BEARER_GRANT_TYPE, "assertion": g.assertion}
    assert g.form_body.startswith("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=ey")
    assert pyjwt.get_unverified_header(g.assertion)["typ"] == "JWT"
    got = jwtauth.Verifier(AS).verify_grant(g.assertion, table)
    assert (got.issuer, got.subject) == ("https://svc.example", "batch-job")
    # A client assertion has no subject and keeps its form.
    c = jwtauth.sign(key, "client-1", AS)
    assert c.subject is None and set(c.form) == {"client_id", "client_assertion_type", "client_assertion"}


def test_subjects_host_asks_the_subject_hook_and_fails_closed(keys):
    import asyncio
    seen = []

    def hosted(hook):
        return jwtauth.TrustTable.from_json(
            {"issuers": [{"issuer": CI, "jwks": {"keys": [jwk_of(keys["ci"], "ci-1")]}, "subjects": "host"}]},
            subject_hook=hook)

    def allow_org(issuer, subject):
        seen.append((issuer, subject))
        return subject.startswith("repo:example-org/")

    v = jwtauth.Verifier(AS)
    assert v.verify_grant(ci_token(keys), hosted(allow_org)).issuer == CI
    assert seen == [(CI, "repo:example-org/app:ref:refs/heads/main")]
    with pytest.raises(jwtauth.InvalidGrantError) as e:
        v.verify_grant(ci_token(keys, sub="repo:x/y"), hosted(allow_org))
    assert e.value.code == "JWTAUTH_SUBJECT_NOT_ALLOWED"

    def boom(issuer, subject):
        raise RuntimeError("db down")

    for hook in (boom, lambda i, s: "yes", lambda i, s: 1, lambda i, s: None):
        with pytest.raises(jwtauth.ServerError) as e:
            v.verify_grant(ci_token(keys), hosted(hook))
        assert (e.value.code, e.value.status) == ("JWTAUTH_HOOK_FAILED", 503)

    # An async hook in the async request call.
    async def allow(issuer, subject):
        await asyncio.sleep(0)
        return True

    a = authenticator(hosted(allow))
    form = {"grant_type": jwtauth.JWT_BEARER_GRANT_TYPE, "assertion": ci_token(keys)}
    r = asyncio.run(a.authenticate_grant_async(authorization=basic("worker", SECRET), form=form))
    assert r.grant.issuer == CI
    with pytest.raises(jwtauth.UsageError):
        jwtauth.TrustTable.from_json({"issuers": []}, subject_hook="not callable")
