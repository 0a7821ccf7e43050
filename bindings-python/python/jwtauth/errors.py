"""Exceptions of jwtauth: one base class, one subclass per category.

Every exception carries the stable code of the core's error table:

- ``code``: the C constant name (``"JWTAUTH_REPLAYED"``); ``name`` is the
  same without the prefix and ``number`` its value (500);
- ``oauth_error`` and ``status``: what a token endpoint answers;
- ``description``: a generic text safe to send to the client;
- ``detail``: the precise reason, for logs only (never secrets or whole
  assertions);
- ``problems``: for a refused credential or registration, every problem as
  ``(code, location, message)``;
- ``response()``: the full OAuth response to send.
"""

from __future__ import annotations

import json
from typing import Dict, List, NamedTuple, Optional, Tuple

from . import _native

__all__ = [
    "CODES",
    "ErrorCode",
    "InvalidClientError",
    "InvalidCredentialError",
    "InvalidGrantError",
    "InvalidRequestError",
    "JwtAuthError",
    "OAuthResponse",
    "ServerError",
    "UsageError",
]


class ErrorCode(NamedTuple):
    """One row of the error table."""

    number: int
    name: str
    category: str
    oauth_error: str
    http_status: int
    description: str

    @property
    def code(self) -> str:
        """The C constant name."""
        return "JWTAUTH_" + self.name


#: The error table, from the core (the single source), by name.
CODES: Dict[str, ErrorCode] = {row[1]: ErrorCode(*row) for row in _native.error_table()}


class OAuthResponse(NamedTuple):
    """What a token endpoint sends for a failed client authentication."""

    status: int
    headers: Dict[str, str]
    body: str


class JwtAuthError(Exception):
    """Base class of every jwtauth error."""

    number: int
    name: str
    code: str
    oauth_error: str
    status: int
    description: str
    detail: str
    www_authenticate: Optional[str]
    problems: List[Tuple[str, str, str]]

    def __init__(
        self,
        number: int,
        name: str,
        detail: str,
        status: int,
        body: str,
        www_authenticate: Optional[str] = None,
        problems: Optional[List[Tuple[str, str, str]]] = None,
        headers: Optional[List[Tuple[str, str]]] = None,
    ) -> None:
        listed = "".join(f"\n  {code} at {where or '/'}: {msg}" for code, where, msg in problems or [])
        super().__init__(f"{name}: {detail}{listed}")
        row = CODES[name]
        self.number = number
        self.name = name
        self.code = "JWTAUTH_" + name
        # What the response says: a refused grant is invalid_grant whatever its code.
        try:
            answered = json.loads(body)
        except ValueError:
            answered = {}
        if not isinstance(answered, dict):
            answered = {}
        self.oauth_error = str(answered.get("error") or row.oauth_error)
        self.status = status
        self.description = str(answered.get("error_description") or row.description)
        self.detail = detail
        self.www_authenticate = www_authenticate
        self.problems = list(problems or [])
        self._body = body
        self._headers = list(headers or [])

    def response(self) -> OAuthResponse:
        """The response to send: status, headers (JSON content type,
        ``Cache-Control: no-store``, and ``WWW-Authenticate`` when the
        request used the Authorization header and the status is 401) and the
        JSON body ``{"error": …, "error_description": …}``."""
        return OAuthResponse(self.status, dict(self._headers), self._body)

    def response_json(self) -> Dict[str, str]:
        """The JSON body as a dict."""
        body: Dict[str, str] = json.loads(self._body)
        return body


class UsageError(JwtAuthError):
    """The API was used wrongly (bad argument or configuration)."""


class InvalidRequestError(JwtAuthError):
    """The token request is malformed (``invalid_request``, 400)."""


class InvalidClientError(JwtAuthError):
    """The client could not be authenticated (``invalid_client``, 401)."""


class InvalidCredentialError(JwtAuthError):
    """A key or credential cannot be loaded or breaks the policy
    (``invalid_client_metadata`` at registration)."""


class InvalidGrantError(JwtAuthError):
    """The authorization grant (a JWT bearer assertion, RFC 7523 §2.1) is
    not valid (``invalid_grant``, 400)."""


class ServerError(JwtAuthError):
    """The library or a store it depends on failed; nothing was accepted
    (``server_error``, 500/503)."""
