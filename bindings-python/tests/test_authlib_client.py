"""A real Authlib OAuth 2.0 client (requests integration) authenticating to
bindings-python/examples/token_endpoint.py on 127.0.0.1 with each method:
PrivateKeyJWT, ClientSecretJWT, client_secret_basic, client_secret_post."""

import json
import os
import sys
import threading

import pytest
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import ClientSecretJWT, PrivateKeyJWT
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
import token_endpoint  # noqa: E402

SECRET = "a-client-secret-of-enough-length-0123456789"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    doc = {
        "clients": [
            {"client_id": "pkjwt", "token_endpoint_auth_method": "private_key_jwt", "credentials": [{"pem": public_pem.decode()}]},
            {"client_id": "csjwt", "token_endpoint_auth_method": "client_secret_jwt", "client_secret": SECRET},
            {"client_id": "basic", "token_endpoint_auth_method": "client_secret_basic", "client_secret": SECRET},
            {"client_id": "post", "token_endpoint_auth_method": "client_secret_post", "client_secret": SECRET},
        ]
    }
    path = tmp_path_factory.mktemp("endpoint") / "clients.json"
    path.write_text(json.dumps(doc))
    started = threading.Event()
    holder = {}
    log = []

    def ready(server):
        holder["server"] = server
        started.set()

    t = threading.Thread(target=token_endpoint.serve, args=(str(path),), kwargs={"port": 0, "ready": ready, "log": log.append}, daemon=True)
    t.start()
    assert started.wait(10)
    server = holder["server"]
    url = f"http://127.0.0.1:{server.server_address[1]}/token"
    yield url, private_pem, log
    server.shutdown()


def fetch(session, url):
    return session.fetch_token(url, grant_type="client_credentials")


def test_private_key_jwt(endpoint):
    url, private_pem, _ = endpoint
    s = OAuth2Session("pkjwt", private_pem, token_endpoint_auth_method=PrivateKeyJWT(url))
    assert fetch(s, url)["token_type"] == "Bearer"


def test_client_secret_jwt(endpoint):
    url, _, _ = endpoint
    s = OAuth2Session("csjwt", SECRET, token_endpoint_auth_method=ClientSecretJWT(url))
    assert fetch(s, url)["token_type"] == "Bearer"


def test_client_secret_basic_and_post(endpoint):
    url, _, log = endpoint
    for cid, method in (("basic", "client_secret_basic"), ("post", "client_secret_post")):
        s = OAuth2Session(cid, SECRET, token_endpoint_auth_method=method)
        assert fetch(s, url)["token_type"] == "Bearer"
        assert f"issued a token to {cid} ({method})" in log


def test_refusals_reach_the_client_as_oauth_errors(endpoint):
    url, private_pem, log = endpoint
    from authlib.integrations.base_client.errors import OAuthError

    with pytest.raises(OAuthError) as info:
        fetch(OAuth2Session("basic", "wrong-secret", token_endpoint_auth_method="client_secret_basic"), url)
    assert info.value.error == "invalid_client"
    # A client registered for private_key_jwt trying its luck with a secret.
    with pytest.raises(OAuthError) as info:
        fetch(OAuth2Session("pkjwt", SECRET, token_endpoint_auth_method="client_secret_post"), url)
    assert info.value.error == "invalid_client"
    assert any("JWTAUTH_AUTH_METHOD_MISMATCH" in line for line in log)
