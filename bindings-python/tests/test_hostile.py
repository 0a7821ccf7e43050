"""The Python face of the hostile-input suite (docs/SECURITY.md): hostile keys,
callback answers of the wrong type, callbacks that are slow or async, request
bytes that are not text, and property tests over header and form shapes. Each
asserts the exact error code, and that nothing but a JwtAuthError escapes."""

import asyncio
import base64
import hashlib
import hmac
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jwtauth

ISSUER = "https://as.example.com"
NOW = 1_800_000_000
SECRET = "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t"


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def es256():
    return jwtauth.SigningKey.generate("ES256", kid="k1")


def client_for(key, client_id="c1"):
    return jwtauth.Client.from_metadata(
        {"client_id": client_id, "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [key.public_jwk()]}},
        now=NOW,
    )


# ---- 1: keys that let anyone forge


@pytest.mark.parametrize("y", [0, 1, 2**255 - 20, 2**255 - 19, 2**255 - 18])
def test_small_order_and_non_canonical_ed25519_keys_are_refused(y):
    for sign in (0, 1):
        enc = bytearray(y.to_bytes(32, "little"))
        enc[31] |= sign << 7
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64u(bytes(enc))}
        with pytest.raises(jwtauth.InvalidCredentialError) as e:
            jwtauth.VerifyingKey.from_jwk(json.dumps(jwk))
        assert e.value.code in ("JWTAUTH_WEAK_KEY", "JWTAUTH_INVALID_KEY")
        with pytest.raises(jwtauth.InvalidCredentialError) as e:
            jwtauth.Registry.from_json(
                {"clients": [{"client_id": "c", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [jwk]}}]}, now=NOW
            )
        assert e.value.problems[0][1].startswith("/clients/0/jwks")


# ---- 3: a replay store's answer counts only as a bool


class Store:
    def __init__(self, answer):
        self.answer = answer

    def check_and_insert(self, client_id, jti, expires_at, now):
        return self.answer


class AsyncStore:
    def __init__(self):
        self.seen = set()

    async def check_and_insert(self, client_id, jti, expires_at, now):
        await asyncio.sleep(0)
        if (client_id, jti) in self.seen:
            return False
        self.seen.add((client_id, jti))
        return True


@pytest.mark.parametrize("answer", ["no", [False], NotImplemented, None, 1, 0, 1.0, b"", object()])
def test_a_replay_store_answer_that_is_not_a_bool_refuses(es256, answer):
    clock = jwtauth.FixedClock(NOW)
    v = jwtauth.Verifier(ISSUER, clock=clock, replay_store=Store(answer))
    reg = jwtauth.Registry.from_callback(lambda cid: client_for(es256) if cid == "c1" else None)
    with pytest.raises(jwtauth.ServerError) as e:
        v.verify(jwtauth.sign(es256, "c1", ISSUER, clock=clock).assertion, reg)
    assert (e.value.code, e.value.status) == ("JWTAUTH_REPLAY_STORE_UNAVAILABLE", 503)


def test_an_async_store_in_a_sync_call_is_a_usage_error_naming_the_async_variant(es256):
    clock = jwtauth.FixedClock(NOW)
    v = jwtauth.Verifier(ISSUER, clock=clock, replay_store=AsyncStore())
    reg = jwtauth.Registry.from_callback(lambda cid: client_for(es256))
    with pytest.raises(jwtauth.UsageError, match="verify_async"):
        v.verify(jwtauth.sign(es256, "c1", ISSUER, clock=clock).assertion, reg)


def test_async_callbacks_through_the_async_variants(es256):
    clock = jwtauth.FixedClock(NOW)
    store = AsyncStore()
    client = client_for(es256)

    async def lookup(cid):
        await asyncio.sleep(0.01)
        return client if cid == "c1" else None

    reg = jwtauth.Registry.from_callback(lookup)
    v = jwtauth.Verifier(ISSUER, clock=clock, replay_store=store)
    auth = jwtauth.Authenticator(v, reg)

    async def main():
        a = jwtauth.sign(es256, "c1", ISSUER, clock=clock)
        ok = await v.verify_async(a.assertion, reg)
        assert ok.client_id == "c1"
        with pytest.raises(jwtauth.InvalidClientError, match="REPLAYED"):
            await v.verify_async(a.assertion, reg)
        b = jwtauth.sign(es256, "c1", ISSUER, clock=clock)
        done = await auth.authenticate_async(form=b.form)
        assert done.client_id == "c1"
        with pytest.raises(jwtauth.InvalidClientError, match="UNKNOWN_CLIENT"):
            await v.verify_async(jwtauth.sign(es256, "c2", ISSUER, clock=clock).assertion, reg)

    asyncio.run(main())
    assert len(store.seen) == 2


