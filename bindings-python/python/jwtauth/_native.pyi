"""Type stubs of the extension module jwtauth._native (checked by
mypy.stubtest against the built module)."""

from typing import Any, Awaitable, Callable, Dict, Iterable, List, Literal, Mapping, Optional, Sequence, Tuple, Union, final

_Text = Union[str, bytes, bytearray, memoryview]
_Json = Union[str, bytes, bytearray, memoryview, Dict[str, Any], List[Any]]

__all__ = [
    "Authenticated",
    "Authenticator",
    "CLIENT_ASSERTION_TYPE",
    "CRYPTO_PROVIDER",
    "Client",
    "ClientAssertion",
    "CredentialPolicy",
    "FIPS",
    "FixedClock",
    "Grant",
    "GrantRequest",
    "JWT_BEARER_GRANT_TYPE",
    "JwkSet",
    "MemoryReplayStore",
    "RedisReplayStore",
    "Problem",
    "Registry",
    "RemoteJwks",
    "SigningKey",
    "TrustTable",
    "VerifiedAssertion",
    "Verifier",
    "VerifyingKey",
    "__version__",
    "error_table",
    "sign",
]

__version__: str
#: Whether the library runs on a FIPS 140-3 validated module in FIPS mode (a `fips` build).
FIPS: bool
#: The crypto provider of this build: "aws-lc-rs", "aws-lc-rs (FIPS)" or "ring".
CRYPTO_PROVIDER: str
CLIENT_ASSERTION_TYPE: str
JWT_BEARER_GRANT_TYPE: str

def error_table() -> List[Tuple[int, str, str, str, int, str]]: ...

@final
class SigningKey:
    @staticmethod
    def from_pem(pem: _Text, *, alg: Optional[str] = None, kid: Optional[str] = None) -> SigningKey: ...
    @staticmethod
    def from_jwk(jwk: _Json) -> SigningKey: ...
    @staticmethod
    def from_secret(secret: _Text, alg: str = "HS256") -> SigningKey: ...
    @staticmethod
    def generate(alg: str, *, bits: Optional[int] = None, kid: Optional[str] = None) -> SigningKey: ...
    @property
    def alg(self) -> str: ...
    @property
    def kid(self) -> Optional[str]: ...
    @property
    def thumbprint(self) -> str: ...
    def private_pem(self) -> str: ...
    def public_pem(self) -> str: ...
    def public_jwk(self) -> Dict[str, Any]: ...

@final
class VerifyingKey:
    @staticmethod
    def from_pem(pem: _Text, *, kid: Optional[str] = None) -> VerifyingKey: ...
    @staticmethod
    def from_certificate_der(der: _Text, *, kid: Optional[str] = None) -> VerifyingKey: ...
    @staticmethod
    def from_jwk(jwk: _Json) -> VerifyingKey: ...
    @property
    def thumbprint(self) -> str: ...
    @property
    def kid(self) -> Optional[str]: ...
    def to_jwk(self) -> Dict[str, Any]: ...
    @property
    def not_after(self) -> Optional[int]: ...
    @property
    def x5t(self) -> Optional[str]: ...

@final
class JwkSet:
    @staticmethod
    def from_json(doc: _Json) -> JwkSet: ...
    def __len__(self) -> int: ...
    def to_dict(self) -> Dict[str, Any]: ...

@final
class ClientAssertion:
    @property
    def assertion(self) -> str: ...
    @property
    def client_id(self) -> str: ...
    @property
    def jti(self) -> str: ...
    @property
    def issued_at(self) -> int: ...
    @property
    def expires_at(self) -> int: ...
    @property
    def form_body(self) -> str: ...
    @property
    def form(self) -> Dict[str, str]: ...
    @property
    def subject(self) -> Optional[str]: ...

def sign(
    key: SigningKey,
    client_id: str,
    audience: str,
    *,
    lifetime: Optional[int] = None,
    allow_long_lifetime: bool = False,
    not_before: bool = False,
    typ: Optional[str] = None,
    omit_typ: bool = False,
    kid: Optional[str] = None,
    omit_kid: bool = False,
    jti: Optional[str] = None,
    claims: Optional[_Json] = None,
    clock: Optional[FixedClock] = None,
    subject: Optional[str] = None,
) -> ClientAssertion: ...

@final
class FixedClock:
    def __new__(cls, now: int) -> FixedClock: ...
    def set(self, now: int) -> None: ...
    def advance(self, seconds: int) -> None: ...
    @property
    def now(self) -> int: ...

@final
class MemoryReplayStore:
    def __new__(cls, capacity: Optional[int] = None) -> MemoryReplayStore: ...
    def __len__(self) -> int: ...

