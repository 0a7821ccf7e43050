"""jwtauth: OAuth 2.0 JWT client authentication (RFC 7523 ``private_key_jwt``
and ``client_secret_jwt``, and every ``token_endpoint_auth_method``) for
Python authorization servers and clients, over the libjwtauth Rust core.

Client side::

    key = jwtauth.SigningKey.from_pem(pem)
    a = jwtauth.sign(key, "my-client", "https://as.example.com")
    requests.post(token_url, data={**a.form, "grant_type": "client_credentials"})

Server side::

    registry = jwtauth.Registry.from_json(open("clients.json").read())
    auth = jwtauth.Authenticator(jwtauth.Verifier("https://as.example.com"), registry)
    try:
        client = auth.authenticate(request.headers, body=request.body)
    except jwtauth.JwtAuthError as e:
        status, headers, body = e.response()
"""

from ._native import (
    CLIENT_ASSERTION_TYPE,
    JWT_BEARER_GRANT_TYPE,
    Authenticated,
    Authenticator,
    Client,
    ClientAssertion,
    CredentialPolicy,
    FixedClock,
    Grant,
    GrantRequest,
    JwkSet,
    MemoryReplayStore,
    RedisReplayStore,
    Problem,
    Registry,
    RemoteJwks,
    SigningKey,
    TrustTable,
    VerifiedAssertion,
    Verifier,
    VerifyingKey,
    __version__,
    CRYPTO_PROVIDER,
    FIPS,
    sign,
)
from .errors import (
    CODES,
    ErrorCode,
    InvalidClientError,
    InvalidCredentialError,
    InvalidGrantError,
    InvalidRequestError,
    JwtAuthError,
    OAuthResponse,
    ServerError,
    UsageError,
)

__all__ = [
    "CLIENT_ASSERTION_TYPE",
    "JWT_BEARER_GRANT_TYPE",
    "CODES",
    "Authenticated",
    "Authenticator",
    "Client",
    "ClientAssertion",
    "CredentialPolicy",
    "ErrorCode",
    "FixedClock",
    "Grant",
    "GrantRequest",
    "InvalidClientError",
    "InvalidCredentialError",
    "InvalidGrantError",
    "InvalidRequestError",
    "JwkSet",
    "JwtAuthError",
    "MemoryReplayStore",
    "RedisReplayStore",
    "OAuthResponse",
    "Problem",
    "Registry",
    "RemoteJwks",
    "ServerError",
    "SigningKey",
    "TrustTable",
    "UsageError",
    "VerifiedAssertion",
    "Verifier",
    "VerifyingKey",
    "__version__",
    "CRYPTO_PROVIDER",
    "FIPS",
    "sign",
]
