"""Certificate credentials as real clients send them: MSAL for Python in both
certificate modes (thumbprint: x5t; subject name/issuer: x5t#S256 + x5c)
against bindings-python/examples/token_endpoint.py over TLS, discovered through its
OpenID configuration; PyJWT with x5t#S256. The registration is a JWK Set as
Entra ID and Auth0 export it (kid, x5c, x5t, x5t#S256), or the same
certificate as PEM."""

import base64
import datetime
import hashlib
import ipaddress
import json
import os
import sys
import threading
import time
import uuid

import jwt
import msal
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

import jwtauth

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
import token_endpoint  # noqa: E402


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def certificate(key, subject, issuer=None, issuer_key=None, ca=False, san_ip=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer or subject)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san_ip:
        b = b.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(san_ip))]), critical=False)
    return b.sign(issuer_key or key, hashes.SHA256())


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    # A throw-away CA and a server certificate for 127.0.0.1 (MSAL insists on https).
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = certificate(ca_key, "jwtauth test CA", ca=True)
    server_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server = certificate(server_key, "127.0.0.1", issuer="jwtauth test CA", issuer_key=ca_key, san_ip="127.0.0.1")
    (d / "ca.pem").write_text(pem(ca))
    (d / "server.pem").write_text(pem(server))
    (d / "server.key").write_text(key_pem(server_key))

    # The client's certificate credential.
    client_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client_cert = certificate(client_key, "jwtauth test client")
    der = client_cert.public_bytes(serialization.Encoding.DER)
    numbers = client_key.public_key().public_numbers()
    entra_jwk = {
        "kty": "RSA",
        "n": b64u(numbers.n.to_bytes(256, "big")),
        "e": b64u(numbers.e.to_bytes(3, "big")),
        "kid": "entra-key-1",
        "use": "sig",
        "x5c": [base64.b64encode(der).decode()],
        "x5t": b64u(hashlib.sha1(der).digest()),
        "x5t#S256": b64u(hashlib.sha256(der).digest()),
    }
    doc = {
        "clients": [
            {"client_id": "entra-app", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [entra_jwk]}},
            {"client_id": "pem-app", "token_endpoint_auth_method": "private_key_jwt", "credentials": [{"pem": pem(client_cert)}]},
        ]
    }
    (d / "clients.json").write_text(json.dumps(doc))

    started = threading.Event()
    holder, log = {}, []

    def ready(s):
        holder["server"] = s
        started.set()

    t = threading.Thread(
        target=token_endpoint.serve,
        args=(str(d / "clients.json"),),
        kwargs={"port": 0, "ready": ready, "log": log.append, "tls_cert": str(d / "server.pem"), "tls_key": str(d / "server.key")},
        daemon=True,
    )
    t.start()
    assert started.wait(10)
    port = holder["server"].server_address[1]
    session = requests.Session()
    session.trust_env = False
    session.verify = str(d / "ca.pem")
    yield {
        "base": f"https://127.0.0.1:{port}",
        "session": session,
        "key_pem": key_pem(client_key),
        "cert_pem": pem(client_cert),
        "sha1_hex": hashlib.sha1(der).hexdigest(),
        "s256": entra_jwk["x5t#S256"],
        "log": log,
    }
    holder["server"].shutdown()


def msal_app(setup, client_id, credential):
    return msal.ConfidentialClientApplication(
        client_id,
        authority=setup["base"] + "/tenant",
        client_credential=credential,
        http_client=setup["session"],
        instance_discovery=False,
    )


@pytest.mark.parametrize("client_id", ["entra-app", "pem-app"])
@pytest.mark.parametrize("mode", ["thumbprint", "subject-name-issuer"])
def test_msal_confidential_client_with_a_certificate(setup, client_id, mode):
    credential = {"private_key": setup["key_pem"], "thumbprint": setup["sha1_hex"]}
    if mode == "subject-name-issuer":
        credential["public_certificate"] = setup["cert_pem"]
    app = msal_app(setup, client_id, credential)
    result = app.acquire_token_for_client(scopes=["api://resource/.default"])
    assert result.get("token_type") == "Bearer", (result, setup["log"][-1:])
    assert f"issued a token to {client_id} (private_key_jwt)" in setup["log"]


def test_msal_assertions_are_refused_when_replayed(setup):
    # Capture MSAL's own request, then send it again.
    sent = []

    class Recording(requests.Session):
        def post(self, url, **kw):
            sent.append((url, kw.get("data")))
            return super().post(url, **kw)

    s = Recording()
    s.trust_env = False
    s.verify = setup["session"].verify
    app = msal.ConfidentialClientApplication(
        "entra-app",
        authority=setup["base"] + "/tenant",
        client_credential={"private_key": setup["key_pem"], "thumbprint": setup["sha1_hex"], "public_certificate": setup["cert_pem"]},
        http_client=s,
        instance_discovery=False,
    )
    assert app.acquire_token_for_client(scopes=["api://resource/.default"]).get("token_type") == "Bearer"
    url, data = sent[-1]
    again = setup["session"].post(url, data=data)
    assert again.status_code == 401 and again.json()["error"] == "invalid_client"
    assert any("REPLAYED" in line for line in setup["log"])


def test_pyjwt_with_x5t_s256(setup):
    now = int(time.time())
    claims = {"iss": "entra-app", "sub": "entra-app", "aud": setup["base"] + "/token", "jti": str(uuid.uuid4()), "iat": now, "exp": now + 300}
    assertion = jwt.encode(claims, setup["key_pem"], algorithm="RS256", headers={"x5t#S256": setup["s256"]})
    form = {"grant_type": "client_credentials", "client_assertion_type": jwtauth.CLIENT_ASSERTION_TYPE, "client_assertion": assertion}
    ok = setup["session"].post(setup["base"] + "/token", data=form)
    assert ok.status_code == 200, ok.text
    replay = setup["session"].post(setup["base"] + "/token", data=form)
    assert replay.status_code == 401
