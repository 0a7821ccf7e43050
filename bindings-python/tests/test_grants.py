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
        (ci_token(keys, aud=AS + "/token"), "JWTAUTH_AUDIENCE_MISMATCH", jwtauth.InvalidClientError),
        (ci_token(keys, exp=int(time.time()) - 120), "JWTAUTH_EXPIRED", jwtauth.InvalidClientError),
    ]
    for token, code, kind in cases:
        with pytest.raises(kind) as e:
            v.verify_grant(token, table)
        assert e.value.code == code
    # Used once, even by another verifier sharing the store.
    store = jwtauth.MemoryReplayStore()
    a, b = jwtauth.Verifier(AS, replay_store=store), jwtauth.Verifier(AS, replay_store=store)
    once = ci_token(keys)
    a.verify_grant(once, table)
    with pytest.raises(jwtauth.InvalidClientError) as e:
        b.verify_grant(once, table)
    assert e.value.code == "JWTAUTH_REPLAYED"


def test_a_trust_table_with_problems_lists_them(keys):
    with pytest.raises(jwtauth.InvalidCredentialError) as e:
        jwtauth.TrustTable.from_json({"issuers": [{"issuer": CI, "jwks": {"keys": [jwk_of(keys["ci"], "a")]}},
                                                  {"issuer": "https://b.example", "jwks_uri": "http://b.example/jwks",
                                                   "subjects": ["x"]}]})
    where = {p[1] for p in e.value.problems}
    assert {"/issuers/0/subjects", "/issuers/1/jwks_uri"} <= where, where
