"""Client authentication for an Authlib authorization server, by jwtauth.

    from authlib.integrations.flask_oauth2 import AuthorizationServer
    import jwtauth, jwtauth.authlib

    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    jwtauth.authlib.register(server, authenticator)

Authlib asks each client authentication method allowed at an endpoint in turn
whether it recognises the request. jwtauth authenticates the request once, on
the first question (so an assertion is verified, and its jti recorded, once),
and answers each method by whether it is the one the request used: Authlib
then looks the client up with its own ``query_client`` and checks that the
client may use that method. A refusal becomes Authlib's ``InvalidClientError``
or ``InvalidRequestError`` with jwtauth's status and public description.
"""

from . import JwtAuthError

METHODS = ("private_key_jwt", "client_secret_jwt", "client_secret_basic", "client_secret_post", "none")
_RESULT = "_jwtauth_result"


def _form(request):
    payload = getattr(request, "payload", None)
    datalist = getattr(payload, "datalist", None)
    return dict(datalist) if datalist is not None else {}


def _authenticate(authenticator, request):
    result = getattr(request, _RESULT, None)
    if result is None:
        try:
            result = authenticator.authenticate(request.headers, form=_form(request))
        except JwtAuthError as e:
            result = e
        setattr(request, _RESULT, result)
    return result


def _refusal(e):
    # Authlib ships no type information; it is only imported when used.
    from authlib.oauth2.base import OAuth2Error  # type: ignore[import-untyped]
    from authlib.oauth2.rfc6749.errors import InvalidClientError, InvalidRequestError  # type: ignore[import-untyped]

    if e.oauth_error == "invalid_request":
        return InvalidRequestError(description=e.description)
    if e.oauth_error == "invalid_client":
        return InvalidClientError(description=e.description, status_code=e.status)
    # server_error (503: a registry or replay store that cannot answer).
    return OAuth2Error(description=e.description, status_code=e.status, error=e.oauth_error)


def register(server, authenticator, methods=METHODS):
    """Register jwtauth as ``server``'s client authentication for ``methods``
    (every ``token_endpoint_auth_method`` by default)."""

    def for_method(method):
        def authenticate(query_client, request):
            result = _authenticate(authenticator, request)
            if isinstance(result, JwtAuthError):
                raise _refusal(result)
            if result.method != method:
                return None
            return query_client(result.client_id)

        return authenticate

    for method in methods:
        server.register_client_auth_method(method, for_method(method))