@final
class RedisReplayStore:
    def __new__(
        cls,
        url: str,
        *,
        prefix: Optional[str] = None,
        pool_size: Optional[int] = None,
        connect_timeout: Optional[float] = None,
        command_timeout: Optional[float] = None,
    ) -> RedisReplayStore: ...
    @property
    def prefix(self) -> str: ...
    def key(self, client_id: str, jti: str) -> str: ...
    def ping(self) -> None: ...

@final
class RemoteJwks:
    def __new__(
        cls,
        *,
        default_ttl: int = 600,
        min_ttl: int = 60,
        max_ttl: int = 86400,
        cooldown: int = 30,
        timeout: float = 5.0,
        max_size: int = 65536,
        allow_http: bool = False,
        allow_private_addresses: bool = False,
        fetch: Optional[Callable[[str], Any]] = None,
    ) -> RemoteJwks: ...
    def fetch_count(self, uri: str) -> int: ...

@final
class Problem:
    @property
    def code(self) -> str: ...
    @property
    def location(self) -> str: ...
    @property
    def message(self) -> str: ...

@final
class CredentialPolicy:
    def __new__(cls, **settings: Any) -> CredentialPolicy: ...
    @staticmethod
    def from_json(doc: _Json) -> CredentialPolicy: ...
    def settings(self) -> Dict[str, Any]: ...
    def check_credential(
        self,
        kind: str,
        data: _Json,
        method: str,
        *,
        signing_alg: Optional[str] = None,
        kid: Optional[str] = None,
        expires_at: Optional[int] = None,
        expiry_from_cert: bool = False,
        now: Optional[int] = None,
    ) -> List[Problem]: ...
    def check_client(self, metadata: _Json, *, now: Optional[int] = None) -> List[Problem]: ...

@final
class Client:
    @staticmethod
    def from_metadata(metadata: _Json, *, policy: Optional[CredentialPolicy] = None, now: Optional[int] = None) -> Client: ...
    @property
    def client_id(self) -> str: ...
    @property
    def method(self) -> str: ...

@final
class Registry:
    def __new__(cls) -> Registry: ...
    @staticmethod
    def from_json(doc: _Json, *, policy: Optional[CredentialPolicy] = None, now: Optional[int] = None) -> Registry: ...
    @staticmethod
    def from_callback(lookup: Callable[[str], Union[Optional[Client], Awaitable[Optional[Client]]]]) -> Registry: ...
    def add(self, client: Union[Client, _Json], *, policy: Optional[CredentialPolicy] = None, now: Optional[int] = None) -> None: ...
    def remove(self, client_id: str) -> bool: ...
    def get(self, client_id: str) -> Optional[Client]: ...
    def __len__(self) -> int: ...
    def __contains__(self, client_id: object, /) -> bool: ...

@final
class Verifier:
    def __new__(
        cls,
        issuer: str,
        *,
        token_endpoint: Optional[str] = None,
        audiences: Sequence[str] = ...,
        audience_mode: str = "compat",
        profile: str = "compat",
        report_profile: Optional[str] = None,
        endpoints: Optional[Mapping[str, str]] = None,
        policy_hook: Optional[Callable[[Dict[str, Any]], Union[bool, str, Awaitable[Union[bool, str]]]]] = None,
        event_hook: Optional[Callable[[Dict[str, Any]], object]] = None,
        leeway: Optional[int] = None,
        max_age: Optional[int] = None,
        max_lifetime: Optional[int] = None,
        max_assertion_len: Optional[int] = None,
        algorithms: Optional[Sequence[str]] = None,
        replay_store: Any = None,
        clock: Optional[FixedClock] = None,
        remote_jwks: Union[RemoteJwks, bool, None] = None,
    ) -> Verifier: ...
    def verify(
        self, assertion: _Text, registry: Registry, *, client_id: Optional[str] = None, timeout: Optional[float] = None
    ) -> VerifiedAssertion: ...
    def verify_async(
        self, assertion: _Text, registry: Registry, *, client_id: Optional[str] = None, timeout: Optional[float] = None
    ) -> Awaitable[VerifiedAssertion]: ...
    def explain(
        self, assertion: _Text, registry: Registry, *, client_id: Optional[str] = None, timeout: Optional[float] = None
    ) -> Dict[str, Any]: ...
    def verify_grant(self, assertion: _Text, trust_table: TrustTable) -> Grant: ...
    def explain_grant(self, assertion: _Text, trust_table: TrustTable) -> Dict[str, Any]: ...
    @property
    def issuer(self) -> str: ...
    def settings(self) -> Dict[str, Any]: ...
    def at(self, endpoint_name: str) -> Verifier: ...
    def report(self) -> Dict[str, Any]: ...
    def metrics(self) -> Dict[str, Any]: ...