# ---- 5: a lookup answering another client


def test_a_lookup_answering_another_client_is_refused(es256):
    clock = jwtauth.FixedClock(NOW)
    real = client_for(es256, "rsa-client")
    reg = jwtauth.Registry.from_callback(lambda cid: real)  # case-insensitive, say
    v = jwtauth.Verifier(ISSUER, clock=clock)
    with pytest.raises(jwtauth.InvalidClientError, match="UNKNOWN_CLIENT"):
        v.verify(jwtauth.sign(es256, "ghost", ISSUER, clock=clock).assertion, reg)
    assert v.verify(jwtauth.sign(es256, "rsa-client", ISSUER, clock=clock).assertion, reg).client_id == "rsa-client"


# ---- 7: nested verification is bounded


def test_nested_verification_is_bounded(es256):
    clock = jwtauth.FixedClock(NOW)
    v = jwtauth.Verifier(ISSUER, clock=clock)
    client = client_for(es256)
    depth = {"n": 0, "errors": []}

    def lookup(cid):
        depth["n"] += 1
        if depth["n"] < 500:
            try:
                v.verify(jwtauth.sign(es256, "c1", ISSUER, clock=clock).assertion, reg)
            except jwtauth.JwtAuthError as e:
                depth["errors"].append(e.code)
                raise
        return client

    reg = jwtauth.Registry.from_callback(lookup)
    with pytest.raises(jwtauth.JwtAuthError):
        v.verify(jwtauth.sign(es256, "c1", ISSUER, clock=clock).assertion, reg)
    assert "JWTAUTH_INVALID_ARGUMENT" in depth["errors"]
    assert depth["n"] <= 20
    # The thread is fine afterwards.
    depth["n"] = 1000
    assert v.verify(jwtauth.sign(es256, "c1", ISSUER, clock=clock).assertion, reg).client_id == "c1"


# ---- 10: signed headers with unreadable members


def hs256(header_bytes, claims):
    signing_input = b64u(header_bytes) + "." + b64u(json.dumps(claims).encode())
    sig = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64u(sig)


@pytest.mark.parametrize(
    "header,code",
    [
        (b'{"alg":"HS256","x":"\xff"}', "JWTAUTH_MALFORMED_HEADER"),
        (b'{"alg":"HS256","x":"\\ud800"}', "JWTAUTH_MALFORMED_HEADER"),
        (b'{"alg":"HS256","x":1e400}', "JWTAUTH_MALFORMED_HEADER"),
        (b'{"alg":"HS256","x":{"a":1,"a":2}}', "JWTAUTH_DUPLICATE_MEMBER"),
        (b'{"alg":"HS256","x":' + b"[" * 3000 + b"]" * 3000 + b"}", "JWTAUTH_MALFORMED_HEADER"),
    ],
)
def test_unknown_header_members_are_held_to_strict_json(header, code):
    reg = jwtauth.Registry.from_json(
        {"clients": [{"client_id": "c", "token_endpoint_auth_method": "client_secret_jwt", "client_secret": SECRET}]}, now=NOW
    )
    v = jwtauth.Verifier(ISSUER, clock=jwtauth.FixedClock(NOW))
    claims = {"iss": "c", "sub": "c", "aud": ISSUER, "exp": NOW + 60, "jti": "j"}
    with pytest.raises(jwtauth.InvalidClientError) as e:
        v.verify(hs256(header, claims), reg)
    assert e.value.code == code


# ---- 11: callbacks under a deadline


def test_a_slow_sync_lookup_is_refused_after_the_deadline(es256):
    clock = jwtauth.FixedClock(NOW)
    client = client_for(es256)

    def slow(cid):
        time.sleep(0.4)
        return client

    reg = jwtauth.Registry.from_callback(slow)
    v = jwtauth.Verifier(ISSUER, clock=clock)
    with pytest.raises(jwtauth.ServerError, match="REGISTRY_UNAVAILABLE"):
        v.verify(jwtauth.sign(es256, "c1", ISSUER, clock=clock).assertion, reg, timeout=0.1)
    assert v.verify(jwtauth.sign(es256, "c1", ISSUER, clock=clock).assertion, reg, timeout=5).client_id == "c1"


