"""jwtauth.authlib: an Authlib authorization server (Flask, client_credentials)
authenticating clients with jwtauth, driven by Authlib's own client for all
four methods, accepted and refused. Authlib asks each method in turn; the
assertion is verified (and its jti recorded) once."""

import json
import threading

import pytest
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc7523 import ClientSecretJWT, PrivateKeyJWT
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from werkzeug.serving import make_server

import jwtauth
import jwtauth.authlib

SECRET = "a-client-secret-of-enough-length-0123456789"


class Client(ClientMixin):
    """The server's own client model (what Authlib's query_client returns)."""

    def __init__(self, client_id, method):
        self.client_id, self.method = client_id, method

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return scope or ""

    def check_redirect_uri(self, redirect_uri):
        return False

    def check_client_secret(self, client_secret):
        raise AssertionError("jwtauth checks secrets, Authlib never should")

    def check_endpoint_auth_method(self, method, endpoint):
        return method == self.method

    def check_response_type(self, response_type):
        return False

    def check_grant_type(self, grant_type):
        return grant_type == "client_credentials"


class Grant(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(jwtauth.authlib.METHODS)


@pytest.fixture(scope="module")
def server():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    registrations = [
        {"client_id": "pkjwt", "token_endpoint_auth_method": "private_key_jwt", "credentials": [{"pem": public_pem}]},
        {"client_id": "csjwt", "token_endpoint_auth_method": "client_secret_jwt", "client_secret": SECRET},
        {"client_id": "basic", "token_endpoint_auth_method": "client_secret_basic", "client_secret": SECRET},
        {"client_id": "post", "token_endpoint_auth_method": "client_secret_post", "client_secret": SECRET},
    ]
    clients = {r["client_id"]: Client(r["client_id"], r["token_endpoint_auth_method"]) for r in registrations}
    app = Flask(__name__)
    srv = make_server("127.0.0.1", 0, app)
    base = f"http://127.0.0.1:{srv.server_port}"
    authorization = AuthorizationServer(app, query_client=clients.get, save_token=lambda token, request: None)
    authorization.register_grant(Grant)
    seen = []

    authenticator = jwtauth.Authenticator(
        jwtauth.Verifier(base, token_endpoint=base + "/token"), jwtauth.Registry.from_json({"clients": registrations})
    )

    class CountingAuthenticator:
        def authenticate(self, *args, **kwargs):
            seen.append(1)
            return authenticator.authenticate(*args, **kwargs)

    jwtauth.authlib.register(authorization, CountingAuthenticator())

    @app.post("/token")
    def token():
        return authorization.create_token_response()

    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield base + "/token", private_pem, seen
    srv.shutdown()


def fetch(session, url):
    return session.fetch_token(url, grant_type="client_credentials")


@pytest.mark.parametrize(
    "client_id,method",
    [("pkjwt", "private_key_jwt"), ("csjwt", "client_secret_jwt"), ("basic", "client_secret_basic"), ("post", "client_secret_post")],
)
def test_every_method_gets_a_token(server, client_id, method):
    url, private_pem, seen = server
    before = len(seen)
    if method == "private_key_jwt":
        s = OAuth2Session(client_id, private_pem, token_endpoint_auth_method=PrivateKeyJWT(url))
    elif method == "client_secret_jwt":
        s = OAuth2Session(client_id, SECRET, token_endpoint_auth_method=ClientSecretJWT(url))
    else:
        s = OAuth2Session(client_id, SECRET, token_endpoint_auth_method=method)
    assert fetch(s, url)["token_type"] == "Bearer"
    assert len(seen) == before + 1, "one authentication per request, whatever order Authlib probes in"


def test_refusals_are_oauth_errors(server):
    from authlib.integrations.base_client.errors import OAuthError

    url, private_pem, _ = server
    for s in (
        OAuth2Session("basic", "wrong-secret-of-some-length-000000", token_endpoint_auth_method="client_secret_basic"),
        OAuth2Session("post", SECRET, token_endpoint_auth_method="client_secret_basic"),  # registered for post
        OAuth2Session("csjwt", "another-secret-of-enough-length-0123456789", token_endpoint_auth_method=ClientSecretJWT(url)),
        OAuth2Session("nobody", SECRET, token_endpoint_auth_method="client_secret_post"),
    ):
        with pytest.raises(OAuthError) as e:
            fetch(s, url)
        assert e.value.error == "invalid_client"


def test_a_replayed_assertion_is_refused(server):
    import requests

    url, private_pem, _ = server
    signing = jwtauth.SigningKey.from_pem(private_pem)
    # jwtauth signs with typ client-authentication+jwt: the audience is the issuer.
    form = {**jwtauth.sign(signing, "pkjwt", url.removesuffix("/token")).form, "grant_type": "client_credentials"}
    assert requests.post(url, data=form).status_code == 200
    again = requests.post(url, data=form)
    assert again.status_code == 401 and json.loads(again.text)["error"] == "invalid_client"
