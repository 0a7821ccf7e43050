"""Interop both ways with the Python libraries servers and clients use:
assertions signed by PyJWT, joserfc, jwcrypto and Authlib's RFC 7523 client
helpers are accepted; assertions signed here verify in PyJWT, joserfc and
jwcrypto. Keys are made by pyca/cryptography, not by this library."""

import json
import time
import uuid

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc import jwk as jose_jwk
from joserfc import jwt as jose_jwt
from jwcrypto import jwk as jc_jwk
from jwcrypto import jwt as jc_jwt

import jwtauth

ISSUER = "https://as.example.com"
TOKEN_ENDPOINT = ISSUER + "/oauth2/token"
SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

ALGS = {
    "RS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "PS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "ES384": lambda: ec.generate_private_key(ec.SECP384R1()),
    "ES512": lambda: ec.generate_private_key(ec.SECP521R1()),
    "EdDSA": ed25519.Ed25519PrivateKey.generate,
}


def pems(private):
    priv = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    pub = private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return priv, pub


def claims(client_id="c1", aud=ISSUER):
    now = int(time.time())
    return {"iss": client_id, "sub": client_id, "aud": aud, "iat": now, "exp": now + 60, "jti": uuid.uuid4().hex}


def server(pub_pem=None, alg=None):
    if pub_pem is None:
        client = {"client_id": "c1", "token_endpoint_auth_method": "client_secret_jwt", "client_secret": SECRET}
    else:
        client = {
            "client_id": "c1",
            "token_endpoint_auth_method": "private_key_jwt",
            "credentials": [{"pem": pub_pem.decode(), "kid": "k1"}],
        }
    reg = jwtauth.Registry.from_json({"clients": [client]})
    return jwtauth.Verifier(ISSUER, token_endpoint=TOKEN_ENDPOINT), reg


@pytest.fixture(scope="module", params=sorted(ALGS))
def keypair(request):
    alg = request.param
    return alg, *pems(ALGS[alg]())


# --- they sign, we verify ---------------------------------------------------


def test_pyjwt_signs_we_verify(keypair):
    alg, priv, pub = keypair
    token = pyjwt.encode(claims(), priv, algorithm=alg, headers={"kid": "k1"})
    v, reg = server(pub)
    assert v.verify(token, reg).client_id == "c1"


def test_pyjwt_hs256_client_secret_jwt():
    token = pyjwt.encode(claims(aud=TOKEN_ENDPOINT), SECRET, algorithm="HS256")
    v, reg = server()
    assert v.verify(token, reg).client_id == "c1"


def test_joserfc_signs_we_verify(keypair):
    alg, priv, pub = keypair
    key = jose_jwk.import_key(priv)
    token = jose_jwt.encode({"alg": alg, "kid": "k1"}, claims(), key, algorithms=[alg])
    v, reg = server(pub)
    assert v.verify(token, reg).client_id == "c1"


def test_jwcrypto_signs_we_verify(keypair):
    alg, priv, pub = keypair
    key = jc_jwk.JWK.from_pem(priv)
    t = jc_jwt.JWT(header={"alg": alg, "kid": "k1"}, claims=claims())
    t.make_signed_token(key)
    v, reg = server(pub)
    assert v.verify(t.serialize(), reg).client_id == "c1"


def test_authlib_client_helpers_sign_we_authenticate():
    from authlib.oauth2.rfc7523 import client_secret_jwt_sign, private_key_jwt_sign

    priv, pub = pems(ALGS["RS256"]())
    v, reg = server(pub)
    token = private_key_jwt_sign(priv, "c1", TOKEN_ENDPOINT, alg="RS256", header={"kid": "k1"})
    token = token.decode() if isinstance(token, bytes) else token
    auth = jwtauth.Authenticator(v, reg)
    # Authlib omits client_id from the form: the client is found from iss/sub.
    done = auth.authenticate(
        form={"grant_type": "client_credentials", "client_assertion_type": jwtauth.CLIENT_ASSERTION_TYPE, "client_assertion": token}
    )
    assert (done.client_id, done.method) == ("c1", "private_key_jwt")
    v2, reg2 = server()
    token = client_secret_jwt_sign(SECRET, "c1", TOKEN_ENDPOINT, alg="HS256")
    token = token.decode() if isinstance(token, bytes) else token
    assert v2.verify(token, reg2).client_id == "c1"


def test_tampered_assertions_from_peers_are_refused(keypair):
    alg, priv, pub = keypair
    token = pyjwt.encode(claims(), priv, algorithm=alg)
    head, body, sig = token.split(".")
    forged = pyjwt.utils.base64url_encode(json.dumps(dict(claims(), sub="admin", iss="admin")).encode()).decode()
    v, reg = server(pub)
    with pytest.raises(jwtauth.InvalidClientError):
        v.verify(f"{head}.{forged}.{sig}", reg)


# --- we sign, they verify ---------------------------------------------------


@pytest.fixture(scope="module", params=sorted(ALGS))
def ours(request):
    alg = request.param
    priv, pub = pems(ALGS[alg]())
    return alg, jwtauth.SigningKey.from_pem(priv, alg=alg, kid="k1"), pub


def test_we_sign_pyjwt_verifies(ours):
    alg, key, pub = ours
    a = jwtauth.sign(key, "c1", ISSUER)
    got = pyjwt.decode(a.assertion, pub, algorithms=[alg], audience=ISSUER, issuer="c1")
    assert got["sub"] == "c1" and got["jti"] == a.jti
    assert pyjwt.get_unverified_header(a.assertion)["typ"] == "client-authentication+jwt"


def test_we_sign_joserfc_verifies(ours):
    alg, key, pub = ours
    a = jwtauth.sign(key, "c1", ISSUER)
    tok = jose_jwt.decode(a.assertion, jose_jwk.import_key(pub), algorithms=[alg])
    assert tok.claims["iss"] == "c1" and tok.header["kid"] == "k1"


def test_we_sign_jwcrypto_verifies(ours):
    alg, key, pub = ours
    a = jwtauth.sign(key, "c1", ISSUER)
    t = jc_jwt.JWT(jwt=a.assertion, key=jc_jwk.JWK.from_pem(pub), algs=[alg])
    assert json.loads(t.claims)["aud"] == ISSUER


def test_we_sign_hs256_peers_verify():
    key = jwtauth.SigningKey.from_secret(SECRET.encode(), "HS256")
    a = jwtauth.sign(key, "c1", TOKEN_ENDPOINT)
    assert pyjwt.decode(a.assertion, SECRET, algorithms=["HS256"], audience=TOKEN_ENDPOINT)["iss"] == "c1"
    oct_key = jose_jwk.OctKey.import_key(SECRET)
    assert jose_jwt.decode(a.assertion, oct_key, algorithms=["HS256"]).claims["sub"] == "c1"