def test_an_async_lookup_that_never_answers_is_refused_at_the_deadline(es256):
    clock = jwtauth.FixedClock(NOW)

    async def never(cid):
        await asyncio.sleep(3600)

    reg = jwtauth.Registry.from_callback(never)
    v = jwtauth.Verifier(ISSUER, clock=clock)

    async def main():
        started = time.monotonic()
        with pytest.raises(jwtauth.ServerError, match="REGISTRY_UNAVAILABLE"):
            await v.verify_async(jwtauth.sign(es256, "c1", ISSUER, clock=clock).assertion, reg, timeout=0.2)
        return time.monotonic() - started

    assert asyncio.run(main()) < 3.0


def test_a_host_fetcher_is_held_to_the_jwks_timeout(es256):
    clock = jwtauth.FixedClock(NOW)

    def slow_fetch(uri):
        time.sleep(0.5)
        return json.dumps({"keys": [es256.public_jwk()]}).encode()

    remote = jwtauth.RemoteJwks(fetch=slow_fetch, timeout=0.1)
    reg = jwtauth.Registry.from_json(
        {"clients": [{"client_id": "r1", "token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://keys.example.com/jwks"}]},
        now=NOW,
    )
    v = jwtauth.Verifier(ISSUER, clock=clock, remote_jwks=remote)
    with pytest.raises(jwtauth.InvalidClientError, match="JWKS_UNAVAILABLE"):
        v.verify(jwtauth.sign(es256, "r1", ISSUER, clock=clock).assertion, reg)


@pytest.mark.parametrize("answer", [42, ["x"], {"keys": []}, (b"{}", "300"), (b"{}", True)])
def test_a_fetcher_answer_of_the_wrong_type_is_a_failed_fetch(es256, answer):
    remote = jwtauth.RemoteJwks(fetch=lambda uri: answer)
    reg = jwtauth.Registry.from_json(
        {"clients": [{"client_id": "r1", "token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://keys.example.com/jwks"}]},
        now=NOW,
    )
    clock = jwtauth.FixedClock(NOW)
    v = jwtauth.Verifier(ISSUER, clock=clock, remote_jwks=remote)
    with pytest.raises(jwtauth.InvalidClientError, match="JWKS_UNAVAILABLE"):
        v.verify(jwtauth.sign(es256, "r1", ISSUER, clock=clock).assertion, reg)


# ---- 13: what arrives in a request is the request's fault


@pytest.fixture(scope="module")
def basic_auth():
    reg = jwtauth.Registry.from_json(
        {"clients": [{"client_id": "b1", "token_endpoint_auth_method": "client_secret_basic", "client_secret": SECRET}]}, now=NOW
    )
    return jwtauth.Authenticator(jwtauth.Verifier(ISSUER, clock=jwtauth.FixedClock(NOW)), reg)


GOOD = "Basic " + base64.b64encode(f"b1:{SECRET}".encode()).decode()


@pytest.mark.parametrize(
    "headers",
    [
        {"authorization": b"Basic \xff\xfe"},
        [(b"authorization", b"Basic \xff\xfe")],
        [(b"Authorization", b"Basic YjE6\x00")],
        {"Authorization": "Basic \ud800"},
        [("authorization", GOOD), ("Authorization", GOOD)],
    ],
)
def test_header_bytes_are_request_errors(basic_auth, headers):
    with pytest.raises(jwtauth.JwtAuthError) as e:
        basic_auth.authenticate(headers, body=b"grant_type=client_credentials")
    assert e.value.status in (400, 401), e.value.code
    assert e.value.code in ("JWTAUTH_MALFORMED_AUTHORIZATION", "JWTAUTH_UNSUPPORTED_AUTH_SCHEME")
    status, hdrs, _ = e.value.response()
    assert status == 401 and "WWW-Authenticate" in hdrs