@final
class VerifiedAssertion:
    @property
    def client_id(self) -> str: ...
    @property
    def jti(self) -> Optional[str]: ...
    @property
    def alg(self) -> str: ...
    @property
    def key_id(self) -> Optional[str]: ...
    @property
    def key_thumbprint(self) -> str: ...
    @property
    def replay_until(self) -> int: ...
    @property
    def claims(self) -> Dict[str, Any]: ...
    @property
    def would_refuse(self) -> Optional[Dict[str, str]]: ...

@final
class Authenticator:
    def __new__(
        cls,
        verifier: Verifier,
        registry: Registry,
        *,
        realm: Optional[str] = None,
        client_ca: Optional[_Text] = None,
        trust: Optional[TrustTable] = None,
    ) -> Authenticator: ...
    def at(self, endpoint_name: str) -> Authenticator: ...
    def authenticate(
        self,
        headers: Union[Mapping[Any, Any], Iterable[Tuple[_Text, _Text]], None] = None,
        *,
        authorization: Optional[_Text] = None,
        form: Union[Mapping[Any, Any], Iterable[Tuple[_Text, _Text]], None] = None,
        body: Optional[_Text] = None,
        client_certificate: Optional[_Text] = None,
        certificate_format: Optional[Literal["der", "pem", "nginx", "xfcc"]] = None,
        certificate_verified: bool = False,
        timeout: Optional[float] = None,
    ) -> Authenticated: ...
    def authenticate_async(
        self,
        headers: Union[Mapping[Any, Any], Iterable[Tuple[_Text, _Text]], None] = None,
        *,
        authorization: Optional[_Text] = None,
        form: Union[Mapping[Any, Any], Iterable[Tuple[_Text, _Text]], None] = None,
        body: Optional[_Text] = None,
        client_certificate: Optional[_Text] = None,
        certificate_format: Optional[Literal["der", "pem", "nginx", "xfcc"]] = None,
        certificate_verified: bool = False,
        timeout: Optional[float] = None,
    ) -> Awaitable[Authenticated]: ...
    def explain(
        self,
        headers: Union[Mapping[Any, Any], Iterable[Tuple[_Text, _Text]], None] = None,
        *,
        authorization: Optional[_Text] = None,
        form: Union[Mapping[Any, Any], Iterable[Tuple[_Text, _Text]], None] = None,
        body: Optional[_Text] = None,
        client_certificate: Optional[_Text] = None,
        certificate_format: Optional[Literal["der", "pem", "nginx", "xfcc"]] = None,
        certificate_verified: bool = False,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]: ...
    def authenticate_grant(
        self,
        headers: Union[Mapping[Any, Any], Iterable[Tuple[_Text, _Text]], None] = None,
        *,
        authorization: Optional[_Text] = None,
        form: Union[Mapping[Any, Any], Iterable[Tuple[_Text, _Text]], None] = None,
        body: Optional[_Text] = None,
        client_certificate: Optional[_Text] = None,
        certificate_format: Optional[Literal["der", "pem", "nginx", "xfcc"]] = None,
        certificate_verified: bool = False,
        timeout: Optional[float] = None,
    ) -> GrantRequest: ...
    def authenticate_grant_async(
        self,
        headers: Union[Mapping[Any, Any], Iterable[Tuple[_Text, _Text]], None] = None,
        *,
        authorization: Optional[_Text] = None,
        form: Union[Mapping[Any, Any], Iterable[Tuple[_Text, _Text]], None] = None,
        body: Optional[_Text] = None,
        client_certificate: Optional[_Text] = None,
        certificate_format: Optional[Literal["der", "pem", "nginx", "xfcc"]] = None,
        certificate_verified: bool = False,
        timeout: Optional[float] = None,
    ) -> Awaitable[GrantRequest]: ...

@final
class Authenticated:
    @property
    def client_id(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def client(self) -> Client: ...
    @property
    def claims(self) -> Optional[Dict[str, Any]]: ...
    @property
    def jti(self) -> Optional[str]: ...
    @property
    def would_refuse(self) -> Optional[Dict[str, str]]: ...
    @property
    def certificate_thumbprint(self) -> Optional[str]: ...

@final
class TrustTable:
    @staticmethod
    def from_json(
        doc: _Json,
        *,
        policy: Optional[CredentialPolicy] = None,
        now: Optional[int] = None,
        subject_hook: Optional[Callable[[str, str], Union[bool, Awaitable[bool]]]] = None,
    ) -> TrustTable: ...
    def __len__(self) -> int: ...

@final
class Grant:
    @property
    def issuer(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def jti(self) -> Optional[str]: ...
    @property
    def claims(self) -> Dict[str, Any]: ...

@final
class GrantRequest:
    @property
    def client(self) -> Optional[Authenticated]: ...
    @property
    def grant(self) -> Grant: ...
