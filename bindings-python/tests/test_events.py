"""The event hook: every outcome told once, for logs and audit trails —
who, how, under which profile, how long — never a secret or an assertion;
and nothing the hook does (raise, return a coroutine) changes an outcome.
Assertions are signed by PyJWT, keys made by pyca/cryptography."""

import asyncio
import base64
import json
import sys
import time
import uuid

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import jwtauth

ISSUER = "https://as.example.com"
SECRET = "a-secret-of-enough-length"


@pytest.fixture(scope="module")
def keys():
    private = ec.generate_private_key(ec.SECP256R1())
    priv = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    pub = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return priv, pub.decode()


def registry(pub):
    return jwtauth.Registry.from_json({"clients": [
        {"client_id": "svc", "token_endpoint_auth_method": "private_key_jwt", "credentials": [{"pem": pub}]},
        {"client_id": "strict", "token_endpoint_auth_method": "private_key_jwt", "credentials": [{"pem": pub}],
         "profile": "fapi2"},
        {"client_id": "web", "token_endpoint_auth_method": "client_secret_basic", "client_secret": SECRET},
    ]})


def assertion(priv, sub="svc"):
    now = int(time.time())
    claims = {"iss": sub, "sub": sub, "aud": ISSUER, "iat": now, "exp": now + 60, "jti": uuid.uuid4().hex}
    return pyjwt.encode(claims, priv, algorithm="ES256")


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_every_outcome_is_told_once(keys):
    priv, pub = keys
    events = []
    verifier = jwtauth.Verifier(ISSUER, event_hook=events.append, report_profile="fapi2")
    reg = registry(pub)
    auth = jwtauth.Authenticator(verifier, reg)

    token = assertion(priv)
    assert verifier.verify(token, reg).client_id == "svc"
    with pytest.raises(jwtauth.InvalidClientError):
        verifier.verify(token, reg)  # replayed
    ok, replayed = events
    assert ok["outcome"] == "accepted" and ok["code"] is None and ok["status"] is None
    assert (ok["client_id"], ok["method"], ok["alg"], ok["profile"], ok["endpoint"]) == (
        "svc", "private_key_jwt", "ES256", "compat", "token_endpoint")
    assert isinstance(ok["duration_us"], int) and ok["duration_us"] > 0
    assert ok["would_refuse"] is None  # fapi2 has nothing against an ES256 private_key_jwt
    assert (replayed["outcome"], replayed["code"], replayed["status"], replayed["error"]) == (
        "refused", "JWTAUTH_REPLAYED", 401, "invalid_client")
    # The event's code and status are the error table's.
    assert (replayed["status"], replayed["error"]) == (
        jwtauth.CODES["REPLAYED"].http_status, jwtauth.CODES["REPLAYED"].oauth_error)

    # A client registered under fapi2: its own profile, accepted or refused.
    events.clear()
    assert verifier.verify(assertion(priv, "strict"), reg).client_id == "strict"
    other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(jwtauth.InvalidClientError):
        verifier.verify(assertion(other, "strict"), reg)
    assert [(e["client_id"], e["profile"], e["code"]) for e in events] == [
        ("strict", "fapi2", None), ("strict", "fapi2", "JWTAUTH_SIGNATURE_INVALID")]

    # The authenticator: one event per request; what a refusal named.
    events.clear()
    body = b"grant_type=client_credentials"
    assert auth.authenticate(authorization=basic("web", SECRET), body=body).client_id == "web"
    with pytest.raises(jwtauth.InvalidClientError):
        auth.authenticate(authorization=basic("web", "guess-the-secret-1234"), body=body)
    form = {"grant_type": "client_credentials", "client_assertion_type": jwtauth.CLIENT_ASSERTION_TYPE,
            "client_assertion": assertion(priv, "nobody")}
    with pytest.raises(jwtauth.InvalidClientError):
        auth.authenticate(form=form)
    assert [(e["outcome"], e["client_id"], e["method"], e["code"]) for e in events] == [
        ("accepted", "web", "client_secret_basic", None),
        ("refused", "web", "client_secret_basic", "JWTAUTH_INVALID_SECRET"),
        ("refused", "nobody", "private_key_jwt", "JWTAUTH_UNKNOWN_CLIENT"),
    ]
    # The report-only profile's verdict rides on the accepted event.
    assert events[0]["would_refuse"]["code"] == "JWTAUTH_AUTH_METHOD_MISMATCH"
    # Never a secret, an assertion or its signature.
    text = json.dumps(events)
    for needle in (SECRET, "guess-the-secret-1234", form["client_assertion"],
                   form["client_assertion"].rsplit(".", 1)[1]):
        assert needle not in text

    # Explanations tell nothing.
    events.clear()
    verifier.explain(assertion(priv), reg)
    auth.explain(authorization=basic("web", SECRET), body=body)
    assert events == []


def test_the_async_variants_tell_it_too(keys):
    priv, pub = keys
    events = []
    verifier = jwtauth.Verifier(ISSUER, event_hook=events.append)
    reg = registry(pub)

    async def main():
        return await verifier.verify_async(assertion(priv), reg)

    assert asyncio.run(main()).client_id == "svc"
    assert [(e["outcome"], e["client_id"]) for e in events] == [("accepted", "svc")]


def test_nothing_the_hook_does_changes_an_outcome(keys, monkeypatch):
    priv, pub = keys
    reg = registry(pub)
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    def raising(event):
        raise RuntimeError("the log server is down")

    verifier = jwtauth.Verifier(ISSUER, event_hook=raising)
    token = assertion(priv)
    assert verifier.verify(token, reg).client_id == "svc"
    with pytest.raises(jwtauth.InvalidClientError) as e:
        verifier.verify(token, reg)
    assert e.value.code == "JWTAUTH_REPLAYED"
    assert [type(u.exc_value) for u in unraisable] == [RuntimeError, RuntimeError]
    assert unraisable[0].object is raising

    # An async def hook: its coroutine is closed (no "never awaited"
    # warning) and the host is told it must be a plain function.
    unraisable.clear()
    started = []

    async def coroutine_hook(event):
        started.append(event)

    verifier = jwtauth.Verifier(ISSUER, event_hook=coroutine_hook)
    assert verifier.verify(assertion(priv), reg).client_id == "svc"
    assert started == [] and len(unraisable) == 1
    assert isinstance(unraisable[0].exc_value, TypeError)
    assert "plain function" in str(unraisable[0].exc_value)

    # A hook that verifies from inside: bounded, the outer outcome stands.
    inner = []

    def reentrant(event):
        inner.append(event)
        with pytest.raises(jwtauth.JwtAuthError):
            verifier.verify("not-a-jwt", reg)

    verifier = jwtauth.Verifier(ISSUER, event_hook=reentrant)
    with pytest.raises(jwtauth.JwtAuthError) as e:
        verifier.verify("not-a-jwt", reg)
    assert e.value.code == "JWTAUTH_MALFORMED_JWS"
    assert 2 <= len(inner) <= 16

    with pytest.raises(jwtauth.UsageError):
        jwtauth.Verifier(ISSUER, event_hook="not callable")