def test_attacker_named_headers_are_only_headers(basic_auth):
    headers = [(b"get", b"x"), (b"entries", b"y"), (b"authorization", GOOD.encode())]
    assert basic_auth.authenticate(headers, body=b"").client_id == "b1"
    assert basic_auth.authenticate({"Get": "x", "Authorization": GOOD}, body=b"").client_id == "b1"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"body": b"client_id=b1&client_secret=\xff"},
        {"body": "client_id=b1&client_secret=\ud800"},
        {"form": {"client_id": "b1", "client_secret": "\ud800"}},
        {"form": [(b"client_id", b"b1"), (b"client_secret", b"\xff")]},
    ],
)
def test_form_bytes_are_request_errors(basic_auth, kwargs):
    with pytest.raises(jwtauth.JwtAuthError) as e:
        basic_auth.authenticate(**kwargs)
    assert e.value.status in (400, 401), e.value.code


def test_assertion_text_with_lone_surrogates_is_a_request_error(es256):
    clock = jwtauth.FixedClock(NOW)
    reg = jwtauth.Registry.from_callback(lambda cid: client_for(es256))
    v = jwtauth.Verifier(ISSUER, clock=clock)
    a = jwtauth.sign(es256, "c1", ISSUER, clock=clock).assertion
    for bad in (a[:20] + "\ud800" + a[21:], a.encode()[:20] + b"\xff" + a.encode()[21:]):
        with pytest.raises(jwtauth.InvalidClientError) as e:
            v.verify(bad, reg)
        assert e.value.status == 401


# ---- properties: no request shape gets anything but a JwtAuthError


names = st.one_of(st.sampled_from(["authorization", "Authorization", "get", "entries", "items", "client_id"]), st.text(max_size=12))
values = st.one_of(st.text(max_size=40), st.binary(max_size=40), st.sampled_from([GOOD, "Basic ", "Basic \ud800", "Bearer x"]))
form_names = st.sampled_from(["client_id", "client_secret", "client_assertion", "client_assertion_type", "grant_type", "entries"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    headers=st.lists(st.tuples(st.one_of(names, st.binary(max_size=12)), values), max_size=5),
    form=st.lists(st.tuples(st.one_of(form_names, st.text(max_size=8), st.binary(max_size=8)), values), max_size=6),
    as_body=st.booleans(),
)
def test_any_request_shape_is_answered_with_a_request_error_or_success(basic_auth, headers, form, as_body):
    try:
        if as_body:
            body = b"&".join(
                (n if isinstance(n, bytes) else n.encode("utf-8", "surrogatepass"))
                + b"="
                + (v if isinstance(v, bytes) else v.encode("utf-8", "surrogatepass"))
                for n, v in form
            )
            basic_auth.authenticate(headers, body=body)
        else:
            basic_auth.authenticate(headers, form=form)
    except jwtauth.JwtAuthError as e:
        assert e.status in (400, 401), (e.code, e.detail)


answers = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.binary(max_size=5), st.lists(st.booleans(), max_size=2),
    st.just(NotImplemented), st.floats(allow_nan=True),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=answers)
def test_any_replay_store_answer_but_a_bool_refuses(es256, answer):
    clock = jwtauth.FixedClock(NOW)
    v = jwtauth.Verifier(ISSUER, clock=clock, replay_store=Store(answer))
    reg = jwtauth.Registry.from_callback(lambda cid: client_for(es256))
    try:
        v.verify(jwtauth.sign(es256, "c1", ISSUER, clock=clock).assertion, reg)
        accepted = True
    except jwtauth.JwtAuthError as e:
        accepted = False
        code = e.code
    if answer is True:
        assert accepted
    elif answer is False:
        assert not accepted and code == "JWTAUTH_REPLAYED"
    else:
        assert not accepted and code == "JWTAUTH_REPLAY_STORE_UNAVAILABLE"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=st.one_of(answers, st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)))
def test_any_lookup_answer_but_a_client_or_none_refuses(es256, answer):
    clock = jwtauth.FixedClock(NOW)
    v = jwtauth.Verifier(ISSUER, clock=clock)
    reg = jwtauth.Registry.from_callback(lambda cid: answer)
    with pytest.raises(jwtauth.JwtAuthError) as e:
        v.verify(jwtauth.sign(es256, "c1", ISSUER, clock=clock).assertion, reg)
    assert e.value.code == ("JWTAUTH_UNKNOWN_CLIENT" if answer is None else "JWTAUTH_REGISTRY_UNAVAILABLE")
