"""The Python surface: input types, exceptions and the response to send,
host callbacks (registry lookup, replay store, JWKS fetch), the policy."""

import json
import os

import pytest

import jwtauth

ISSUER = "https://as.example.com"
NOW = 1_800_000_000


@pytest.fixture(scope="module")
def es256():
    return jwtauth.SigningKey.generate("ES256", kid="k1")


def registry_for(key, client_id="c1"):
    return jwtauth.Registry.from_json(
        {"clients": [{"client_id": client_id, "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [key.public_jwk()]}}]},
        now=NOW,
    )


def test_every_text_and_bytes_type_is_accepted(es256):
    pem = es256.private_pem()
    for form in (pem, pem.encode(), bytearray(pem.encode()), memoryview(pem.encode())):
        assert jwtauth.SigningKey.from_pem(form).thumbprint == es256.thumbprint
    clock = jwtauth.FixedClock(NOW)
    v = jwtauth.Verifier(ISSUER, clock=clock)
    reg = registry_for(es256)
    for convert in (str, str.encode, lambda s: bytearray(s.encode()), lambda s: memoryview(s.encode())):
        a = jwtauth.sign(es256, "c1", ISSUER, clock=clock)
        assert v.verify(convert(a.assertion), reg).client_id == "c1"
    with pytest.raises(jwtauth.UsageError):
        jwtauth.SigningKey.from_pem(12345)
    with pytest.raises(jwtauth.UsageError):
        jwtauth.SigningKey.from_pem(b"\xff\xfe")


def test_sign_options_and_claims(es256):
    clock = jwtauth.FixedClock(NOW)
    a = jwtauth.sign(es256, "c1", ISSUER, lifetime=120, not_before=True, jti="fixed-jti", claims={"tenant": "acme"}, clock=clock)
    assert (a.issued_at, a.expires_at, a.jti) == (NOW, NOW + 120, "fixed-jti")
    assert a.form["client_assertion_type"] == jwtauth.CLIENT_ASSERTION_TYPE
    assert a.form_body.startswith("client_id=c1&client_assertion_type=urn%3Aietf")
    with pytest.raises(jwtauth.UsageError):
        jwtauth.sign(es256, "c1", ISSUER, lifetime=3600)
    long = jwtauth.sign(es256, "c1", ISSUER, lifetime=3600, allow_long_lifetime=True, clock=clock)
    assert long.expires_at == NOW + 3600
    with pytest.raises(jwtauth.UsageError):
        jwtauth.sign(es256, "c1", ISSUER, claims={"exp": 1})
    v = jwtauth.Verifier(ISSUER, clock=clock)
    r = v.verify(a.assertion, registry_for(es256))
    assert r.claims["tenant"] == "acme" and r.jti == "fixed-jti" and r.alg == "ES256" and r.key_id == "k1"
    assert r.key_thumbprint == es256.thumbprint and r.replay_until >= NOW + 120


def test_exceptions_carry_the_code_the_response_and_no_secret(es256):
    clock = jwtauth.FixedClock(NOW)
    v = jwtauth.Verifier(ISSUER, clock=clock)
    reg = registry_for(es256)
    a = jwtauth.sign(es256, "c1", ISSUER, clock=clock)
    v.verify(a.assertion, reg)
    with pytest.raises(jwtauth.InvalidClientError) as info:
        v.verify(a.assertion, reg)
    e = info.value
    assert isinstance(e, jwtauth.JwtAuthError)
    assert (e.code, e.name, e.number, e.oauth_error, e.status) == ("JWTAUTH_REPLAYED", "REPLAYED", 500, "invalid_client", 401)
    assert e.description == "The client assertion has already been used."
    assert a.assertion not in str(e) and a.assertion not in e.detail
    status, headers, body = e.response()
    assert status == 401 and headers["Cache-Control"] == "no-store" and "WWW-Authenticate" not in headers
    assert json.loads(body) == {"error": "invalid_client", "error_description": e.description}
    assert e.response_json()["error"] == "invalid_client"


def test_authenticate_accepts_headers_form_and_body_shapes():
    secret = "correct horse battery staple"
    reg = jwtauth.Registry()
    reg.add({"client_id": "basic-1", "token_endpoint_auth_method": "client_secret_basic", "client_secret": secret})
    reg.add({"client_id": "post-1", "token_endpoint_auth_method": "client_secret_post", "client_secret": secret})
    assert len(reg) == 2 and "basic-1" in reg and reg.get("nobody") is None
    auth = jwtauth.Authenticator(jwtauth.Verifier(ISSUER), reg, realm="as")
    basic = "Basic YmFzaWMtMTpjb3JyZWN0K2hvcnNlK2JhdHRlcnkrc3RhcGxl"
    for headers in ({"Authorization": basic}, {"authorization": basic}, [("AUTHORIZATION", basic)]):
        assert auth.authenticate(headers, form={"grant_type": "client_credentials"}).method == "client_secret_basic"
    assert auth.authenticate(authorization=basic, body=b"grant_type=client_credentials").client_id == "basic-1"
    ok = auth.authenticate(form=[("client_id", "post-1"), ("client_secret", secret)])
    assert (ok.client_id, ok.method, ok.claims, ok.jti) == ("post-1", "client_secret_post", None, None)
    with pytest.raises(jwtauth.InvalidRequestError) as info:
        auth.authenticate(form={"client_id": "post-1", "client_secret": [secret, secret]})
    assert info.value.code == "JWTAUTH_REPEATED_PARAMETER" and info.value.status == 400
    with pytest.raises(jwtauth.InvalidClientError) as info:
        auth.authenticate({"Authorization": "Basic YmFzaWMtMTp3cm9uZw=="}, body="grant_type=x")
    assert info.value.response().headers["WWW-Authenticate"] == 'Basic realm="as", charset="UTF-8"'
    assert "correct" not in str(info.value)
    with pytest.raises(jwtauth.UsageError):
        auth.authenticate(form={}, body=b"")
    assert reg.remove("post-1") and not reg.remove("post-1")


def test_host_callbacks_registry_and_replay_store(es256):
    clock = jwtauth.FixedClock(NOW)
    client = jwtauth.Client.from_metadata(
        {"client_id": "c1", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [es256.public_jwk()]}}, now=NOW
    )
    assert (client.client_id, client.method) == ("c1", "private_key_jwt")
    state = {"down": False, "lookups": 0}

    def lookup(client_id):
        state["lookups"] += 1
        if state["down"]:
            raise ConnectionError("db down")
        return client if client_id == "c1" else None

    class Store:
        def __init__(self):
            self.seen, self.down = set(), False

        def check_and_insert(self, client_id, jti, expires_at, now):
            if self.down:
                raise TimeoutError("store down")
            assert expires_at > now
            if (client_id, jti) in self.seen:
                return False
            self.seen.add((client_id, jti))
            return True

    store = Store()
    reg = jwtauth.Registry.from_callback(lookup)
    v = jwtauth.Verifier(ISSUER, clock=clock, replay_store=store)
    a = jwtauth.sign(es256, "c1", ISSUER, clock=clock)
    assert v.verify(a.assertion, reg).client_id == "c1" and len(store.seen) == 1
    with pytest.raises(jwtauth.InvalidClientError, match="REPLAYED"):
        v.verify(a.assertion, reg)
    store.down = True
    with pytest.raises(jwtauth.ServerError) as info:
        v.verify(jwtauth.sign(es256, "c1", ISSUER, clock=clock).assertion, reg)
    assert info.value.code == "JWTAUTH_REPLAY_STORE_UNAVAILABLE" and info.value.status == 503
    store.down = False
    with pytest.raises(jwtauth.InvalidClientError, match="UNKNOWN_CLIENT"):
        v.verify(jwtauth.sign(es256, "other", ISSUER, clock=clock).assertion, reg)
    state["down"] = True
    with pytest.raises(jwtauth.ServerError, match="REGISTRY_UNAVAILABLE"):
        v.verify(jwtauth.sign(es256, "c1", ISSUER, clock=clock).assertion, reg)
    with pytest.raises(jwtauth.UsageError):
        reg.add(client)
    mem = jwtauth.MemoryReplayStore(10)
    v2 = jwtauth.Verifier(ISSUER, clock=clock, replay_store=mem)
    state["down"] = False
    v2.verify(jwtauth.sign(es256, "c1", ISSUER, clock=clock).assertion, reg)
    assert len(mem) == 1


def test_remote_jwks_through_a_python_fetcher(es256):
    clock = jwtauth.FixedClock(NOW)
    calls = []

    def fetch(uri):
        calls.append(uri)
        return json.dumps({"keys": [es256.public_jwk()]}).encode(), 300

    remote = jwtauth.RemoteJwks(fetch=fetch)
    reg = jwtauth.Registry.from_json(
        {"clients": [{"client_id": "r1", "token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://keys.example.com/jwks"}]},
        now=NOW,
    )
    v = jwtauth.Verifier(ISSUER, clock=clock, remote_jwks=remote)
    for _ in range(3):
        assert v.verify(jwtauth.sign(es256, "r1", ISSUER, clock=clock).assertion, reg).client_id == "r1"
    assert calls == ["https://keys.example.com/jwks"] and remote.fetch_count("https://keys.example.com/jwks") == 1
    off = jwtauth.Verifier(ISSUER, clock=clock, remote_jwks=False)
    with pytest.raises(jwtauth.InvalidClientError, match="JWKS_UNAVAILABLE"):
        off.verify(jwtauth.sign(es256, "r1", ISSUER, clock=clock).assertion, reg)
    with pytest.raises(jwtauth.UsageError):
        jwtauth.RemoteJwks(min_ttl=100, default_ttl=10)


def test_policy_lists_every_problem(es256):
    policy = jwtauth.CredentialPolicy(min_rsa_bits=3072)
    assert policy.check_credential("jwk", es256.public_jwk(), "private_key_jwt") == []
    bad = {"keys": [dict(es256.public_jwk(), d="AAAA"), dict(es256.public_jwk(), kid="k1")]}
    problems = policy.check_credential("jwks", bad, "private_key_jwt")
    codes = [p.code for p in problems]
    assert "JWTAUTH_PRIVATE_KEY_MATERIAL" in codes and "JWTAUTH_DUPLICATE_KEY_ID" in codes
    assert all(p.message and "AAAA" not in p.message for p in problems)
    assert [p.code for p in policy.check_credential("jwks_uri", "http://10.0.0.1/jwks", "private_key_jwt")] == [
        "JWTAUTH_INVALID_JWKS_URI"
    ]
    short = jwtauth.CredentialPolicy().check_credential("secret", b"short", "client_secret_jwt")
    assert short and short[0].code == "JWTAUTH_WEAK_KEY"
    assert policy.check_client({"client_id": "x", "token_endpoint_auth_method": "private_key_jwt"}) != []
    with pytest.raises(jwtauth.UsageError):
        jwtauth.CredentialPolicy(no_such_setting=1)
    with pytest.raises(jwtauth.UsageError):
        policy.check_credential("nonsense", b"", "private_key_jwt")


def test_keys_round_trip_and_refuse_weak_or_private_material(es256):
    pub = jwtauth.VerifyingKey.from_pem(es256.public_pem(), kid="k1")
    assert pub.thumbprint == es256.thumbprint and pub.kid == "k1" and pub.not_after is None
    assert jwtauth.VerifyingKey.from_jwk(es256.public_jwk()).to_jwk()["crv"] == "P-256"
    with pytest.raises(jwtauth.InvalidCredentialError, match="PRIVATE_KEY_MATERIAL"):
        jwtauth.VerifyingKey.from_pem(es256.private_pem())
    with pytest.raises(jwtauth.InvalidCredentialError, match="WEAK_KEY"):
        jwtauth.SigningKey.from_secret(b"short", "HS256")
    with pytest.raises(jwtauth.InvalidClientError, match="UNSUPPORTED_ALGORITHM"):
        jwtauth.SigningKey.generate("none")
    h = jwtauth.SigningKey.generate("HS256")
    with pytest.raises(jwtauth.UsageError):
        h.public_jwk()
    s = jwtauth.JwkSet.from_json({"keys": [es256.public_jwk()]})
    assert len(s) == 1 and s.to_dict()["keys"][0]["kid"] == "k1"
    with pytest.raises(jwtauth.JwtAuthError):
        jwtauth.SigningKey.from_jwk(es256.public_jwk())  # a public JWK is no signing key


def test_redis_replay_store_fails_closed_without_a_server():
    """Nothing listens on port 1: a server error, never an acceptance, and
    never the URL's password in what is raised."""
    es256 = jwtauth.SigningKey.generate("ES256")
    registry = jwtauth.Registry.from_json(
        {"clients": [{"client_id": "c1", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [es256.public_jwk()]}}]}
    )
    store = jwtauth.RedisReplayStore("redis://:a-password@127.0.0.1:1/", prefix="t", connect_timeout=0.2, command_timeout=0.2)
    assert store.prefix == "t" and store.key("c1", "j").startswith("t:c1:")
    v = jwtauth.Verifier(ISSUER, replay_store=store)
    with pytest.raises(jwtauth.ServerError) as info:
        v.verify(jwtauth.sign(es256, "c1", ISSUER).assertion, registry)
    assert info.value.code == "JWTAUTH_REPLAY_STORE_UNAVAILABLE" and info.value.status == 503
    assert "a-password" not in str(info.value)
    with pytest.raises(jwtauth.ServerError):
        store.ping()
    with pytest.raises(jwtauth.UsageError):
        jwtauth.RedisReplayStore("http://example.com")


@pytest.mark.parametrize("deployment", ["JWTAUTH_REDIS_URL", "JWTAUTH_REDIS_CLUSTER_URL", "JWTAUTH_REDIS_SENTINEL_URL"])
def test_redis_replay_store_shared_by_two_verifiers(deployment):
    """One server, a Redis Cluster, a Sentinel-managed primary (CI starts all three)."""
    url = os.environ.get(deployment)
    if not url:
        pytest.skip(f"{deployment} not set (CI starts the Redis deployments)")
    es256 = jwtauth.SigningKey.generate("ES256")
    registry = jwtauth.Registry.from_json(
        {"clients": [{"client_id": "c1", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [es256.public_jwk()]}}]}
    )
    node_a = jwtauth.Verifier(ISSUER, replay_store=jwtauth.RedisReplayStore(url, prefix="jwtauth-py-test"))
    node_b = jwtauth.Verifier(ISSUER, replay_store=jwtauth.RedisReplayStore(url, prefix="jwtauth-py-test"))
    a = jwtauth.sign(es256, "c1", ISSUER)
    assert node_a.verify(a.assertion, registry).client_id == "c1"
    with pytest.raises(jwtauth.InvalidClientError) as info:
        node_b.verify(a.assertion, registry)
    assert info.value.code == "JWTAUTH_REPLAYED"


