"""`jwtauth serve` (the command line's token endpoint, over TLS) with real
Python clients that find it through its metadata: Authlib with every method
(client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt,
and none through the test authorization_code grant), MSAL for Python with a
secret and with a certificate. Each refusal is on /attempts with its failed
rule and fix. The binary: $JWTAUTH_BIN (bindings-python/tests/run.sh builds it)."""

import base64
import glob
import hashlib
import json
import os
import socket
import subprocess
import threading
import urllib.parse

import msal
import pytest
import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import ClientSecretJWT, PrivateKeyJWT
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc.jwk import ECKey

from test_certificate_clients import certificate, key_pem, pem

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SECRET = "a-client-secret-of-enough-length-0123456789"


def binary():
    path = os.environ.get("JWTAUTH_BIN")
    if not path:
        found = sorted(glob.glob(os.path.join(ROOT, "target", "*", "release", "jwtauth")) + glob.glob(os.path.join(ROOT, "target", "release", "jwtauth")))
        assert found, "no jwtauth binary: cargo build --release -p jwtauth-cli (or set JWTAUTH_BIN)"
        path = found[0]
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    d = tmp_path_factory.mktemp("serve")
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = certificate(ca_key, "jwtauth test CA", ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = certificate(server_key, "127.0.0.1", issuer="jwtauth test CA", issuer_key=ca_key, san_ip="127.0.0.1")
    (d / "ca.pem").write_text(pem(ca))
    (d / "server.pem").write_text(pem(server_cert))
    (d / "server.key").write_text(key_pem(server_key))

    es_key = ec.generate_private_key(ec.SECP256R1())
    es_public = es_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    cert_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client_cert = certificate(cert_key, "msal test client")
    der = client_cert.public_bytes(serialization.Encoding.DER)
    doc = {
        "clients": [
            {"client_id": "basic", "token_endpoint_auth_method": "client_secret_basic", "client_secret": SECRET},
            {"client_id": "post", "token_endpoint_auth_method": "client_secret_post", "client_secret": SECRET},
            {"client_id": "hmac", "token_endpoint_auth_method": "client_secret_jwt", "client_secret": SECRET},
            {"client_id": "es256", "token_endpoint_auth_method": "private_key_jwt", "credentials": [{"pem": es_public}]},
            {"client_id": "msal-cert", "token_endpoint_auth_method": "private_key_jwt", "credentials": [{"pem": pem(client_cert)}]},
            {"client_id": "public", "token_endpoint_auth_method": "none"},
        ]
    }
    (d / "clients.json").write_text(json.dumps(doc))
    # An issuer with a path, as MSAL wants one: a free port is chosen first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    issuer = f"https://127.0.0.1:{port}/tenant"
    proc = subprocess.Popen(
        [binary(), "serve", "--registry", "clients.json", "--listen", f"127.0.0.1:{port}", "--issuer", issuer,
         "--log", "json", "--tls-cert", "server.pem", "--tls-key", "server.key"],
        cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    first = proc.stderr.readline()
    assert "listening on https://" in first, first + proc.stderr.read()
    origin = first.split("listening on ")[1].split(" ")[0]
    base = issuer
    # Keep draining the pipes so the server never blocks on them.
    log = []
    threading.Thread(target=lambda: [log.append(json.loads(line)) for line in proc.stdout], daemon=True).start()
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    session = requests.Session()
    session.trust_env = False
    session.verify = str(d / "ca.pem")
    # Discovery: everything below uses the metadata's token endpoint.
    meta = session.get(origin + "/.well-known/oauth-authorization-server/tenant").json()
    assert meta["issuer"] == base and meta["token_endpoint"] == base + "/token"
    assert session.get(base + "/.well-known/openid-configuration").json() == meta
    yield {
        "base": base, "origin": origin, "meta": meta, "ca": str(d / "ca.pem"), "session": session, "log": log,
        "es_pem": key_pem(es_key), "cert_key": key_pem(cert_key), "cert_pem": pem(client_cert),
        "sha1": hashlib.sha1(der).hexdigest(),
    }
    proc.terminate()
    assert proc.wait(20) == 0


def authlib(server, client_id, secret=None, method=None):
    s = OAuth2Session(client_id, secret, token_endpoint_auth_method=method)
    s.verify = server["ca"]
    s.trust_env = False
    return s


def last_attempt(server):
    return server["session"].get(server["origin"] + "/attempts").json()["attempts"][0]


@pytest.mark.parametrize("client_id,method", [
    ("basic", "client_secret_basic"),
    ("post", "client_secret_post"),
    ("hmac", "client_secret_jwt"),
    ("es256", "private_key_jwt"),
])
def test_authlib_every_method_through_the_metadata(server, client_id, method):
    meta = server["meta"]
    assert method in meta["token_endpoint_auth_methods_supported"]
    url = meta["token_endpoint"]
    if method == "client_secret_jwt":
        s = authlib(server, client_id, SECRET, ClientSecretJWT(url))
    elif method == "private_key_jwt":
        assert "ES256" in meta["token_endpoint_auth_signing_alg_values_supported"]
        s = authlib(server, client_id, ECKey.import_key(server["es_pem"]), PrivateKeyJWT(url, alg="ES256"))
    else:
        s = authlib(server, client_id, SECRET, method)
    token = s.fetch_token(url, grant_type="client_credentials")
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    a = last_attempt(server)
    assert (a["verdict"], a["client_id"], a["method"]) == ("accepted", client_id, method)


def test_authlib_refusals_are_explained(server):
    url = server["meta"]["token_endpoint"]
    with pytest.raises(OAuthError) as e:
        authlib(server, "basic", "not-the-secret", "client_secret_basic").fetch_token(url, grant_type="client_credentials")
    assert e.value.error == "invalid_client"
    a = last_attempt(server)
    assert (a["verdict"], a["client_id"], a["failed"]["name"]) == ("refused", "basic", "secret")
    assert "not-the-secret" not in json.dumps(a)
    # An assertion for another audience: rule 7, and the fix names this server.
    bad = PrivateKeyJWT("https://elsewhere.example/token", alg="ES256")
    with pytest.raises(OAuthError):
        authlib(server, "es256", ECKey.import_key(server["es_pem"]), bad).fetch_token(url, grant_type="client_credentials")
    a = last_attempt(server)
    assert a["error"] == "JWTAUTH_AUDIENCE_MISMATCH" and a["failed"]["rule"] == 7
    assert server["base"] in a["failed"]["fix"]
    assert a["claims"]["aud"] == "https://elsewhere.example/token"
    # The JSON log line of the same attempt.
    assert any(line.get("error") == "JWTAUTH_AUDIENCE_MISMATCH" for line in server["log"])


def test_authlib_public_client_with_the_authorization_code_grant(server):
    meta = server["meta"]
    redirect = "http://127.0.0.1/callback"
    s = authlib(server, "public", method="none")
    s.redirect_uri = redirect
    uri, state = s.create_authorization_url(meta["authorization_endpoint"])
    r = server["session"].get(uri, allow_redirects=False)
    assert r.status_code == 302, r.text
    location = r.headers["Location"]
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert q["state"] == state and q["iss"] == server["base"]
    token = s.fetch_token(meta["token_endpoint"], authorization_response=location)
    assert token["token_type"] == "Bearer"
    a = last_attempt(server)
    assert (a["grant_type"], a["method"], a["client_id"]) == ("authorization_code", "none", "public")


def msal_app(server, client_id, credential):
    return msal.ConfidentialClientApplication(
        client_id, oidc_authority=server["base"], client_credential=credential,
        http_client=server["session"], instance_discovery=False,
    )


def test_msal_with_a_secret(server):
    # MSAL sends the secret in the form: client_secret_post.
    app = msal_app(server, "post", SECRET)
    result = app.acquire_token_for_client(scopes=["api://resource/.default"])
    assert result.get("token_type") == "Bearer", result
    assert last_attempt(server)["method"] == "client_secret_post"


@pytest.mark.parametrize("mode", ["thumbprint", "subject-name-issuer"])
def test_msal_with_a_certificate(server, mode):
    credential = {"private_key": server["cert_key"], "thumbprint": server["sha1"]}
    if mode == "subject-name-issuer":
        credential["public_certificate"] = server["cert_pem"]
    result = msal_app(server, "msal-cert", credential).acquire_token_for_client(scopes=["api://resource/.default"])
    assert result.get("token_type") == "Bearer", result
    a = last_attempt(server)
    assert (a["client_id"], a["method"], a["alg"]) == ("msal-cert", "private_key_jwt", "RS256")
    assert "x5t" in a["header"] or "x5t#S256" in a["header"]


def test_msal_with_a_wrong_secret_is_refused_and_explained(server):
    result = msal_app(server, "post", "wrong-secret-wrong-secret").acquire_token_for_client(scopes=["x/.default"])
    assert result.get("error") == "invalid_client", result
    a = last_attempt(server)
    assert (a["client_id"], a["failed"]["name"]) == ("post", "secret")
    assert a["failed"]["fix"]
