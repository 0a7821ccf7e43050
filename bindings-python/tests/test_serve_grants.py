"""`jwtauth serve --trust` with Authlib's JWT bearer grant client
(`AssertionSession`, RFC 7523 §2.1): a workload's token exchanged for an
access token, with the client authenticating by client_secret_basic; the
refusals on /attempts with the failed rule; `jwtauth explain --grant` on a
Kubernetes-style service-account token made by PyJWT."""

import json
import subprocess
import threading
import time

import jwt as pyjwt
import pytest
import requests
from authlib.integrations.requests_client import AssertionSession
from authlib.oauth2.base import OAuth2Error
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from test_serve import binary

SECRET = "a-client-secret-of-enough-length-0123456789"
CI = "https://ci.example.com"
K8S = "https://kubernetes.default.svc.cluster.local"
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def pkcs8(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def jwk(key, alg, kid):
    j = json.loads(pyjwt.algorithms.get_default_algorithms()[alg].to_jwk(key.public_key()))
    return {**j, "kid": kid}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    d = tmp_path_factory.mktemp("grants")
    ci_key, k8s_key = ec.generate_private_key(ec.SECP256R1()), rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (d / "clients.json").write_text(json.dumps({"clients": [
        {"client_id": "worker", "token_endpoint_auth_method": "client_secret_basic", "client_secret": SECRET}]}))
    (d / "trust.json").write_text(json.dumps({"issuers": [
        {"issuer": CI, "jwks": {"keys": [jwk(ci_key, "ES256", "ci-1")]}, "subject_prefixes": ["repo:example-org/"]},
        {"issuer": K8S, "jwks": {"keys": [jwk(k8s_key, "RS256", "k8s-1")]}, "subjects": ["system:serviceaccount:payments:api"],
         "require_jti": False, "max_age": 3600, "max_lifetime": 86400},
    ]}))
    proc = subprocess.Popen(
        [binary(), "serve", "--registry", "clients.json", "--trust", "trust.json", "--listen", "127.0.0.1:0", "--log", "json"],
        cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    first = proc.stderr.readline()
    assert "listening on http://" in first and "2 trusted grant issuers" in first, first + proc.stderr.read()
    base = first.split("listening on ")[1].split(" ")[0]
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    session = requests.Session()
    session.trust_env = False
    yield {"base": base, "dir": d, "session": session, "ci_key": ci_key, "k8s_key": k8s_key}
    proc.terminate()
    assert proc.wait(20) == 0


def attempts(server):
    return server["session"].get(server["base"] + "/attempts").json()["attempts"]


def assertion_session(server, subject, auth=True):
    meta = server["session"].get(server["base"] + "/.well-known/oauth-authorization-server").json()
    assert GRANT in meta["grant_types_supported"]
    s = AssertionSession(meta["token_endpoint"], issuer=CI, subject=subject, audience=meta["issuer"],
                         key=pkcs8(server["ci_key"]), header={"alg": "ES256", "kid": "ci-1"}, expires_in=300)
    s.trust_env = False
    if auth:
        s.auth = ("worker", SECRET)  # client_secret_basic on the grant request
    return s


def test_authlib_assertion_session_gets_a_token(server):
    s = assertion_session(server, "repo:example-org/app:ref:refs/heads/main")
    token = s.refresh_token()
    assert token["token_type"] == "Bearer" and len(token["access_token"]) >= 40
    a = attempts(server)[0]
    assert (a["verdict"], a["client_id"], a["method"]) == ("accepted", "worker", "client_secret_basic")
    assert (a["issuer"], a["subject"]) == (CI, "repo:example-org/app:ref:refs/heads/main")
    assert a["grant"]["claims"]["iss"] == CI
    assert "eyJ" not in json.dumps(a), "the record holds the decoded claims, never the assertion"
    metrics = server["session"].get(server["base"] + "/metrics").text
    assert "jwtauth_grants_accepted_total 1" in metrics, metrics


def test_refusals_are_invalid_grant_with_the_failed_rule(server):
    with pytest.raises(OAuth2Error) as e:
        assertion_session(server, "repo:other-org/app").refresh_token()
    assert e.value.error == "invalid_grant"
    a = attempts(server)[0]
    assert (a["verdict"], a["status"], a["error"]) == ("refused", 400, "JWTAUTH_SUBJECT_NOT_ALLOWED")
    assert a["failed"]["name"] == "subject" and "subject_prefixes" in a["failed"]["fix"]
    # No client authentication: the client's refusal (invalid_client, 401), explained by the client's steps.
    with pytest.raises(OAuth2Error) as e:
        assertion_session(server, "repo:example-org/app", auth=False).refresh_token()
    assert e.value.error == "invalid_client"
    a = attempts(server)[0]
    assert (a["status"], a["error"]) == (401, "JWTAUTH_NO_CLIENT_AUTHENTICATION")
    # Another grant's parameter beside the assertion: invalid_request.
    r = server["session"].post(server["base"] + "/token", auth=("worker", SECRET),
                               data={"grant_type": GRANT, "assertion": "x.y.z", "code": "abc"})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")


def k8s_token(server, sub="system:serviceaccount:payments:api"):
    now = int(time.time())
    claims = {"iss": K8S, "sub": sub, "aud": ["https://kubernetes.default.svc", "https://as.example.com"],
              "iat": now - 60, "nbf": now - 60, "exp": now + 3600,
              "kubernetes.io": {"namespace": "payments", "serviceaccount": {"name": "api", "uid": "4f6c"}}}
    return pyjwt.encode(claims, pkcs8(server["k8s_key"]), algorithm="RS256", headers={"kid": "k8s-1"})


def test_explain_grant_on_a_service_account_token(server):
    cmd = [binary(), "explain", "--grant", "--trust", str(server["dir"] / "trust.json"), "--issuer", "https://as.example.com"]
    ok = subprocess.run(cmd + [k8s_token(server)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"ACCEPTED: grant from {K8S} for subject system:serviceaccount:payments:api" in ok.stdout
    bad = subprocess.run(cmd + ["--json", k8s_token(server, "system:serviceaccount:payments:admin")], capture_output=True, text=True)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    doc = json.loads(bad.stdout)
    assert (doc["error"], doc["issuer"], doc["subject"]) == ("JWTAUTH_SUBJECT_NOT_ALLOWED", K8S, "system:serviceaccount:payments:admin")
    assert [s["name"] for s in doc["steps"] if s["status"] == "fail"] == ["subject"]
    assert doc["response"]["status"] == 400