def test_explain_walks_the_rules_and_records_nothing(es256):
    clock = jwtauth.FixedClock(NOW)
    reg = registry_for(es256)
    v = jwtauth.Verifier(ISSUER, clock=clock)
    a = jwtauth.sign(es256, "c1", ISSUER, clock=clock).assertion
    for _ in range(2):
        e = v.explain(a, reg)
        assert (e["verdict"], e["client_id"]) == ("accepted", "c1")
        assert [s["status"] for s in e["steps"]] == ["pass"] * 9
    assert v.verify(a, reg).client_id == "c1", "explaining recorded nothing"
    e = v.explain(a, reg)
    assert (e["verdict"], e["error"], e["steps"][-1]["status"]) == ("refused", "JWTAUTH_REPLAYED", "fail")
    strict = jwtauth.Verifier("https://other.example", clock=clock, audience_mode="strict")
    fresh = jwtauth.sign(es256, "c1", ISSUER, clock=clock).assertion
    step = next(s for s in strict.explain(fresh, reg)["steps"] if s["status"] == "fail")
    assert (step["name"], step["fix"]) == ("audience", "set aud to https://other.example")
    assert ISSUER in step["detail"]


def test_authenticator_explain_a_request():
    reg = jwtauth.Registry.from_json(
        {"clients": [{"client_id": "web", "token_endpoint_auth_method": "client_secret_basic", "client_secret": "a-secret-of-enough-length"}]}
    )
    auth = jwtauth.Authenticator(jwtauth.Verifier(ISSUER), reg)
    import base64

    wrong = "Basic " + base64.b64encode(b"web:nope").decode()
    e = auth.explain({"Authorization": wrong}, body=b"grant_type=client_credentials")
    assert [(s["name"], s["status"]) for s in e["steps"]] == [
        ("form", "pass"), ("mechanism", "pass"), ("basic", "pass"), ("client", "pass"), ("secret", "fail"),
        ("policy", "not_reached"),
    ]
    assert (e["error"], e["response"]["status"]) == ("JWTAUTH_INVALID_SECRET", 401)
    right = "Basic " + base64.b64encode(b"web:a-secret-of-enough-length").decode()
    ok = auth.explain(authorization=right, form={"grant_type": "client_credentials"})
    assert (ok["verdict"], ok["client_id"], ok["method"]) == ("accepted", "web", "client_secret_basic")
    with pytest.raises(jwtauth.UsageError):
        auth.explain(form={}, body=b"")


def test_the_build_reports_its_crypto_provider():
    """FIPS only in a `fips` build (tests/providers.sh runs this file on one, with JWTAUTH_EXPECT_FIPS=1)."""
    fips = os.environ.get("JWTAUTH_EXPECT_FIPS") == "1"
    assert jwtauth.FIPS is fips
    assert jwtauth.CRYPTO_PROVIDER == ("aws-lc-rs (FIPS)" if fips else "aws-lc-rs")
