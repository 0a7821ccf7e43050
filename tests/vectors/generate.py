#!/usr/bin/env python3
"""Generates the shared test vectors in tests/vectors/ (keys.json, assertions.json,
key_loading.json) with pyca/cryptography -- an implementation independent of the
library under test, so the vectors do not test our signer against our verifier.

    pip install cryptography
    python3 tests/vectors/generate.py

Keys are created once and kept in keys.json (test keys only, never use them
elsewhere); running the script again re-signs every assertion with the same keys.
The format is documented in tests/vectors/README.md.
"""
import base64
import datetime
import hashlib
import hmac
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
import ipaddress
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = 1_800_000_000
ISSUER = "https://as.example.com"
TOKEN_ENDPOINT = "https://as.example.com/oauth2/token"
PAR_ENDPOINT = "https://as.example.com/oauth2/par"
TYP = "client-authentication+jwt"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_int(n: int, length=None) -> str:
    length = length or max(1, (n.bit_length() + 7) // 8)
    return b64u(n.to_bytes(length, "big"))


def compact(obj) -> bytes:
    if isinstance(obj, (bytes, bytearray)):
        return bytes(obj)
    if isinstance(obj, str):
        return obj.encode()
    return json.dumps(obj, separators=(",", ":")).encode()


# ---------------------------------------------------------------- keys

CURVES = {"P-256": (ec.SECP256R1(), 32), "P-384": (ec.SECP384R1(), 48), "P-521": (ec.SECP521R1(), 66)}
HASHES = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}


def make_private(spec):
    kind = spec["kind"]
    if kind == "RSA":
        return rsa.generate_private_key(65537, spec.get("bits", 2048))
    if kind == "EC":
        return ec.generate_private_key(CURVES[spec["crv"]][0])
    if kind == "Ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    raise ValueError(kind)


def public_jwk(key, kid=None):
    pub = key.public_key()
    if isinstance(pub, rsa.RSAPublicKey):
        n = pub.public_numbers()
        jwk = {"kty": "RSA", "n": b64u_int(n.n), "e": b64u_int(n.e)}
    elif isinstance(pub, ec.EllipticCurvePublicKey):
        crv = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}[pub.curve.name]
        size = CURVES[crv][1]
        n = pub.public_numbers()
        jwk = {"kty": "EC", "crv": crv, "x": b64u_int(n.x, size), "y": b64u_int(n.y, size)}
    else:
        raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64u(raw)}
    if kid:
        jwk["kid"] = kid
    return jwk


def certificate(key, not_before, not_after, cn):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    algo = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.datetime.fromtimestamp(not_before, datetime.timezone.utc))
        .not_valid_after(datetime.datetime.fromtimestamp(not_after, datetime.timezone.utc))
        .sign(key, algo)
    )
    return cert


KEY_SPECS = {
    "rsa-a": {"kind": "RSA"},
    "rsa-b": {"kind": "RSA"},
    "ec256-a": {"kind": "EC", "crv": "P-256"},
    "ec256-b": {"kind": "EC", "crv": "P-256"},
    "ec384": {"kind": "EC", "crv": "P-384"},
    "ec521": {"kind": "EC", "crv": "P-521"},
    "ed-a": {"kind": "Ed25519"},
    "ed-b": {"kind": "Ed25519"},
    "rsa-1024": {"kind": "RSA", "bits": 1024},
}

SECRETS = {
    "secret-64": "s3cr3t-for-the-shared-vectors-0123456789-abcdefghijklmnopqrstuvw",
    "secret-64-b": "another-secret-for-the-shared-vectors-0123456789-abcdefghijklmno",
}


def load_or_create_keys():
    path = os.path.join(HERE, "keys.json")
    existing = {}
    if os.path.exists(path):
        with open(path) as f:
            existing = json.load(f)["keys"]
    keys = {}
    for name, spec in KEY_SPECS.items():
        if name in existing:
            pem = existing[name]["private_pkcs8_pem"].encode()
            keys[name] = serialization.load_pem_private_key(pem, None)
        else:
            keys[name] = make_private(spec)
    return keys, existing


def key_entry(name, key, existing):
    pem_priv = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    spki = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    entry = {
        "jwk": public_jwk(key, kid=name),
        "spki_pem": spki,
        "private_pkcs8_pem": pem_priv,
    }
    if isinstance(key, rsa.RSAPrivateKey):
        entry["pkcs1_pem"] = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
        ).decode()
    if isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        # "RSA PRIVATE KEY" (PKCS#1) or "EC PRIVATE KEY" (SEC1).
        entry["private_traditional_pem"] = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        ).decode()
    # Certificates are kept stable across runs so their thumbprints do not change.
    old = existing.get(name, {})
    if name in ("rsa-a", "ec256-b", "ed-a"):
        if "cert_pem" in old:
            entry["cert_pem"] = old["cert_pem"]
        else:
            # rsa-a and ed-a: valid until 2030; ec256-b: expired before NOW.
            not_after = 1_790_000_000 if name == "ec256-b" else 1_893_456_000
            cert = certificate(key, 1_735_689_600, not_after, f"client {name}")
            entry["cert_pem"] = cert.public_bytes(serialization.Encoding.PEM).decode()
    if "cert_pem" in entry:
        der = x509.load_pem_x509_certificate(entry["cert_pem"].encode()).public_bytes(serialization.Encoding.DER)
        entry["x5t"] = b64u(hashlib.sha1(der).digest())
        entry["x5t#S256"] = b64u(hashlib.sha256(der).digest())
        entry["cert_not_after"] = int(
            x509.load_pem_x509_certificate(entry["cert_pem"].encode()).not_valid_after_utc.timestamp()
        )
    return entry


# ---------------------------------------------------------------- signing


def raw_sign(alg, key, data: bytes) -> bytes:
    fam, bits = alg[:2], alg[2:]
    if alg in ("EdDSA", "Ed25519"):
        return key.sign(data)
    if fam == "HS":
        return hmac.new(key.encode() if isinstance(key, str) else key, data, getattr(hashlib, "sha" + bits)).digest()
    h = HASHES[bits]
    if fam == "RS":
        return key.sign(data, padding.PKCS1v15(), h)
    if fam == "PS":
        return key.sign(data, padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), h)
    if fam == "ES":
        der = key.sign(data, ec.ECDSA(h))
        r, s = decode_dss_signature(der)
        size = (key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    raise ValueError(alg)


def der_ecdsa(key, alg, data):
    return key.sign(data, ec.ECDSA(HASHES[alg[2:]]))


def token(header, claims, key=None, alg=None, sig=None, sig_fn=None):
    """A compact JWS. header/claims: dict (compact JSON) or str/bytes (verbatim JSON)."""
    h = b64u(compact(header))
    p = b64u(compact(claims))
    signing_input = f"{h}.{p}".encode()
    if sig is None:
        if sig_fn is not None:
            sig = sig_fn(signing_input)
        else:
            if alg is None:
                alg = header["alg"]
            sig = raw_sign(alg, key, signing_input)
    return f"{h}.{p}.{b64u(sig)}"


def claims_for(client_id="c-rsa", aud=ISSUER, iat=NOW, exp=NOW + 60, jti="jti-1", **extra):
    c = {"iss": client_id, "sub": client_id, "aud": aud, "jti": jti, "iat": iat, "exp": exp}
    c.update(extra)
    return {k: v for k, v in c.items() if v is not None}


# ---------------------------------------------------------------- cases


def build(keys, key_entries):
    cases = []
    K = keys
    S = SECRETS

    def client(cid, method, *creds, **kw):
        c = {"client_id": cid, "method": method, "credentials": list(creds)}
        c.update(kw)
        return c

    def cred(fmt, name=None, **kw):
        c = {"format": fmt}
        if fmt == "jwks":
            c["keys"] = name
        elif fmt == "secret":
            c["secret"] = name
        else:
            c["key"] = name
        c.update(kw)
        return c

    def valid(cid):
        return {"valid": True, "client_id": cid}

    def err(code):
        return {"error": code}

    def case(id, rule, description, clients, steps, config=None, now=NOW):
        c = {"id": id, "rule": rule, "description": description, "clients": clients, "now": now, "steps": steps}
        if any(cr.get("key") == "ec521" for cl in clients for cr in cl.get("credentials", [])):
            # A build on the ring provider (no P-521) refuses the client's key when it is loaded.
            c["expect_ring"] = {"error": "PROVIDER_UNSUPPORTED"}
        if config:
            c["config"] = config
        cases.append(c)

    def step(assertion, expect, client_id=None, now=None):
        s = {"assertion": assertion, "expect": expect}
        if client_id is not None:
            s["client_id"] = client_id
        if now is not None:
            s["now"] = now
        return s

    # ---- every algorithm, positive and tampered
    algs = [
        ("RS256", "rsa-a"), ("RS384", "rsa-a"), ("RS512", "rsa-a"),
        ("PS256", "rsa-a"), ("PS384", "rsa-a"), ("PS512", "rsa-a"),
        ("ES256", "ec256-a"), ("ES384", "ec384"), ("ES512", "ec521"),
        ("EdDSA", "ed-a"), ("Ed25519", "ed-a"),
    ]
    for alg, kname in algs:
        cid = f"c-{alg.lower()}"
        cl = [client(cid, "private_key_jwt", cred("jwk", kname))]
        hdr = {"alg": alg, "kid": kname, "typ": TYP}
        good = token(hdr, claims_for(cid), K[kname])
        case(f"alg-{alg}-valid", "5", f"{alg} assertion signed by the registered key", cl, [step(good, valid(cid))])
        h, p, s = good.split(".")
        forged = b64u(compact(claims_for(cid, jti="jti-forged")))
        case(f"alg-{alg}-tampered-payload", "5", f"{alg}: claims changed after signing", cl,
             [step(f"{h}.{forged}.{s}", err("SIGNATURE_INVALID"))])
        other = {"rsa-a": "rsa-b", "ec256-a": "ec256-b", "ed-a": "ed-b"}.get(kname)
        if other:
            case(f"alg-{alg}-wrong-key", "5", f"{alg}: signed by another key of the same type", cl,
                 [step(token(hdr, claims_for(cid), K[other]), err("SIGNATURE_INVALID"))])
    for alg in ("HS256", "HS384", "HS512"):
        cid = f"c-{alg.lower()}"
        cl = [client(cid, "client_secret_jwt", cred("secret", S["secret-64"]))]
        hdr = {"alg": alg, "typ": TYP}
        case(f"alg-{alg}-valid", "5", f"{alg} assertion with the client secret", cl,
             [step(token(hdr, claims_for(cid), S["secret-64"]), valid(cid))])
        case(f"alg-{alg}-wrong-secret", "5", f"{alg} with another secret", cl,
             [step(token(hdr, claims_for(cid), S["secret-64-b"]), err("SIGNATURE_INVALID"))])
        good = token(hdr, claims_for(cid), S["secret-64"])
        h, p, s = good.split(".")
        short = b64u(base64.urlsafe_b64decode(s + "==")[:16])
        case(f"alg-{alg}-truncated-mac", "5", f"{alg} MAC truncated to 16 bytes", cl, [step(f"{h}.{p}.{short}", err("SIGNATURE_INVALID"))])

    rsa_client = [client("c-rsa", "private_key_jwt", cred("jwk", "rsa-a"))]
    ec_client = [client("c-ec", "private_key_jwt", cred("jwk", "ec256-a"))]
    H = {"alg": "RS256", "kid": "rsa-a"}

    def rs(claims=None, header=None, **kw):
        return token(header or H, claims or claims_for("c-rsa", **kw), K["rsa-a"], alg="RS256")

    # ---- rule 1: size and structure
    good = rs()
    h, p, s = good.split(".")
    case("r1-too-large", "1", "assertion above the configured size cap", rsa_client,
         [step(rs(claims_for("c-rsa", pad="x" * 2000)), err("ASSERTION_TOO_LARGE"))],
         config={"max_assertion_len": 1024})
    case("r1-large-header-ok", "1", "an 8 KiB header (MSAL-style chain) is within the 16 KiB default", rsa_client,
         [step(rs(header={"alg": "RS256", "kid": "rsa-a", "x5c_note": "y" * 8000}), valid("c-rsa"))])
    case("r1-two-segments", "1", "two segments", rsa_client, [step(f"{h}.{p}", err("MALFORMED_JWS"))])
    case("r1-four-segments", "1", "four segments", rsa_client, [step(f"{h}.{p}.{s}.{s}", err("MALFORMED_JWS"))])
    case("r1-empty-signature", "1", "empty signature segment", rsa_client, [step(f"{h}.{p}.", err("MALFORMED_JWS"))])
    case("r1-empty-payload", "1", "empty payload segment", rsa_client, [step(f"{h}..{s}", err("MALFORMED_JWS"))])
    case("r1-padding", "1", "base64 padding in the signature", rsa_client, [step(f"{h}.{p}.{s}==", err("INVALID_BASE64"))])
    sig = base64.urlsafe_b64decode(s + "==")
    std = base64.b64encode(sig).rstrip(b"=").decode()
    if std != s:
        case("r1-std-alphabet", "1", "standard base64 alphabet (+ /) in the signature", rsa_client,
             [step(f"{h}.{p}.{std}", err("INVALID_BASE64"))])
    ec_good = token({"alg": "ES256"}, claims_for("c-ec"), K["ec256-a"])
    eh, ep, es = ec_good.split(".")
    # 64-byte signature: 86 chars, the last one carries 2 unused bits.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(es[-1])
    noncanon = es[:-1] + alphabet[last | 1]
    case("r1-noncanonical-bits", "1", "signature whose last character has non-zero unused bits", ec_client,
         [step(f"{eh}.{ep}.{noncanon}", err("INVALID_BASE64"))])
    case("r1-whitespace", "1", "a space inside the payload segment", rsa_client,
         [step(f"{h}.{p[:10]} {p[10:]}.{s}", err("INVALID_BASE64"))])

    # ---- rule 2: header
    def hdr_case(id, header, code, description):
        t = token(header, claims_for("c-rsa"), K["rsa-a"], alg="RS256")
        case(id, "2", description, rsa_client, [step(t, err(code) if code else valid("c-rsa"))])

    hdr_case("r2-header-not-json", "not json", "MALFORMED_HEADER", "header is not JSON")
    hdr_case("r2-header-array", '["RS256"]', "MALFORMED_HEADER", "header is a JSON array")
    hdr_case("r2-duplicate-alg", '{"alg":"HS256","alg":"RS256","kid":"rsa-a"}', "DUPLICATE_MEMBER", "alg twice (parsers disagree on which wins)")
    hdr_case("r2-duplicate-escaped", '{"alg":"RS256","kid":"rsa-a","\\u006bid":"x"}', "DUPLICATE_MEMBER", "kid twice, once escaped")
    hdr_case("r2-alg-missing", {"kid": "rsa-a"}, "MALFORMED_HEADER", "no alg")
    hdr_case("r2-alg-number", {"alg": 256, "kid": "rsa-a"}, "MALFORMED_HEADER", "alg is a number")
    hdr_case("r2-alg-lowercase", {"alg": "rs256", "kid": "rsa-a"}, "UNSUPPORTED_ALGORITHM", "alg names are case-sensitive")
    hdr_case("r2-alg-unknown", {"alg": "RS1", "kid": "rsa-a"}, "UNSUPPORTED_ALGORITHM", "unknown alg")
    case("r2-alg-none", "2", "alg none with an empty signature is not even a JWS here", rsa_client,
         [step(f"{b64u(compact({'alg': 'none'}))}.{p}.", err("MALFORMED_JWS"))])
    case("r2-alg-none-signed", "2", "alg none with a signature segment", rsa_client,
         [step(f"{b64u(compact({'alg': 'none'}))}.{p}.{s}", err("UNSUPPORTED_ALGORITHM"))])
    hdr_case("r2-crit", {"alg": "RS256", "kid": "rsa-a", "crit": ["exp"], "exp": 1}, "UNSUPPORTED_HEADER", "crit is refused")
    hdr_case("r2-b64", {"alg": "RS256", "kid": "rsa-a", "b64": False, "crit": ["b64"]}, "UNSUPPORTED_HEADER", "b64:false (RFC 7797) is refused")
    hdr_case("r2-zip", {"alg": "RS256", "kid": "rsa-a", "zip": "DEF"}, "UNSUPPORTED_HEADER", "zip is refused")
    hdr_case("r2-embedded-jwk", {"alg": "RS256", "kid": "rsa-a", "jwk": key_entries["rsa-a"]["jwk"]}, "EMBEDDED_KEY", "the header carries the (right) key")
    hdr_case("r2-jku", {"alg": "RS256", "kid": "rsa-a", "jku": "https://evil.example/jwks"}, "EMBEDDED_KEY", "jku")
    hdr_case("r2-x5u", {"alg": "RS256", "kid": "rsa-a", "x5u": "https://evil.example/cert"}, "EMBEDDED_KEY", "x5u")
    hdr_case("r2-x5c", {"alg": "RS256", "kid": "rsa-a", "x5c": ["MIIB"]}, "EMBEDDED_KEY", "x5c")
    hdr_case("r2-typ-jwt", {"alg": "RS256", "kid": "rsa-a", "typ": "JWT"}, None, "typ JWT is accepted")
    hdr_case("r2-typ-at-jwt", {"alg": "RS256", "kid": "rsa-a", "typ": "at+jwt"}, "INVALID_TYPE", "an access token is not a client assertion (token confusion)")
    hdr_case("r2-typ-dpop", {"alg": "RS256", "kid": "rsa-a", "typ": "dpop+jwt"}, "INVALID_TYPE", "a DPoP proof is not a client assertion")
    hdr_case("r2-typ-number", {"alg": "RS256", "kid": "rsa-a", "typ": 1}, "MALFORMED_HEADER", "typ is a number")
    hdr_case("r2-kid-number", {"alg": "RS256", "kid": 7}, "MALFORMED_HEADER", "kid is a number")
    hdr_case("r2-typ-media-type", {"alg": "RS256", "kid": "rsa-a", "typ": "application/client-authentication+jwt"}, None,
             "typ with the application/ prefix, issuer audience")
    hdr_case("r2-unknown-member", {"alg": "RS256", "kid": "rsa-a", "cty": "x", "foo": {"bar": 1}}, None, "unknown members are ignored")

    # ---- rule 3: client identification
    case("r3-iss-missing", "3", "no iss", rsa_client, [step(rs(claims_for("c-rsa", iss=None)), err("MISSING_ISSUER"))])
    case("r3-sub-missing", "3", "no sub", rsa_client, [step(rs(claims_for("c-rsa", sub=None)), err("MISSING_ISSUER"))])
    case("r3-iss-sub-differ", "3", "iss and sub differ", rsa_client,
         [step(rs(claims_for("c-rsa", sub="c-other")), err("ISSUER_SUBJECT_MISMATCH"))])
    case("r3-client-id-agrees", "3", "form client_id equal to iss/sub", rsa_client, [step(rs(), valid("c-rsa"), client_id="c-rsa")])
    case("r3-client-id-differs", "3", "form client_id differs from iss/sub", rsa_client + ec_client,
         [step(rs(), err("CLIENT_ID_MISMATCH"), client_id="c-ec")])
    case("r3-unknown-client", "3", "iss/sub name no registered client", rsa_client,
         [step(token(H, claims_for("c-nobody"), K["rsa-a"]), err("UNKNOWN_CLIENT"))])
    case("r3-iss-number", "3", "iss is a number", rsa_client, [step(rs(claims_for("c-rsa", iss=5)), err("MALFORMED_CLAIMS"))])

    # ---- method and client allow-lists
    hs_client = [client("c-hs", "client_secret_jwt", cred("secret", S["secret-64"]))]
    rsa_pem_bytes = key_entries["rsa-a"]["spki_pem"]
    case("alg-confusion-hs-with-public-key", "2", "HS256 MAC keyed with the client's public key PEM (classic alg confusion)", rsa_client,
         [step(token({"alg": "HS256", "kid": "rsa-a"}, claims_for("c-rsa"), rsa_pem_bytes), err("ALGORITHM_NOT_ALLOWED"))])
    case("alg-rs-for-secret-client", "2", "RS256 assertion from a client_secret_jwt client", hs_client + rsa_client,
         [step(token(H, claims_for("c-hs"), K["rsa-a"]), err("ALGORITHM_NOT_ALLOWED"))])
    case("alg-pinned", "2", "token_endpoint_auth_signing_alg ES256 pinned, PS256 sent", 
         [client("c-pin", "private_key_jwt", cred("jwk", "rsa-a"), signing_alg="RS256")],
         [step(token({"alg": "PS256", "kid": "rsa-a"}, claims_for("c-pin"), K["rsa-a"]), err("ALGORITHM_NOT_ALLOWED")),
          step(token({"alg": "RS256", "kid": "rsa-a"}, claims_for("c-pin", jti="jti-2"), K["rsa-a"]), valid("c-pin"))])
    case("alg-not-for-method-basic", "2", "a client_secret_basic client cannot use an assertion",
         [client("c-basic", "client_secret_basic", cred("secret", S["secret-64"]))],
         [step(token({"alg": "HS256"}, claims_for("c-basic"), S["secret-64"]), err("ALGORITHM_NOT_ALLOWED"))])
    case("alg-verifier-allow-list", "2", "verifier allows only ES256", rsa_client,
         [step(rs(), err("ALGORITHM_NOT_ALLOWED"))], config={"allowed_algorithms": ["ES256"]})

    # ---- rule 4: key selection
    two = [client("c-two", "private_key_jwt", cred("jwks", ["ec256-a", "ec256-b"]))]
    case("r4-kid-selects", "4", "kid selects the second key of a JWKS", two,
         [step(token({"alg": "ES256", "kid": "ec256-b"}, claims_for("c-two"), K["ec256-b"]), valid("c-two"))])
    case("r4-no-kid-tries-each", "4", "no kid: every key that fits the alg is tried", two,
         [step(token({"alg": "ES256"}, claims_for("c-two"), K["ec256-b"]), valid("c-two"))])
    case("r4-kid-unknown", "4", "kid names no registered key (all keys have kids)", two,
         [step(token({"alg": "ES256", "kid": "nope"}, claims_for("c-two"), K["ec256-b"]), err("NO_MATCHING_KEY"))])
    case("r4-kid-wrong-key", "4", "kid selects one key, the signature is by the other", two,
         [step(token({"alg": "ES256", "kid": "ec256-a"}, claims_for("c-two"), K["ec256-b"]), err("SIGNATURE_INVALID"))])
    pem_client = [client("c-pem", "private_key_jwt", cred("pem", "rsa-a"))]
    case("r4-kid-with-pem-credential", "4", "any kid against a kid-less PEM credential: the PEM key is tried", pem_client,
         [step(token({"alg": "RS256", "kid": "client-chosen"}, claims_for("c-pem"), K["rsa-a"]), valid("c-pem"))])
    case("r4-pkcs1-credential", "4", "PKCS#1 RSA PUBLIC KEY credential", [client("c-pkcs1", "private_key_jwt", cred("pkcs1", "rsa-a"))],
         [step(token({"alg": "RS256"}, claims_for("c-pkcs1"), K["rsa-a"]), valid("c-pkcs1"))])
    cert_client = [client("c-cert", "private_key_jwt", cred("cert", "rsa-a"), cred("jwk", "rsa-b"))]
    x5t = key_entries["rsa-a"]["x5t"]
    case("r4-x5t-selects", "4", "x5t selects the certificate", cert_client,
         [step(token({"alg": "RS256", "x5t": x5t}, claims_for("c-cert"), K["rsa-a"]), valid("c-cert"))])
    case("r4-x5t-padded", "4", "x5t with = padding (MSAL) is tolerated", cert_client,
         [step(token({"alg": "RS256", "x5t": x5t + "="}, claims_for("c-cert"), K["rsa-a"]), valid("c-cert"))])
    case("r4-x5t-s256", "4", "x5t#S256 selects the certificate", cert_client,
         [step(token({"alg": "PS256", "x5t#S256": key_entries["rsa-a"]["x5t#S256"]}, claims_for("c-cert"), K["rsa-a"]), valid("c-cert"))])
    case("r4-x5t-garbage", "4", "x5t that is not a SHA-1 thumbprint", cert_client,
         [step(token({"alg": "RS256", "x5t": "abc"}, claims_for("c-cert"), K["rsa-a"]), err("MALFORMED_HEADER"))])
    case("r4-ed-cert", "4", "Ed25519 certificate credential", [client("c-edc", "private_key_jwt", cred("cert", "ed-a"))],
         [step(token({"alg": "EdDSA"}, claims_for("c-edc"), K["ed-a"]), valid("c-edc"))])
    exp_client = [client("c-exp", "private_key_jwt", cred("jwk", "ec256-a", expires_at=NOW - 1), cred("jwk", "ec256-b"))]
    case("r4-expired-credential", "4", "the only matching credential expired", exp_client,
         [step(token({"alg": "ES256", "kid": "ec256-a"}, claims_for("c-exp"), K["ec256-a"]), err("CREDENTIAL_EXPIRED"))])
    case("r4-expired-skipped", "4", "no kid: the expired credential is skipped, the other verifies", exp_client,
         [step(token({"alg": "ES256"}, claims_for("c-exp"), K["ec256-b"]), valid("c-exp"))])
    case("r4-expired-not-tried", "4", "no kid, signed by the expired key: not accepted", exp_client,
         [step(token({"alg": "ES256"}, claims_for("c-exp"), K["ec256-a"]), err("SIGNATURE_INVALID"))])
    case("r4-not-yet-expired", "4", "expires_at one second ahead", 
         [client("c-exp2", "private_key_jwt", cred("jwk", "ec256-a", expires_at=NOW + 1))],
         [step(token({"alg": "ES256"}, claims_for("c-exp2"), K["ec256-a"]), valid("c-exp2"))])
    case("r4-cert-expiry", "4", "parse_expiry_from_cert: the certificate expired before now",
         [client("c-certexp", "private_key_jwt", cred("cert", "ec256-b", expiry_from_cert=True))],
         [step(token({"alg": "ES256"}, claims_for("c-certexp"), K["ec256-b"]), err("CREDENTIAL_EXPIRED"))])
    case("r4-cert-expiry-not-used", "4", "an expired certificate without parse_expiry_from_cert still verifies",
         [client("c-certexp2", "private_key_jwt", cred("cert", "ec256-b"))],
         [step(token({"alg": "ES256"}, claims_for("c-certexp2"), K["ec256-b"]), valid("c-certexp2"))])
    case("r4-key-family", "4", "kid names an RSA key but alg is ES256", 
         [client("c-mix", "private_key_jwt", cred("jwk", "rsa-a"), cred("jwk", "ec256-a"))],
         [step(token({"alg": "ES256", "kid": "rsa-a"}, claims_for("c-mix"), K["ec256-a"]), err("NO_MATCHING_KEY"))])
    case("r4-curve-family", "4", "ES384 against a P-256 key",
         [client("c-curve", "private_key_jwt", cred("jwk", "ec256-a"))],
         [step(token({"alg": "ES384", "kid": "ec256-a"}, claims_for("c-curve"), K["ec384"]), err("NO_MATCHING_KEY"))])
    case("r4-jwk-alg-binds", "4", "a key registered with alg RS256 does not verify PS256",
         [client("c-algjwk", "private_key_jwt", cred("jwk", "rsa-a", alg="RS256"))],
         [step(token({"alg": "PS256", "kid": "rsa-a"}, claims_for("c-algjwk"), K["rsa-a"]), err("NO_MATCHING_KEY"))])

    # ---- rule 5: signature encodings
    def es_case(id, sig_bytes, description):
        case(id, "5", description, ec_client, [step(token({"alg": "ES256"}, claims_for("c-ec"), sig=sig_bytes), err("SIGNATURE_INVALID"))])

    es_case("r5-ecdsa-der", der_ecdsa(K["ec256-a"], "ES256", f"{b64u(compact({'alg': 'ES256'}))}.{b64u(compact(claims_for('c-ec')))}".encode()),
            "ECDSA signature in DER instead of raw R||S")
    es_case("r5-ecdsa-zero", b"\x00" * 64, "r = s = 0 (psychic signature)")
    good_ec = token({"alg": "ES256"}, claims_for("c-ec"), K["ec256-a"])
    gh, gp, gs = good_ec.split(".")
    raw = base64.urlsafe_b64decode(gs + "==")
    case("r5-ecdsa-short", "5", "ES256 signature one byte short", ec_client, [step(f"{gh}.{gp}.{b64u(raw[:-1])}", err("SIGNATURE_INVALID"))])
    case("r5-ecdsa-long", "5", "ES256 signature with a trailing byte", ec_client, [step(gh + "." + gp + "." + b64u(raw + bytes(1)), err("SIGNATURE_INVALID"))])
    rsig = base64.urlsafe_b64decode(s + "==")
    case("r5-rsa-leading-zero", "5", "RSA signature with an extra leading zero byte", rsa_client,
         [step(h + "." + p + "." + b64u(bytes(1) + rsig), err("SIGNATURE_INVALID"))])
    case("r5-pss-as-rs", "5", "a PS256 signature presented as RS256", rsa_client,
         [step(token(H, claims_for("c-rsa"), K["rsa-a"], alg="PS256"), err("SIGNATURE_INVALID"))])
    case("r5-ed-as-es", "5", "an Ed25519 signature under ES256",
         [client("c-eded", "private_key_jwt", cred("jwk", "ec256-a"), cred("jwk", "ed-a"))],
         [step(token({"alg": "ES256", "kid": "ec256-a"}, claims_for("c-eded"), K["ed-a"], alg="EdDSA"), err("SIGNATURE_INVALID"))])

    # ---- rule 6: claims
    def cl_case(id, claims, expect, description, **kw):
        t = token(H, claims, K["rsa-a"])
        case(id, "6", description, rsa_client, [step(t, expect)], **kw)

    cl_case("r6-payload-not-json", "nope", err("MALFORMED_CLAIMS"), "payload is not JSON")
    cl_case("r6-payload-array", "[]", err("MALFORMED_CLAIMS"), "payload is an array")
    cl_case("r6-duplicate-claim", '{"iss":"c-rsa","sub":"c-rsa","aud":"https://as.example.com","jti":"j","exp":%d,"exp":%d}' % (NOW + 60, NOW + 9999),
            err("DUPLICATE_MEMBER"), "exp twice")
    cl_case("r6-exp-missing", claims_for("c-rsa", exp=None), err("MISSING_CLAIM"), "no exp")
    cl_case("r6-exp-string", claims_for("c-rsa", exp=str(NOW + 60)), err("MALFORMED_CLAIMS"), "exp as a string (never a date)")
    cl_case("r6-exp-null", '{"iss":"c-rsa","sub":"c-rsa","aud":"%s","jti":"j","exp":null}' % ISSUER, err("MALFORMED_CLAIMS"), "exp is null")
    cl_case("r6-exp-bool", claims_for("c-rsa", exp=True), err("MALFORMED_CLAIMS"), "exp as a boolean")
    cl_case("r6-expired", claims_for("c-rsa", iat=NOW - 200, exp=NOW - 61), err("EXPIRED"), "exp beyond the 60 s leeway")
    cl_case("r6-expired-at-leeway", claims_for("c-rsa", iat=NOW - 200, exp=NOW - 60), err("EXPIRED"), "exp exactly at the leeway edge")
    cl_case("r6-expired-within-leeway", claims_for("c-rsa", iat=NOW - 200, exp=NOW - 59), valid("c-rsa"), "exp 59 s ago, within leeway")
    cl_case("r6-fractional-times", claims_for("c-rsa", iat=NOW - 0.25, exp=NOW + 59.75, nbf=NOW - 0.25), valid("c-rsa"), "fractional iat/exp/nbf (MSAL sends floats)")
    cl_case("r6-nbf-future", claims_for("c-rsa", nbf=NOW + 61, exp=NOW + 120), err("NOT_YET_VALID"), "nbf beyond leeway")
    cl_case("r6-nbf-within-leeway", claims_for("c-rsa", nbf=NOW + 30), valid("c-rsa"), "nbf 30 s ahead, within leeway")
    cl_case("r6-iat-future", claims_for("c-rsa", iat=NOW + 61, exp=NOW + 120), err("ISSUED_IN_FUTURE"), "iat beyond leeway")
    cl_case("r6-too-old", claims_for("c-rsa", iat=NOW - 361, exp=NOW + 60), err("TOO_OLD"), "iat older than max_age + leeway")
    cl_case("r6-old-within", claims_for("c-rsa", iat=NOW - 359, exp=NOW + 60), valid("c-rsa"), "iat 359 s ago (max_age 300 + leeway 60)")
    cl_case("r6-authlib-hour", claims_for("c-rsa", iat=NOW, exp=NOW + 3600), valid("c-rsa"), "exp = iat + 3600 (Authlib) is accepted; the age bound applies")
    cl_case("r6-no-iat", claims_for("c-rsa", iat=None, exp=NOW + 60), valid("c-rsa"), "iat is optional")
    cl_case("r6-no-iat-far-exp", claims_for("c-rsa", iat=None, exp=NOW + 3600), err("EXPIRY_TOO_FAR"), "without iat, exp beyond max_age")
    cl_case("r6-lifetime-3601", claims_for("c-rsa", iat=NOW, exp=NOW + 3601), err("LIFETIME_TOO_LONG"), "exp = iat + 3601: beyond max_lifetime (3600, inclusive)")
    cl_case("r6-exp-1e20", claims_for("c-rsa", exp=1e20), err("LIFETIME_TOO_LONG"), "exp 1e20 is no time: refused by the lifetime rule")
    cl_case("r6-exp-huge-integer", claims_for("c-rsa", exp=10**20), err("LIFETIME_TOO_LONG"), "exp a 21-digit integer")
    cl_case("r6-exp-1e400", '{"iss":"c-rsa","sub":"c-rsa","aud":"%s","jti":"j","iat":%d,"exp":1e400}' % (ISSUER, NOW),
            err("LIFETIME_TOO_LONG"), "exp 1e400, beyond any double: refused by the lifetime rule, not an overflow")
    cl_case("r6-lifetime-config", claims_for("c-rsa", iat=NOW, exp=NOW + 601), err("LIFETIME_TOO_LONG"), "max_lifetime 600 configured",
            config={"max_lifetime": 600})
    cl_case("r6-jti-missing", claims_for("c-rsa", jti=None), err("MISSING_CLAIM"), "no jti")
    cl_case("r6-jti-empty", claims_for("c-rsa", jti=""), err("MISSING_CLAIM"), "empty jti")
    cl_case("r6-jti-number", claims_for("c-rsa", jti=7), err("MALFORMED_CLAIMS"), "jti is a number")
    cl_case("r6-max-age-config", claims_for("c-rsa", iat=NOW - 100, exp=NOW + 60), err("TOO_OLD"), "max_age 30 configured", config={"max_age": 30})
    case("r6-max-age-client", "6", "per-client max_age override",
         [client("c-age", "private_key_jwt", cred("jwk", "rsa-a"), max_age=30)],
         [step(token(H, claims_for("c-age", iat=NOW - 100, exp=NOW + 60), K["rsa-a"]), err("TOO_OLD"))])
    cl_case("r6-extra-claims", claims_for("c-rsa", extra={"nested": [1, {"a": 2}]}), valid("c-rsa"), "extra claims are kept")

    # ---- rule 7: audience
    def aud_case(id, aud, expect, description, typ=None, config=None, clients=None, cid="c-rsa"):
        hdr = dict(H)
        if typ:
            hdr["typ"] = typ
        t = token(hdr, claims_for(cid, aud=aud), K["rsa-a"])
        case(id, "7", description, clients or rsa_client, [step(t, expect)], config=config)

    aud_case("r7-issuer", ISSUER, valid("c-rsa"), "aud is the issuer identifier")
    aud_case("r7-token-endpoint", TOKEN_ENDPOINT, valid("c-rsa"), "aud is the token endpoint (compat)")
    aud_case("r7-extra-endpoint", PAR_ENDPOINT, valid("c-rsa"), "aud is a configured extra endpoint (compat)")
    aud_case("r7-array-one", [ISSUER], valid("c-rsa"), "aud as a one-element array (compat)")
    aud_case("r7-array-two", [ISSUER, "https://other.example"], err("AUDIENCE_MISMATCH"), "aud with two values")
    aud_case("r7-array-empty", [], err("AUDIENCE_MISMATCH"), "empty aud array")
    aud_case("r7-missing", None, err("MISSING_CLAIM"), "no aud")
    aud_case("r7-prefix", ISSUER + "/", err("AUDIENCE_MISMATCH"), "issuer with a trailing slash (no prefix matching)")
    aud_case("r7-substring", "https://as.example.com.evil.example", err("AUDIENCE_MISMATCH"), "issuer as a prefix of another host")
    aud_case("r7-case", ISSUER.upper(), err("AUDIENCE_MISMATCH"), "exact comparison, not case-insensitive")
    aud_case("r7-other", "https://other.example", err("AUDIENCE_MISMATCH"), "another server")
    aud_case("r7-number", 5, err("MALFORMED_CLAIMS"), "aud is a number")
    strict = {"audience_mode": "strict"}
    aud_case("r7-strict-issuer", ISSUER, valid("c-rsa"), "strict: the issuer identifier", config=strict)
    aud_case("r7-strict-endpoint", TOKEN_ENDPOINT, err("AUDIENCE_MISMATCH"), "strict: the token endpoint is refused", config=strict)
    aud_case("r7-strict-array", [ISSUER], err("AUDIENCE_MISMATCH"), "strict: a one-element array is refused", config=strict)
    aud_case("r7-typed-forces-strict", TOKEN_ENDPOINT, err("AUDIENCE_MISMATCH"), "typ client-authentication+jwt forces strict", typ=TYP)
    aud_case("r7-typed-issuer", ISSUER, valid("c-rsa"), "typ client-authentication+jwt with the issuer", typ=TYP)
    aud_case("r7-client-strict", TOKEN_ENDPOINT, err("AUDIENCE_MISMATCH"), "per-client strict override",
             clients=[client("c-strict", "private_key_jwt", cred("jwk", "rsa-a"), audience_mode="strict")], cid="c-strict")
    aud_case("r7-client-compat", TOKEN_ENDPOINT, valid("c-compat"), "per-client compat override under a strict verifier",
             clients=[client("c-compat", "private_key_jwt", cred("jwk", "rsa-a"), audience_mode="compat")], cid="c-compat", config=strict)

    # ---- rule 8: replay
    t = rs()
    case("r8-replay", "8", "the same assertion twice", rsa_client, [step(t, valid("c-rsa")), step(t, err("REPLAYED"))])
    t2 = rs(jti="jti-other")
    case("r8-new-jti", "8", "a new jti is accepted", rsa_client, [step(t, valid("c-rsa")), step(t2, valid("c-rsa"))])
    shared = [client("c-one", "private_key_jwt", cred("jwk", "rsa-a")), client("c-two-r", "private_key_jwt", cred("jwk", "rsa-a"))]
    case("r8-per-client", "8", "the same jti from two clients does not collide", shared,
         [step(token(H, claims_for("c-one", jti="same"), K["rsa-a"]), valid("c-one")),
          step(token(H, claims_for("c-two-r", jti="same"), K["rsa-a"]), valid("c-two-r"))])
    case("r8-later-replay", "8", "replayed 30 s later: still remembered", rsa_client,
         [step(t, valid("c-rsa")), step(t, err("REPLAYED"), now=NOW + 30)])
    case("r8-replay-after-window", "8", "replayed after the window: refused as expired, not accepted", rsa_client,
         [step(t, valid("c-rsa")), step(t, err("EXPIRED"), now=NOW + 400)])
    bad = token(H, claims_for("c-rsa", aud="https://other.example"), K["rsa-a"])
    case("r8-not-recorded-on-failure", "8", "a rejected assertion records nothing", rsa_client,
         [step(token(H, claims_for("c-rsa", jti="jti-1"), K["rsa-b"]), err("SIGNATURE_INVALID")), step(t, valid("c-rsa"))])

    # ---- profiles (docs/profiles.md): rfc7523bis and fapi2, per verifier and per client
    bis, fapi = {"profile": "rfc7523bis"}, {"profile": "fapi2"}
    aud_case("p-bis-issuer", ISSUER, valid("c-rsa"), "rfc7523bis: the issuer", config=bis)
    aud_case("p-bis-array-one", [ISSUER], valid("c-rsa"), "rfc7523bis: the issuer as a one-member array", config=bis)
    aud_case("p-bis-typed-array-one", [ISSUER], valid("c-rsa"), "rfc7523bis: explicitly typed, one-member array", typ=TYP, config=bis)
    aud_case("p-bis-token-endpoint", TOKEN_ENDPOINT, err("AUDIENCE_MISMATCH"), "rfc7523bis: the token endpoint is refused", config=bis)
    aud_case("p-bis-par-endpoint", PAR_ENDPOINT, err("AUDIENCE_MISMATCH"), "rfc7523bis: a configured endpoint is refused", config=bis)
    aud_case("p-bis-array-two", [ISSUER, TOKEN_ENDPOINT], err("AUDIENCE_MISMATCH"), "rfc7523bis: two audiences", config=bis)
    ps_client = [client("c-ps", "private_key_jwt", cred("jwk", "rsa-a"))]
    PS = {"alg": "PS256", "kid": "rsa-a"}
    EC = {"alg": "ES256", "kid": "ec256-a"}
    ED = {"alg": "EdDSA", "kid": "ed-a"}
    ed_client = [client("c-ed", "private_key_jwt", cred("jwk", "ed-a"))]
    case("p-fapi2-ps256", "P", "fapi2: PS256 with the issuer as aud", ps_client,
         [step(token(PS, claims_for("c-ps"), K["rsa-a"]), valid("c-ps"))], config=fapi)
    case("p-fapi2-rs256", "P", "fapi2: RS256 is not allowed", ps_client,
         [step(token(H, claims_for("c-ps"), K["rsa-a"]), err("ALGORITHM_NOT_ALLOWED"))], config=fapi)
    case("p-fapi2-es256", "P", "fapi2: ES256", ec_client,
         [step(token(EC, claims_for("c-ec"), K["ec256-a"]), valid("c-ec"))], config=fapi)
    case("p-fapi2-eddsa", "P", "fapi2: EdDSA", ed_client,
         [step(token(ED, claims_for("c-ed"), K["ed-a"]), valid("c-ed"))], config=fapi)
    case("p-fapi2-es384", "P", "fapi2: ES384 is not allowed", [client("c-ec384", "private_key_jwt", cred("jwk", "ec384"))],
         [step(token({"alg": "ES384", "kid": "ec384"}, claims_for("c-ec384"), K["ec384"]), err("ALGORITHM_NOT_ALLOWED"))], config=fapi)
    case("p-fapi2-hs256", "P", "fapi2: client_secret_jwt's HS256 is not allowed",
         [client("c-hs", "client_secret_jwt", cred("secret", S["secret-64"]))],
         [step(token({"alg": "HS256", "typ": TYP}, claims_for("c-hs"), S["secret-64"]), err("ALGORITHM_NOT_ALLOWED"))], config=fapi)
    case("p-fapi2-array-one", "P", "fapi2: aud as a one-member array is refused", ec_client,
         [step(token(EC, claims_for("c-ec", aud=[ISSUER]), K["ec256-a"]), err("AUDIENCE_MISMATCH"))], config=fapi)
    case("p-fapi2-token-endpoint", "P", "fapi2: the token endpoint is refused", ec_client,
         [step(token(EC, claims_for("c-ec", aud=TOKEN_ENDPOINT), K["ec256-a"]), err("AUDIENCE_MISMATCH"))], config=fapi)
    case("p-fapi2-iat-10s-ahead", "P", "fapi2: iat 10 s ahead is accepted", ec_client,
         [step(token(EC, claims_for("c-ec", iat=NOW + 10, exp=NOW + 70), K["ec256-a"]), valid("c-ec"))], config=fapi)
    case("p-fapi2-iat-11s-ahead", "P", "fapi2: iat 11 s ahead is refused", ec_client,
         [step(token(EC, claims_for("c-ec", iat=NOW + 11, exp=NOW + 71), K["ec256-a"]), err("ISSUED_IN_FUTURE"))], config=fapi)
    case("p-fapi2-nbf-10s-ahead", "P", "fapi2: nbf 10 s ahead is accepted", ec_client,
         [step(token(EC, claims_for("c-ec", nbf=NOW + 10), K["ec256-a"]), valid("c-ec"))], config=fapi)
    case("p-fapi2-nbf-11s-ahead", "P", "fapi2: nbf 11 s ahead is refused", ec_client,
         [step(token(EC, claims_for("c-ec", nbf=NOW + 11), K["ec256-a"]), err("NOT_YET_VALID"))], config=fapi)
    case("p-compat-iat-11s-ahead", "P", "compat: iat 11 s ahead is within the 60 s leeway", ec_client,
         [step(token(EC, claims_for("c-ec", iat=NOW + 11, exp=NOW + 71), K["ec256-a"]), valid("c-ec"))])
    case("p-client-fapi2", "P", "a client's own fapi2 profile under a compat verifier",
         [client("c-fapi", "private_key_jwt", cred("jwk", "rsa-a"), profile="fapi2")],
         [step(token(H, claims_for("c-fapi"), K["rsa-a"]), err("ALGORITHM_NOT_ALLOWED")),
          step(token(PS, claims_for("c-fapi", jti="jti-2"), K["rsa-a"]), valid("c-fapi"))])
    case("p-client-compat", "P", "a client's own compat profile under a fapi2 verifier",
         [client("c-old", "private_key_jwt", cred("jwk", "rsa-a"), profile="compat")],
         [step(token(H, claims_for("c-old", aud=TOKEN_ENDPOINT), K["rsa-a"]), valid("c-old"))], config=fapi)

    # ---- the endpoint that received the assertion (compat): its URL is an accepted aud there only
    INTROSPECTION = "https://as.example.com/oauth2/introspect"
    at_intro = {"endpoints": {"introspection_endpoint": INTROSPECTION}, "at": "introspection_endpoint"}
    aud_case("e-introspection-at-introspection", INTROSPECTION, valid("c-rsa"), "the introspection endpoint's URL, at the introspection endpoint", config=at_intro)
    aud_case("e-introspection-at-token", INTROSPECTION, err("AUDIENCE_MISMATCH"), "the introspection endpoint's URL, at the token endpoint",
             config={"endpoints": {"introspection_endpoint": INTROSPECTION}})
    aud_case("e-token-at-introspection", TOKEN_ENDPOINT, valid("c-rsa"), "the token endpoint's URL, at the introspection endpoint (compat)", config=at_intro)
    aud_case("e-issuer-at-introspection", ISSUER, valid("c-rsa"), "the issuer, at the introspection endpoint", config=at_intro)
    aud_case("e-introspection-rfc7523bis", INTROSPECTION, err("AUDIENCE_MISMATCH"), "rfc7523bis: no endpoint URL, even where it was received",
             config={**at_intro, "profile": "rfc7523bis"})
    aud_case("e-revocation-unconfigured", INTROSPECTION, err("AUDIENCE_MISMATCH"), "at the revocation endpoint, which has no URL configured",
             config={"endpoints": {"introspection_endpoint": INTROSPECTION}, "at": "revocation_endpoint"})

    # ---- report-only: a stricter profile beside the enforced one refuses nothing
    def would(profile, code):
        return {"profile": profile, "code": code}
    rep_bis = {"report_profile": "rfc7523bis"}
    case("p-report-bis-token-endpoint", "P", "report rfc7523bis: a token-endpoint audience is accepted and reported", rsa_client,
         [step(rs(aud=TOKEN_ENDPOINT), {**valid("c-rsa"), "would_refuse": would("rfc7523bis", "AUDIENCE_MISMATCH")}),
          step(rs(aud=ISSUER, jti="jti-2"), {**valid("c-rsa"), "would_refuse": None})], config=rep_bis)
    case("p-report-fapi2-rs256", "P", "report fapi2 under compat: RS256 is accepted and reported", rsa_client,
         [step(rs(), {**valid("c-rsa"), "would_refuse": would("fapi2", "ALGORITHM_NOT_ALLOWED")})], config={"report_profile": "fapi2"})
    case("p-report-fapi2-iat-ahead", "P", "report fapi2 under compat: iat 30 s ahead is accepted and reported", ec_client,
         [step(token(EC, claims_for("c-ec", iat=NOW + 30, exp=NOW + 90), K["ec256-a"]),
               {**valid("c-ec"), "would_refuse": would("fapi2", "ISSUED_IN_FUTURE")})], config={"report_profile": "fapi2"})
    case("p-report-refused-still-refused", "P", "report-only changes no verdict: a replay is still refused", rsa_client,
         [step(rs(aud=TOKEN_ENDPOINT), {**valid("c-rsa"), "would_refuse": would("rfc7523bis", "AUDIENCE_MISMATCH")}),
          step(rs(aud=TOKEN_ENDPOINT), err("REPLAYED"))], config=rep_bis)
    return cases


def key_loading_cases(key_entries):
    cases = []

    def add(id, fmt, input, expect, description):
        c = {"id": id, "format": fmt, "input": input, "expect": expect, "description": description}
        if "ec521" in id:
            # A build on the ring provider (no P-521) refuses the key when it is loaded.
            c["expect_ring"] = {"error": "PROVIDER_UNSUPPORTED"}
        cases.append(c)

    ok = {"valid": True}
    for name, e in key_entries.items():
        if name == "rsa-1024":
            continue
        add(f"jwk-{name}", "jwk", json.dumps(e["jwk"]), dict(ok, thumbprint=thumbprint(e["jwk"])), f"public JWK {name}")
        add(f"pem-{name}", "pem", e["spki_pem"], dict(ok, thumbprint=thumbprint(e["jwk"])), f"SPKI PEM {name}")
        add(f"private-pem-{name}", "private_pem", e["private_pkcs8_pem"], dict(ok, thumbprint=thumbprint(e["jwk"])), f"PKCS#8 PEM {name}")
        if "private_traditional_pem" in e:
            kind = "PKCS#1" if e["jwk"]["kty"] == "RSA" else "SEC1"
            add(f"private-traditional-{name}", "private_pem", e["private_traditional_pem"],
                dict(ok, thumbprint=thumbprint(e["jwk"])), f"{kind} private PEM {name}")
        if "cert_pem" in e:
            add(f"cert-{name}", "pem", e["cert_pem"], dict(ok, thumbprint=thumbprint(e["jwk"]), x5t=e["x5t"], not_after=e["cert_not_after"]),
                f"certificate {name}")
    small = key_entries["rsa-1024"]
    add("weak-rsa-1024-jwk", "jwk", json.dumps(small["jwk"]), {"error": "WEAK_KEY"}, "RSA 1024-bit JWK")
    add("weak-rsa-1024-pem", "pem", small["spki_pem"], {"error": "WEAK_KEY"}, "RSA 1024-bit SPKI")
    add("weak-rsa-1024-private", "private_pem", small["private_pkcs8_pem"], {"error": "INVALID_KEY"},
        "RSA 1024-bit private key (the provider refuses it at parse)")
    j = dict(key_entries["rsa-a"]["jwk"]); j["e"] = "AQ"
    add("weak-rsa-e1", "jwk", json.dumps(j), {"error": "WEAK_KEY"}, "RSA exponent 1")
    j = dict(key_entries["rsa-a"]["jwk"]); j["e"] = "Ag"
    add("weak-rsa-e2", "jwk", json.dumps(j), {"error": "WEAK_KEY"}, "RSA exponent 2 (even)")
    j = dict(key_entries["ec256-a"]["jwk"]); y = bytearray(base64.urlsafe_b64decode(j["y"] + "==")); y[-1] ^= 1; j["y"] = b64u(bytes(y))
    add("ec-point-not-on-curve", "jwk", json.dumps(j), {"error": "INVALID_KEY"}, "EC point not on P-256")
    j = dict(key_entries["ec256-a"]["jwk"]); j["crv"] = "P-384"
    add("ec-wrong-curve", "jwk", json.dumps(j), {"error": "INVALID_KEY"}, "P-256 coordinates labelled P-384")
    j = dict(key_entries["ec256-a"]["jwk"]); j["crv"] = "secp256k1"
    add("ec-unsupported-curve", "jwk", json.dumps(j), {"error": "UNSUPPORTED_KEY"}, "secp256k1")
    j = dict(key_entries["ec256-a"]["jwk"]); j["d"] = "AAAA"
    add("public-with-private-member", "jwk", json.dumps(j), {"error": "PRIVATE_KEY_MATERIAL"}, "a public JWK carrying d")
    j = dict(key_entries["rsa-a"]["jwk"]); j["use"] = "enc"
    add("use-enc", "jwk", json.dumps(j), {"error": "KEY_USAGE_MISMATCH"}, "use enc")
    j = dict(key_entries["rsa-a"]["jwk"]); j["key_ops"] = ["encrypt"]
    add("key-ops-encrypt", "jwk", json.dumps(j), {"error": "KEY_USAGE_MISMATCH"}, "key_ops without verify")
    j = dict(key_entries["rsa-a"]["jwk"]); j["alg"] = "ES256"
    add("alg-contradicts-kty", "jwk", json.dumps(j), {"error": "KEY_USAGE_MISMATCH"}, "alg ES256 on an RSA key")
    j = dict(key_entries["rsa-a"]["jwk"]); j["alg"] = "RSA-OAEP"
    add("alg-encryption", "jwk", json.dumps(j), {"error": "KEY_USAGE_MISMATCH"}, "alg RSA-OAEP")
    j = dict(key_entries["rsa-a"]["jwk"]); j["n"] = j["n"] + "="
    add("jwk-padded-base64", "jwk", json.dumps(j), {"error": "INVALID_KEY"}, "n with base64 padding")
    add("jwk-duplicate-member", "jwk", '{"kty":"OKP","crv":"Ed25519","x":"%s","x":"%s"}' % (key_entries["ed-a"]["jwk"]["x"], key_entries["ed-b"]["jwk"]["x"]),
        {"error": "INVALID_KEY"}, "x twice")
    add("jwk-kty-unknown", "jwk", '{"kty":"XYZ"}', {"error": "UNSUPPORTED_KEY"}, "unknown kty")
    add("jwk-okp-x25519", "jwk", '{"kty":"OKP","crv":"X25519","x":"%s"}' % key_entries["ed-a"]["jwk"]["x"], {"error": "UNSUPPORTED_KEY"}, "X25519 is not a signature key")
    add("secret-short", "secret", "too-short-secret-31-bytes-long!", {"error": "WEAK_KEY"}, "31-byte secret")
    add("secret-32", "secret", "a-secret-of-exactly-32-bytes-ok!", ok, "32-byte secret")
    jwks = {"keys": [key_entries["ec256-a"]["jwk"], key_entries["ec256-b"]["jwk"]]}
    add("jwks-two", "jwks", json.dumps(jwks), dict(ok, count=2), "JWKS of two keys")
    dup = {"keys": [key_entries["ec256-a"]["jwk"], dict(key_entries["ec256-b"]["jwk"], kid="ec256-a")]}
    add("jwks-duplicate-kid", "jwks", json.dumps(dup), {"error": "DUPLICATE_KEY_ID"}, "two keys with one kid")
    mixed = {"keys": [key_entries["ec256-a"]["jwk"], {"kty": "oct", "k": b64u(b"x" * 32), "kid": "s"}]}
    add("jwks-mixed", "jwks", json.dumps(mixed), {"error": "INVALID_KEY"}, "symmetric and asymmetric keys in one set")
    add("jwks-no-keys", "jwks", '{"keys":{}}', {"error": "INVALID_KEY"}, "keys is not an array")
    add("pem-garbage", "pem", "-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----\n", {"error": "INVALID_KEY"}, "malformed PEM")
    add("pem-private-as-public", "pem", key_entries["ec256-a"]["private_pkcs8_pem"], {"error": "PRIVATE_KEY_MATERIAL"}, "a private key where a public key is expected")

    # Ed25519 points of small order (anyone can forge for such a key) in every
    # encoding, and non-canonical encodings (y >= p). The small-order y values
    # are computed here from the curve equation, independently of the library.
    p = 2**255 - 19
    d = (-121665 * pow(121666, -1, p)) % p

    def sqrt_mod(a):
        a %= p
        x = pow(a, (p + 3) // 8, p)
        if (x * x - a) % p:
            x = x * pow(2, (p - 1) // 4, p) % p
        return x if (x * x - a) % p == 0 else None

    # Points of order 8 double to (±sqrt(-1), 0): x^2 = (1 + sqrt(1 + d)) / d, y^2 = -x^2.
    y8 = None
    for r in (sqrt_mod(1 + d), p - sqrt_mod(1 + d)):
        y = sqrt_mod(-(1 + r) * pow(d, -1, p))
        if y is not None:
            y8 = y
    small = {"identity (y=1)": 1, "order 2 (y=p-1)": p - 1, "order 4 (y=0)": 0, "order 8 (y)": y8, "order 8 (p-y)": p - y8}
    for label, y in small.items():
        for sign in (0, 1):
            enc = bytearray(y.to_bytes(32, "little"))
            enc[31] |= sign << 7
            add(f"ed25519-small-order-{len(cases)}", "jwk", json.dumps({"kty": "OKP", "crv": "Ed25519", "x": b64u(bytes(enc))}),
                {"error": "WEAK_KEY"}, f"Ed25519 small-order point {label}, sign bit {sign}")
    for label, y in (("p (= 0)", p), ("p+1 (= 1)", p + 1), ("p+2", p + 2), ("2^255-1", 2**255 - 1)):
        for sign in (0, 1):
            enc = bytearray(y.to_bytes(32, "little"))
            enc[31] |= sign << 7
            add(f"ed25519-non-canonical-{len(cases)}", "jwk", json.dumps({"kty": "OKP", "crv": "Ed25519", "x": b64u(bytes(enc))}),
                {"error": "INVALID_KEY"}, f"Ed25519 non-canonical encoding y = {label}, sign bit {sign}")

    # RSA moduli with a small factor (an even one included).
    n = int.from_bytes(base64.urlsafe_b64decode(key_entries["rsa-a"]["jwk"]["n"] + "=="), "big")
    for label, m in (("even", n - 1), ("divisible by 3", n - (n % 3) - (3 if (n - n % 3) % 2 == 0 else 0)),
                     ("divisible by 997", n - (n % 997) - (997 if (n - n % 997) % 2 == 0 else 0))):
        add(f"weak-rsa-{label.replace(' ', '-')}", "jwk", json.dumps({"kty": "RSA", "n": b64u_int(m), "e": "AQAB"}),
            {"error": "WEAK_KEY"}, f"RSA modulus {label}")

    # A JWK's x5c must be its own key's certificate, its thumbprints those of x5c[0].
    def cert_b64(name):
        der = x509.load_pem_x509_certificate(key_entries[name]["cert_pem"].encode()).public_bytes(serialization.Encoding.DER)
        return base64.b64encode(der).decode()
    e = key_entries["rsa-a"]
    j = dict(e["jwk"], x5c=[cert_b64("rsa-a")], x5t=e["x5t"]); j["x5t#S256"] = e["x5t#S256"]
    add("jwk-x5c-own-certificate", "jwk", json.dumps(j), dict(ok, thumbprint=thumbprint(e["jwk"]), x5t=e["x5t"], not_after=e["cert_not_after"]),
        "RSA JWK with its own certificate in x5c and both thumbprints")
    j = dict(key_entries["rsa-b"]["jwk"], x5c=[cert_b64("rsa-a")])
    add("jwk-x5c-other-key", "jwk", json.dumps(j), {"error": "INVALID_KEY"}, "x5c holds another key's certificate")
    j = dict(key_entries["ec256-a"]["jwk"], x5c=[cert_b64("ec256-b")])
    add("jwk-x5c-other-ec-key", "jwk", json.dumps(j), {"error": "INVALID_KEY"}, "EC JWK with another EC key's certificate")
    j = dict(e["jwk"], x5c=["bm90IGEgY2VydGlmaWNhdGU="])
    add("jwk-x5c-garbage", "jwk", json.dumps(j), {"error": "INVALID_KEY"}, "x5c[0] is not a certificate")
    j = dict(e["jwk"], x5c=[cert_b64("rsa-a").replace("+", "-").replace("/", "_")])
    add("jwk-x5c-not-base64", "jwk", json.dumps(j), {"error": "INVALID_KEY"}, "x5c[0] in base64url, not standard base64") if "+" in cert_b64("rsa-a") or "/" in cert_b64("rsa-a") else None
    j = dict(e["jwk"], x5c=[]); add("jwk-x5c-empty", "jwk", json.dumps(j), {"error": "INVALID_KEY"}, "x5c is empty")
    j = dict(e["jwk"], x5c=[cert_b64("rsa-a")], x5t=key_entries["ec256-b"]["x5t"])
    add("jwk-x5t-disagrees", "jwk", json.dumps(j), {"error": "INVALID_KEY"}, "x5t is not x5c[0]'s thumbprint")
    j = dict(e["jwk"], x5c=[cert_b64("rsa-a")]); j["x5t#S256"] = key_entries["ec256-b"]["x5t#S256"]
    add("jwk-x5t-s256-disagrees", "jwk", json.dumps(j), {"error": "INVALID_KEY"}, "x5t#S256 is not x5c[0]'s thumbprint")
    return cases


# ---------------------------------------------------------------- token requests

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def form_encode(pairs):
    """application/x-www-form-urlencoded, encoding everything but unreserved (as openid-client does)."""
    from urllib.parse import quote
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}".replace("%20", "+") for k, v in pairs)


def basic(client_id, secret, encode=True):
    from urllib.parse import quote
    if encode:
        # RFC 6749 §2.3.1: form-encode each part; encode `-`, `_`, `.`, `~` too, as openid-client does.
        enc = lambda s: "".join(c if c.isalnum() else "%%%02X" % b for c in s for b in c.encode()) if s else ""
        client_id, secret = enc(client_id), enc(secret)
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def request_cases(keys, entries):
    K, S, E = keys, SECRETS, entries
    cases = []
    jwk = lambda name, **kw: {**E[name]["jwk"], **kw}

    def jwks(*names):
        return {"keys": [jwk(n) for n in names]}

    def case(id, description, clients, steps=(), now=NOW, config=None, policy=None, registration=None):
        c = {"id": id, "description": description, "now": now, "registry": {"clients": clients}}
        if config:
            c["config"] = config
        if policy:
            c["policy"] = policy
        if registration:
            c["registration"] = registration
        c["steps"] = list(steps)
        cases.append(c)

    def step(expect, body=None, authorization=None, form=None, now=None):
        s = {}
        if now is not None:
            s["now"] = now
        if authorization is not None:
            s["authorization"] = authorization
        if form is not None:
            s["form"] = [list(p) for p in form]
        s["body"] = body if body is not None else form_encode(form or [])
        s["expect"] = expect
        return s

    def ok(cid, method):
        return {"client_id": cid, "method": method}

    def err(code, status, www=False):
        return {"error": code, "status": status, "www_authenticate": www}

    def jwt_form(assertion, client_id=None, extra=()):
        f = [("grant_type", "client_credentials")]
        if client_id is not None:
            f.append(("client_id", client_id))
        f += [("client_assertion_type", JWT_BEARER), ("client_assertion", assertion)]
        return f + list(extra)

    def signed(kname, cid, alg, jti="jti-1", kid=True, **claims):
        hdr = {"alg": alg, "typ": "JWT"}
        if kid:
            hdr["kid"] = kname
        key = S[kname] if kname.startswith("secret") else K[kname]
        return token(hdr, claims_for(cid, aud=claims.pop("aud", TOKEN_ENDPOINT), jti=jti, **claims), key, alg=alg)

    basic_secret = "b4s1c-s3cr3t_with:special+chars/~.=%"
    post_secret = "p0st-s3cr3t-0123456789"
    gt = [("grant_type", "client_credentials")]
    pk = lambda cid, *names, **kw: {"client_id": cid, "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks(*names), **kw}
    cs_basic = {"client_id": "my-client_1", "token_endpoint_auth_method": "client_secret_basic", "client_secret": basic_secret}
    cs_post = {"client_id": "c-post", "token_endpoint_auth_method": "client_secret_post", "client_secret": post_secret}
    cs_jwt = {"client_id": "c-hs", "token_endpoint_auth_method": "client_secret_jwt", "client_secret": S["secret-64"]}
    public = {"client_id": "c-public", "token_endpoint_auth_method": "none"}
    everyone = [pk("c-rsa", "rsa-a"), pk("c-ec", "ec256-a"), pk("c-ed", "ed-a"), cs_basic, cs_post, cs_jwt, public]

    # ---- every method accepted
    for cid, kname, alg in (("c-rsa", "rsa-a", "RS256"), ("c-rsa", "rsa-a", "PS256"), ("c-ec", "ec256-a", "ES256"), ("c-ed", "ed-a", "EdDSA")):
        a = signed(kname, cid, alg)
        case(f"private-key-jwt-{alg}", f"private_key_jwt with {alg} and client_id", everyone,
             [step(ok(cid, "private_key_jwt"), form=jwt_form(a, cid))])
    case("private-key-jwt-no-client-id", "Authlib omits client_id: the client is found from iss/sub", everyone,
         [step(ok("c-rsa", "private_key_jwt"), form=jwt_form(signed("rsa-a", "c-rsa", "RS256")))])
    case("private-key-jwt-issuer-audience", "aud = issuer identifier, kid-less", everyone,
         [step(ok("c-ec", "private_key_jwt"), form=jwt_form(signed("ec256-a", "c-ec", "ES256", kid=False, aud=ISSUER), "c-ec"))])
    for alg in ("HS256", "HS384", "HS512"):
        case(f"client-secret-jwt-{alg}", f"client_secret_jwt with {alg}", everyone,
             [step(ok("c-hs", "client_secret_jwt"), form=jwt_form(signed("secret-64", "c-hs", alg, kid=False), "c-hs"))])
    case("client-secret-basic", "Basic, id and secret form-encoded (every non-alphanumeric, as openid-client)", everyone,
         [step(ok("my-client_1", "client_secret_basic"), authorization=basic("my-client_1", basic_secret), form=gt)])
    case("client-secret-basic-unencoded-id", "Basic, `-` and `_` left as is (also valid form encoding)", [
            {**cs_basic, "client_secret": "plain-secret_0123456789"}],
         [step(ok("my-client_1", "client_secret_basic"), authorization=basic("my-client_1", "plain-secret_0123456789", encode=False), form=gt)])
    case("client-secret-basic-with-client-id", "Basic plus an agreeing client_id form field", everyone,
         [step(ok("my-client_1", "client_secret_basic"), authorization=basic("my-client_1", basic_secret), form=gt + [("client_id", "my-client_1")])])
    case("client-secret-post", "client_id and client_secret in the body", everyone,
         [step(ok("c-post", "client_secret_post"), form=gt + [("client_id", "c-post"), ("client_secret", post_secret)])])
    case("none", "public client: client_id only", everyone,
         [step(ok("c-public", "none"), form=gt + [("client_id", "c-public")])])
    case("body-encoded-names", "parameter names percent-encoded in the raw body", everyone,
         [step(ok("c-post", "client_secret_post"), body=f"grant_type=client_credentials&client%5Fid=c-post&client%5Fsecret={post_secret}")])
    case("empty-parameter-is-absent", "client_secret= (empty) counts as absent (RFC 6749 §3.1)", everyone,
         [step(ok("c-public", "none"), body="client_id=c-public&client_secret=&grant_type=client_credentials")])

    # ---- exactly one mechanism
    a = signed("rsa-a", "c-rsa", "RS256")
    case("two-mechanisms-basic-and-assertion", "Authorization header and client_assertion", everyone,
         [step(err("MULTIPLE_AUTH_METHODS", 400), authorization=basic("my-client_1", basic_secret), form=jwt_form(a))])
    case("two-mechanisms-basic-and-post", "Authorization header and client_secret", everyone,
         [step(err("MULTIPLE_AUTH_METHODS", 400), authorization=basic("my-client_1", basic_secret),
               form=gt + [("client_id", "my-client_1"), ("client_secret", basic_secret)])])
    case("two-mechanisms-post-and-assertion", "client_secret and client_assertion", everyone,
         [step(err("MULTIPLE_AUTH_METHODS", 400), form=jwt_form(a, "c-rsa", [("client_secret", post_secret)]))])
    case("repeated-client-id", "client_id twice", everyone,
         [step(err("REPEATED_PARAMETER", 400), body="client_id=c-public&client_id=c-public")])
    case("repeated-assertion", "client_assertion twice", everyone,
         [step(err("REPEATED_PARAMETER", 400), form=jwt_form(a) + [("client_assertion", a)])])
    case("malformed-body", "bad percent escape in client_secret", everyone,
         [step(err("MALFORMED_REQUEST", 400), body="client_id=c-post&client_secret=%zz")])

    # ---- the registered method
    case("method-basic-for-post-client", "Basic by a client_secret_post client", everyone,
         [step(err("AUTH_METHOD_MISMATCH", 401, True), authorization=basic("c-post", post_secret), form=gt)])
    case("method-post-for-basic-client", "client_secret_post by a client_secret_basic client", everyone,
         [step(err("AUTH_METHOD_MISMATCH", 401), form=gt + [("client_id", "my-client_1"), ("client_secret", basic_secret)])])
    case("method-hs-for-private-key-client", "an HS256 assertion for a private_key_jwt client", everyone,
         [step(err("AUTH_METHOD_MISMATCH", 401), form=jwt_form(signed("secret-64", "c-rsa", "HS256", kid=False), "c-rsa"))])
    case("method-rs-for-secret-jwt-client", "an RS256 assertion for a client_secret_jwt client", everyone,
         [step(err("AUTH_METHOD_MISMATCH", 401), form=jwt_form(signed("rsa-a", "c-hs", "RS256"), "c-hs"))])
    case("method-assertion-for-public-client", "an assertion for a none client", everyone,
         [step(err("AUTH_METHOD_MISMATCH", 401), form=jwt_form(signed("rsa-a", "c-public", "RS256")))])
    case("method-none-for-confidential", "client_id only, for a private_key_jwt client", everyone,
         [step(err("NO_CLIENT_AUTHENTICATION", 401), form=gt + [("client_id", "c-rsa")])])
    case("no-authentication", "no client_id, no credentials", everyone,
         [step(err("NO_CLIENT_AUTHENTICATION", 401), form=gt)])
    case("unknown-client-basic", "Basic for an unregistered id", everyone,
         [step(err("UNKNOWN_CLIENT", 401, True), authorization=basic("nobody", basic_secret), form=gt)])
    case("unknown-client-assertion", "an assertion from an unregistered client", everyone,
         [step(err("UNKNOWN_CLIENT", 401), form=jwt_form(signed("rsa-a", "nobody", "RS256")))])

    # ---- secrets
    case("basic-wrong-secret", "Basic with a wrong secret", everyone,
         [step(err("INVALID_SECRET", 401, True), authorization=basic("my-client_1", basic_secret + "x"), form=gt)])
    case("basic-unencoded-special-secret", "Basic without form encoding of a secret holding `+` and `%`: decoded, so it does not match", everyone,
         [step(err("INVALID_SECRET", 401, True), authorization=basic("my-client_1", "b4s1c-s3cr3t_with:special+chars/~.=x", encode=False), form=gt)])
    case("post-wrong-secret", "client_secret_post with a wrong secret", everyone,
         [step(err("INVALID_SECRET", 401), form=gt + [("client_id", "c-post"), ("client_secret", "wrong-secret-0123456789")])])
    case("post-without-client-id", "client_secret without client_id", everyone,
         [step(err("MISSING_PARAMETER", 400), form=gt + [("client_secret", post_secret)])])
    case("basic-secret-expired", "client_secret_expires_at passed", [{**cs_basic, "client_secret_expires_at": NOW + 100}], [
        step(ok("my-client_1", "client_secret_basic"), authorization=basic("my-client_1", basic_secret), form=gt),
        step(err("SECRET_EXPIRED", 401, True), authorization=basic("my-client_1", basic_secret), form=gt, now=NOW + 100)])
    case("basic-secret-expires-zero", "client_secret_expires_at 0 means never (RFC 7591)", [{**cs_basic, "client_secret_expires_at": 0}],
         [step(ok("my-client_1", "client_secret_basic"), authorization=basic("my-client_1", basic_secret), form=gt, now=NOW + 10**8)])
    case("basic-bearer-scheme", "Authorization: Bearer at the token endpoint", everyone,
         [step(err("UNSUPPORTED_AUTH_SCHEME", 401, True), authorization="Bearer abc.def.ghi", form=gt)])
    case("basic-malformed", "Basic credentials without a colon", everyone,
         [step(err("MALFORMED_AUTHORIZATION", 401, True), authorization="Basic " + base64.b64encode(b"my-client_1").decode(), form=gt)])
    case("basic-client-id-mismatch", "Basic id differs from the client_id field", everyone,
         [step(err("CLIENT_ID_MISMATCH", 401, True), authorization=basic("my-client_1", basic_secret), form=gt + [("client_id", "c-post")])])

    # ---- assertions
    case("assertion-client-id-mismatch", "client_id disagrees with iss/sub", everyone,
         [step(err("CLIENT_ID_MISMATCH", 401), form=jwt_form(signed("rsa-a", "c-rsa", "RS256"), "c-ec"))])
    case("assertion-type-missing", "client_assertion without client_assertion_type", everyone,
         [step(err("MISSING_PARAMETER", 400), form=gt + [("client_id", "c-rsa"), ("client_assertion", a)])])
    case("assertion-missing", "client_assertion_type without client_assertion", everyone,
         [step(err("MISSING_PARAMETER", 400), form=gt + [("client_assertion_type", JWT_BEARER)])])
    case("assertion-type-saml", "client_assertion_type is the SAML URN", everyone,
         [step(err("UNSUPPORTED_ASSERTION_TYPE", 401), form=gt + [("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"), ("client_assertion", a)])])
    replay = signed("ec256-a", "c-ec", "ES256", jti="replayed-jti")
    case("replay", "the same request twice: the second is a replay", everyone, [
        step(ok("c-ec", "private_key_jwt"), form=jwt_form(replay, "c-ec")),
        step(err("REPLAYED", 401), form=jwt_form(replay, "c-ec"), now=NOW + 1)])
    case("replay-hs", "client_secret_jwt replayed", everyone, [
        step(ok("c-hs", "client_secret_jwt"), form=jwt_form(signed("secret-64", "c-hs", "HS256", kid=False, jti="hs-jti"))),
        step(err("REPLAYED", 401), form=jwt_form(signed("secret-64", "c-hs", "HS256", kid=False, jti="hs-jti")))])
    case("assertion-tampered", "a claim changed after signing", everyone,
         [step(err("SIGNATURE_INVALID", 401), form=jwt_form(a.split(".")[0] + "." + b64u(compact(claims_for("c-rsa", aud=TOKEN_ENDPOINT, jti="other"))) + "." + a.split(".")[2]))])
    case("assertion-wrong-audience", "aud names another server", everyone,
         [step(err("AUDIENCE_MISMATCH", 401), form=jwt_form(signed("rsa-a", "c-rsa", "RS256", aud="https://other.example.com")))])
    rotating = {"client_id": "c-rot", "token_endpoint_auth_method": "private_key_jwt", "credentials": [
        {"name": "old", "jwk": json.dumps(jwk("ec256-a")), "expires_at": NOW + 100},
        {"name": "new", "jwk": json.dumps(jwk("ec256-b"))}]}
    case("expired-credential-skipped", "of two keys the old one expires: it is never tried again (by kid: CREDENTIAL_EXPIRED; kid-less: only the live key is tried)", [rotating], [
        step(ok("c-rot", "private_key_jwt"), form=jwt_form(signed("ec256-a", "c-rot", "ES256", kid=False, jti="j1"))),
        step(err("CREDENTIAL_EXPIRED", 401), form=jwt_form(signed("ec256-a", "c-rot", "ES256", jti="j2", iat=NOW + 200, exp=NOW + 260)), now=NOW + 200),
        step(err("SIGNATURE_INVALID", 401), form=jwt_form(signed("ec256-a", "c-rot", "ES256", kid=False, jti="j3", iat=NOW + 200, exp=NOW + 260)), now=NOW + 200),
        step(ok("c-rot", "private_key_jwt"), form=jwt_form(signed("ec256-b", "c-rot", "ES256", kid=False, jti="j4", iat=NOW + 200, exp=NOW + 260)), now=NOW + 200)])
    case("alg-not-allowed-for-client", "client pinned to PS256 sends RS256", [pk("c-ps", "rsa-a", token_endpoint_auth_signing_alg="PS256")], [
        step(err("ALGORITHM_NOT_ALLOWED", 401), form=jwt_form(signed("rsa-a", "c-ps", "RS256"))),
        step(ok("c-ps", "private_key_jwt"), form=jwt_form(signed("rsa-a", "c-ps", "PS256")))])
    case("credentials-pem-and-certificate", "credentials array: SPKI PEM with kid, certificate with parse_expiry_from_cert", [
        {"client_id": "c-pem", "token_endpoint_auth_method": "private_key_jwt", "credentials": [
            {"pem": E["ed-a"]["spki_pem"], "kid": "ed-a"},
            {"pem": E["rsa-a"]["cert_pem"], "parse_expiry_from_cert": True}]}], [
        step(ok("c-pem", "private_key_jwt"), form=jwt_form(signed("ed-a", "c-pem", "EdDSA", jti="p1"))),
        step(ok("c-pem", "private_key_jwt"), form=jwt_form(signed("rsa-a", "c-pem", "RS256", kid=False, jti="p2"))),
        step(err("CREDENTIAL_EXPIRED", 401), form=jwt_form(signed("rsa-a", "c-pem", "RS256", kid=False, jti="p3",
             iat=E["rsa-a"]["cert_not_after"] + 10, exp=E["rsa-a"]["cert_not_after"] + 60)), now=E["rsa-a"]["cert_not_after"] + 10)])
    case("per-client-strict-audience", "audience_mode strict: the token endpoint URL is refused", [pk("c-strict", "ec256-a", audience_mode="strict")], [
        step(err("AUDIENCE_MISMATCH", 401), form=jwt_form(signed("ec256-a", "c-strict", "ES256", jti="s1"))),
        step(ok("c-strict", "private_key_jwt"), form=jwt_form(signed("ec256-a", "c-strict", "ES256", jti="s2", aud=ISSUER)))])

    # ---- certificate credentials as Entra ID and Auth0 export them: a JWKS
    # whose RSA key carries kid, x5c, x5t and x5t#S256; the same certificate
    # as PEM. Header shapes of MSAL (x5t padded; x5c + x5t#S256) and PyJWT.
    import hashlib
    der = x509.load_pem_x509_certificate(E["rsa-a"]["cert_pem"].encode()).public_bytes(serialization.Encoding.DER)
    other_der = x509.load_pem_x509_certificate(E["ed-a"]["cert_pem"].encode()).public_bytes(serialization.Encoding.DER)
    sha1_padded = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).decode()
    s256 = b64u(hashlib.sha256(der).digest())
    entra = {**jwk("rsa-a", kid="entra-key-1"), "x5c": [base64.b64encode(der).decode()], "x5t": b64u(hashlib.sha1(der).digest()), "x5t#S256": s256}
    cert_clients = [
        {"client_id": "c-entra", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [entra]}},
        {"client_id": "c-entra-pem", "token_endpoint_auth_method": "private_key_jwt", "credentials": [{"pem": E["rsa-a"]["cert_pem"]}]},
    ]

    def cert_signed(cid, alg, jti, **header):
        return token({"alg": alg, "typ": "JWT", **header}, claims_for(cid, aud=TOKEN_ENDPOINT, jti=jti), K["rsa-a"], alg=alg)

    shapes = [
        ("msal-x5t", "MSAL thumbprint mode: RS256, x5t (SHA-1, padded), no kid", "RS256", {"x5t": sha1_padded}),
        ("msal-x5c", "MSAL subject-name/issuer mode: PS256, x5t#S256 and x5c (the PEM body, line breaks and all)", "PS256",
         {"x5t#S256": s256, "x5c": [E["rsa-a"]["cert_pem"].split("-----")[2].strip()]}),
        ("pyjwt-x5t-s256", "PyJWT by hand: RS256, x5t#S256", "RS256", {"x5t#S256": s256}),
    ]
    for name, what, alg, hdr in shapes:
        for cid in ("c-entra", "c-entra-pem"):
            t = cert_signed(cid, alg, "j-" + name, **hdr)
            case(f"cert-{name}-{cid[2:]}", f"{what}; registered as {'a JWKS (Entra/Auth0 export)' if cid == 'c-entra' else 'a PEM certificate'}; a replay is refused",
                 cert_clients, [step(ok(cid, "private_key_jwt"), form=jwt_form(t)), step(err("REPLAYED", 401), form=jwt_form(t))])
    case("cert-kid-and-thumbprint", "kid and x5t#S256 must both match when the key has both", cert_clients, [
        step(ok("c-entra", "private_key_jwt"), form=jwt_form(cert_signed("c-entra", "RS256", "k1", kid="entra-key-1", **{"x5t#S256": s256}))),
        step(err("NO_MATCHING_KEY", 401), form=jwt_form(cert_signed("c-entra", "RS256", "k2", kid="entra-key-1", **{"x5t#S256": b64u(hashlib.sha256(other_der).digest())})))])
    case("cert-x5c-unregistered", "a header x5c that is not a registered certificate is never a key", cert_clients, [
        step(err("EMBEDDED_KEY", 401), form=jwt_form(cert_signed("c-entra", "PS256", "u1", x5c=[base64.b64encode(other_der).decode()]))),
        step(err("EMBEDDED_KEY", 401), form=jwt_form(cert_signed("c-entra", "PS256", "u2", x5c=[base64.b64encode(der).decode()], **{"x5t#S256": b64u(hashlib.sha256(other_der).digest())})))])
    na = E["rsa-a"]["cert_not_after"]
    case("cert-jwks-expiry-from-x5c", "parse_expiry_from_cert on a JWKS credential: x5c[0]'s notAfter is its expiry", [
        {"client_id": "c-entra-exp", "token_endpoint_auth_method": "private_key_jwt", "credentials": [
            {"jwks": {"keys": [entra]}, "parse_expiry_from_cert": True}]}], [
        step(ok("c-entra-exp", "private_key_jwt"), form=jwt_form(cert_signed("c-entra-exp", "RS256", "e1", kid="entra-key-1"))),
        step(err("CREDENTIAL_EXPIRED", 401), now=na + 10, form=jwt_form(token({"alg": "RS256", "kid": "entra-key-1"},
             claims_for("c-entra-exp", aud=TOKEN_ENDPOINT, jti="e2", iat=na + 10, exp=na + 60), K["rsa-a"])))])
    case("lifetime-per-client", "max_lifetime 600 in the registry refuses exp = iat + 601", [pk("c-short", "ec256-a", max_lifetime=600)], [
        step(err("LIFETIME_TOO_LONG", 401), form=jwt_form(signed("ec256-a", "c-short", "ES256", jti="l1", iat=NOW, exp=NOW + 601))),
        step(ok("c-short", "private_key_jwt"), form=jwt_form(signed("ec256-a", "c-short", "ES256", jti="l2", iat=NOW, exp=NOW + 600)))])

    # ---- registration (credential policy)
    def refused(id, description, clients, problems, policy=None):
        case(id, description, clients, registration={"problems": problems}, policy=policy)

    with_d = {**jwk("ec256-a"), "d": "AAAA"}
    refused("register-jwks-private-member", "a JWKS key carries d", [
        {"client_id": "c", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [jwk("rsa-a"), jwk("ec256-b"), with_d]}}],
        ["PRIVATE_KEY_MATERIAL"])
    refused("register-rsa-1024", "a 1024-bit RSA key", [pk("c", "rsa-1024")], ["WEAK_KEY"])
    refused("register-rsa-1024-pem", "a 1024-bit RSA key as PEM", [
        {"client_id": "c", "token_endpoint_auth_method": "private_key_jwt", "credentials": [{"pem": E["rsa-1024"]["spki_pem"]}]}], ["WEAK_KEY"])
    refused("register-every-problem", "every problem is listed: weak key, private member, duplicate kid", [
        {"client_id": "c", "token_endpoint_auth_method": "private_key_jwt",
         "jwks": {"keys": [jwk("rsa-1024"), {**jwk("ec256-b"), "d": "AAAA"}, jwk("ed-a", kid="x"), jwk("ed-b", kid="x")]}}],
        ["WEAK_KEY", "PRIVATE_KEY_MATERIAL", "DUPLICATE_KEY_ID"])
    refused("register-symmetric-in-jwks", "an oct key in a private_key_jwt JWKS", [
        {"client_id": "c", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [{"kty": "oct", "k": b64u(S["secret-64"].encode())}]}}],
        ["PRIVATE_KEY_MATERIAL"])
    refused("register-too-many-credentials", "three credentials (the policy allows two)", [
        {"client_id": "c", "token_endpoint_auth_method": "private_key_jwt", "credentials": [
            {"jwk": json.dumps(jwk("ec256-a"))}, {"jwk": json.dumps(jwk("ec256-b"))}, {"jwk": json.dumps(jwk("ed-a"))}]}],
        ["TOO_MANY_CREDENTIALS"])
    refused("register-jwks-uri-http", "jwks_uri over http", [
        {"client_id": "c", "token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "http://client.example.com/jwks"}], ["INVALID_JWKS_URI"])
    refused("register-jwks-uri-private", "jwks_uri to a private address", [
        {"client_id": "c", "token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://169.254.169.254/jwks"}], ["INVALID_JWKS_URI"])
    refused("register-short-jwt-secret", "client_secret_jwt secret of 20 bytes", [
        {**cs_jwt, "client_secret": "01234567890123456789"}], ["WEAK_KEY"])
    refused("register-short-basic-secret", "client_secret_basic secret of 8 bytes", [
        {**cs_basic, "client_secret": "01234567"}], ["WEAK_KEY"])
    refused("register-expiry-twice", "expires_at and parse_expiry_from_cert together", [
        {"client_id": "c", "token_endpoint_auth_method": "private_key_jwt", "credentials": [
            {"pem": E["rsa-a"]["cert_pem"], "parse_expiry_from_cert": True, "expires_at": NOW + 1000}]}], ["INVALID_EXPIRY"])
    refused("register-expired-certificate", "parse_expiry_from_cert with a certificate that has expired", [
        {"client_id": "c", "token_endpoint_auth_method": "private_key_jwt", "credentials": [
            {"pem": E["ec256-b"]["cert_pem"], "parse_expiry_from_cert": True}]}], ["INVALID_EXPIRY"])
    refused("register-key-for-wrong-method", "an RSA key for a client_secret_basic client", [
        {**cs_basic, "jwks": jwks("rsa-a")}], ["INVALID_CLIENT_METADATA"])
    refused("register-pin-mismatch", "signing alg ES256 pinned, RSA key registered", [
        pk("c", "rsa-a", token_endpoint_auth_signing_alg="ES256")], ["KEY_USAGE_MISMATCH"])
    refused("register-unknown-method", "token_endpoint_auth_method tls_client_auth", [
        {"client_id": "c", "token_endpoint_auth_method": "tls_client_auth"}], ["INVALID_CLIENT_METADATA"])
    refused("register-rsa-min-bits-policy", "a 3072-bit floor refuses a 2048-bit key", [pk("c", "rsa-a")], ["WEAK_KEY"],
            policy={"min_rsa_bits": 3072})
    refused("register-x5c-other-key", "a JWK whose x5c holds another key's certificate", [
        {"client_id": "c", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [{**jwk("rsa-b"), "x5c": [base64.b64encode(der).decode()]}]}}],
        ["INVALID_KEY"])
    refused("register-x5t-disagrees", "a JWK whose x5t is not its x5c[0]'s", [
        {"client_id": "c", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [{**entra, "x5t": b64u(hashlib.sha1(other_der).digest())}]}}],
        ["INVALID_KEY"])
    refused("register-max-lifetime-range", "max_lifetime outside 1-86400", [pk("c", "ec256-a", max_lifetime=0)], ["INVALID_CLIENT_METADATA"])
    refused("register-duplicate-client", "the same client_id twice", [pk("c", "ec256-a"), pk("c", "ec256-b")], ["INVALID_CLIENT_METADATA"])
    case("register-jwks-uri-loopback-allowed", "jwks_uri over http to loopback, allowed by the policy", [
        {"client_id": "c-remote", "token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "http://127.0.0.1:9/jwks"}],
        policy={"jwks_uri_allow_http": True, "jwks_uri_allow_private_addresses": True})

    # ---- profiles (docs/profiles.md)
    fapi, rep = {"profile": "fapi2"}, {"report_profile": "fapi2"}
    would = lambda code: {"profile": "fapi2", "code": code}
    case("profile-fapi2-secrets-refused", "fapi2: client_secret_basic, client_secret_post and none are refused", everyone, [
        step(err("AUTH_METHOD_MISMATCH", 401, True), authorization=basic("my-client_1", basic_secret), form=gt),
        step(err("AUTH_METHOD_MISMATCH", 401), form=gt + [("client_id", "c-post"), ("client_secret", post_secret)]),
        step(err("AUTH_METHOD_MISMATCH", 401), form=gt + [("client_id", "c-public")]),
        step(err("ALGORITHM_NOT_ALLOWED", 401), form=jwt_form(signed("secret-64", "c-hs", "HS256", kid=False, aud=ISSUER)))], config=fapi)
    case("profile-fapi2-private-key-jwt", "fapi2: ES256 with the issuer as aud; the token endpoint as aud refused", everyone, [
        step(ok("c-ec", "private_key_jwt"), form=jwt_form(signed("ec256-a", "c-ec", "ES256", jti="f1", aud=ISSUER))),
        step(err("AUDIENCE_MISMATCH", 401), form=jwt_form(signed("ec256-a", "c-ec", "ES256", jti="f2")))], config=fapi)
    case("profile-client-fapi2", "a client registered with profile fapi2 under a compat server", [pk("c-f", "rsa-a", profile="fapi2")], [
        step(err("ALGORITHM_NOT_ALLOWED", 401), form=jwt_form(signed("rsa-a", "c-f", "RS256", jti="c1", aud=ISSUER))),
        step(ok("c-f", "private_key_jwt"), form=jwt_form(signed("rsa-a", "c-f", "PS256", jti="c2", aud=ISSUER)))])
    case("report-fapi2", "report fapi2 beside compat: everything accepted, what fapi2 would refuse reported", everyone, [
        step({**ok("my-client_1", "client_secret_basic"), "would_refuse": would("AUTH_METHOD_MISMATCH")},
             authorization=basic("my-client_1", basic_secret), form=gt),
        step({**ok("c-rsa", "private_key_jwt"), "would_refuse": would("ALGORITHM_NOT_ALLOWED")},
             form=jwt_form(signed("rsa-a", "c-rsa", "RS256", jti="r1", aud=ISSUER))),
        step({**ok("c-ec", "private_key_jwt"), "would_refuse": would("AUDIENCE_MISMATCH")},
             form=jwt_form(signed("ec256-a", "c-ec", "ES256", jti="r2"))),
        step({**ok("c-ec", "private_key_jwt"), "would_refuse": None},
             form=jwt_form(signed("ec256-a", "c-ec", "ES256", jti="r3", aud=ISSUER)))], config=rep)
    refused("register-fapi2-secret", "profile fapi2 with client_secret_post", [{**cs_post, "profile": "fapi2"}], ["INVALID_CLIENT_METADATA"])
    refused("register-fapi2-pin", "profile fapi2 pinned to RS256", [pk("c", "rsa-a", profile="fapi2", token_endpoint_auth_signing_alg="RS256")],
            ["INVALID_CLIENT_METADATA"])
    refused("register-unknown-profile", "an unknown profile", [pk("c", "ec256-a", profile="fapi1")], ["INVALID_CLIENT_METADATA"])

    # ---- rotating secrets for client_secret_basic / client_secret_post
    old_secret, new_secret = "old-s3cret-0123456789", "new-s3cret-0123456789"
    rot_basic = {"client_id": "c-rot", "token_endpoint_auth_method": "client_secret_basic",
                 "client_secret": old_secret, "client_secret_expires_at": NOW + 100, "credentials": [{"secret": new_secret}]}
    case("basic-rotating-secrets", "client_secret plus a rotating secret in credentials: both work until the old one expires", [rot_basic], [
        step(ok("c-rot", "client_secret_basic"), authorization=basic("c-rot", old_secret), form=gt),
        step(ok("c-rot", "client_secret_basic"), authorization=basic("c-rot", new_secret), form=gt),
        step(err("SECRET_EXPIRED", 401, True), authorization=basic("c-rot", old_secret), form=gt, now=NOW + 100),
        step(ok("c-rot", "client_secret_basic"), authorization=basic("c-rot", new_secret), form=gt, now=NOW + 100),
        step(err("INVALID_SECRET", 401, True), authorization=basic("c-rot", "neither-s3cret-0123"), form=gt)])
    rot_post = {"client_id": "c-rotp", "token_endpoint_auth_method": "client_secret_post", "credentials": [
        {"secret": old_secret, "expires_at": NOW + 50}, {"secret": new_secret, "name": "2027"}]}
    post_form = lambda sec: gt + [("client_id", "c-rotp"), ("client_secret", sec)]
    case("post-rotating-secrets", "client_secret_post with two secrets in credentials, one expiring", [rot_post], [
        step(ok("c-rotp", "client_secret_post"), form=post_form(old_secret)),
        step(ok("c-rotp", "client_secret_post"), form=post_form(new_secret)),
        step(err("SECRET_EXPIRED", 401), form=post_form(old_secret), now=NOW + 50),
        step(ok("c-rotp", "client_secret_post"), form=post_form(new_secret), now=NOW + 50)])
    refused("register-rotating-secrets-too-many", "three secrets where the policy allows two credentials",
            [{**rot_post, "credentials": [{"secret": old_secret}, {"secret": new_secret}, {"secret": "third-s3cret-0123456789"}]}],
            ["TOO_MANY_CREDENTIALS"], policy={"max_credentials": 2})
    refused("register-rotating-secret-short", "a rotating secret below the policy's length",
            [{**rot_post, "credentials": [{"secret": "short"}]}], ["WEAK_KEY"])
    refused("register-rotating-secret-key", "a key among a client_secret_post client's credentials",
            [{**rot_post, "credentials": [{"secret": new_secret, "pem": "x"}]}], ["INVALID_CLIENT_METADATA"])
    return cases


# ---------------------------------------------------------------- mutual TLS


def mtls_cases(m, keys, entries):
    """Request vectors for tls_client_auth and self_signed_tls_client_auth.
    A step's `certificate` is {"format", "data", "verified_by_tls"}: DER as
    standard base64, the other formats as text."""
    cases = []
    der = lambda name: x509.load_pem_x509_certificate(m[name].encode()).public_bytes(serialization.Encoding.DER)
    s256 = lambda name: b64u(hashlib.sha256(der(name)).digest())
    esc = lambda text: urllib.parse.quote(text, safe="")

    def cert(name, fmt="der", verified=False, data=None):
        if data is None:
            data = {"der": lambda: base64.b64encode(der(name)).decode(), "pem": lambda: m[name],
                    "nginx": lambda: esc(m[name]),
                    "xfcc": lambda: f'By=spiffe://example.com/gw;Hash=00;Cert="{esc(m[name])}";'
                                    f'Chain="{esc(m[name] + m["ca_pem"])}";Subject="CN=svc-payments";DNS=svc.example.com'}[fmt]()
        return {"format": fmt, "data": data, "verified_by_tls": verified}

    def step(client_id, certificate, expect, form=None):
        f = form or [("grant_type", "client_credentials"), ("client_id", client_id)]
        s = {"form": [list(p) for p in f], "body": form_encode(f), "expect": expect}
        if certificate is not None:
            s["certificate"] = certificate
        return s

    ok = lambda cid, method, name: {"client_id": cid, "method": method, "certificate_thumbprint": s256(name)}
    err = lambda code, status=401: {"error": code, "status": status, "www_authenticate": False}
    tls = lambda cid, member, value, **kw: {"client_id": cid, "token_endpoint_auth_method": "tls_client_auth", member: value, **kw}
    def jwk_of(name):
        n = x509.load_pem_x509_certificate(m[name].encode()).public_key().public_numbers()
        return {"kty": "EC", "crv": "P-256", "x": b64u_int(n.x, 32), "y": b64u_int(n.y, 32)}
    ca_cfg = {"client_ca": m["ca_pem"]}

    def case(id, description, clients, steps, config=ca_cfg, registration=None):
        c = {"id": id, "description": description, "now": NOW, "registry": {"clients": clients}}
        if config:
            c["config"] = config
        if registration:
            c["registration"] = registration
        c["steps"] = steps
        cases.append(c)

    by_dn = tls("by-dn", "tls_client_auth_subject_dn", "cn = SVC-Payments, ou=payments + o=Example  Corp, c=de")
    case("mtls-subject-dn", "tls_client_auth by subject DN: parsed RDNs (multi-valued, BMPString, PrintableString), case and spaces prepared; each terminator format", [by_dn], [
        step("by-dn", cert("svc"), ok("by-dn", "tls_client_auth", "svc")),
        step("by-dn", cert("svc", "pem"), ok("by-dn", "tls_client_auth", "svc")),
        step("by-dn", cert("svc", "nginx"), ok("by-dn", "tls_client_auth", "svc")),
        step("by-dn", cert("svc", "xfcc"), ok("by-dn", "tls_client_auth", "svc")),
        step("by-dn", None, err("CLIENT_CERTIFICATE_REQUIRED")),
        step("by-dn", cert("forged"), err("CLIENT_CERTIFICATE_UNTRUSTED")),
        step("by-dn", cert("expired"), err("CLIENT_CERTIFICATE_UNTRUSTED")),
        step("by-dn", cert("svc", "pem", data=m["svc"][: len(m["svc"]) // 2]), err("MALFORMED_CLIENT_CERTIFICATE")),
        step("by-dn", cert("svc", "xfcc", data="By=spiffe://a;Hash=00"), err("MALFORMED_CLIENT_CERTIFICATE")),
        step("by-dn", cert("svc", "xfcc", data=cert("svc", "xfcc")["data"] + ",By=x;Cert=y"), err("MALFORMED_CLIENT_CERTIFICATE")),
    ])
    case("mtls-subject-dn-near-miss", "a subject DN that differs: another CN, the multi-valued RDN split, an extra RDN", [
        tls("other-cn", "tls_client_auth_subject_dn", "CN=svc-billing,OU=Payments+O=Example Corp,C=DE"),
        tls("split", "tls_client_auth_subject_dn", "CN=svc-payments,OU=Payments,O=Example Corp,C=DE"),
        tls("extra", "tls_client_auth_subject_dn", "CN=svc-payments,OU=Payments+O=Example Corp,C=DE,DC=example")], [
        step(cid, cert("svc"), err("CLIENT_CERTIFICATE_MISMATCH")) for cid in ("other-cn", "split", "extra")])
    case("mtls-san", "tls_client_auth by each SAN type: DNS case-insensitive, URI exact, IP as an address, email domain case-insensitive", [
        tls("by-dns", "tls_client_auth_san_dns", "SVC.example.com"),
        tls("by-uri", "tls_client_auth_san_uri", "spiffe://example.com/ns/pay/sa/svc"),
        tls("by-ip", "tls_client_auth_san_ip", "2001:0db8:0:0::7"),
        tls("by-email", "tls_client_auth_san_email", "Ops@example.COM"),
        tls("uri-case", "tls_client_auth_san_uri", "spiffe://example.com/ns/pay/sa/SVC"),
        tls("ip-other", "tls_client_auth_san_ip", "2001:db8::8"),
        tls("email-local", "tls_client_auth_san_email", "ops@example.com")], [
        *[step(cid, cert("svc"), ok(cid, "tls_client_auth", "svc")) for cid in ("by-dns", "by-uri", "by-ip", "by-email")],
        *[step(cid, cert("svc"), err("CLIENT_CERTIFICATE_MISMATCH")) for cid in ("uri-case", "ip-other", "email-local")],
    ])
    case("mtls-verified-by-tls", "no client CAs configured: only a chain the TLS layer verified counts", [by_dn], [
        step("by-dn", cert("svc"), err("CLIENT_CERTIFICATE_UNTRUSTED")),
        step("by-dn", cert("svc", verified=True), ok("by-dn", "tls_client_auth", "svc")),
    ], config={})
    device = {"client_id": "device", "token_endpoint_auth_method": "self_signed_tls_client_auth", "jwks": {"keys": [jwk_of("device")]}}
    case("mtls-self-signed", "self_signed_tls_client_auth: the registered key, whoever issued the certificate", [device], [
        step("device", cert("device"), ok("device", "self_signed_tls_client_auth", "device")),
        step("device", cert("imposter"), err("CLIENT_CERTIFICATE_MISMATCH")),
        step("device", None, err("CLIENT_CERTIFICATE_REQUIRED")),
    ])
    pk = {"client_id": "c-ec", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [entries["ec256-a"]["jwk"]]}}
    claims = {"iss": "c-ec", "sub": "c-ec", "aud": ISSUER, "jti": "mtls-1", "iat": NOW, "exp": NOW + 60}
    assertion = token({"alg": "ES256", "kid": "ec256-a"}, claims, keys["ec256-a"], "ES256")
    jwt = [("grant_type", "client_credentials"), ("client_assertion_type", JWT_BEARER), ("client_assertion", assertion)]
    case("mtls-mixed", "a certificate authenticates only a client registered for it; with any method it binds the token", [by_dn, pk], [
        step("c-ec", cert("svc"), ok("c-ec", "private_key_jwt", "svc"), form=jwt),
        step("c-ec", cert("svc"), err("NO_CLIENT_AUTHENTICATION")),
        step("by-dn", cert("svc"), err("AUTH_METHOD_MISMATCH"),
             form=[("grant_type", "client_credentials"), ("client_id", "by-dn"), ("client_secret", "a-secret-0123456789")]),
    ])
    case("mtls-fapi2", "fapi2 allows tls_client_auth", [{**by_dn, "profile": "fapi2"}], [
        step("by-dn", cert("svc"), ok("by-dn", "tls_client_auth", "svc"))])
    for id, description, client, problems in [
        ("register-mtls-none", "tls_client_auth without a certificate member", {"client_id": "a", "token_endpoint_auth_method": "tls_client_auth"}, ["INVALID_CLIENT_METADATA"]),
        ("register-mtls-two", "tls_client_auth with two certificate members", tls("a", "tls_client_auth_san_dns", "a.example", tls_client_auth_san_uri="https://a.example"), ["INVALID_CLIENT_METADATA"]),
        ("register-mtls-bad-dn", "an unparseable subject DN", tls("a", "tls_client_auth_subject_dn", "CN=a,=b"), ["INVALID_CLIENT_METADATA"]),
        ("register-mtls-bad-ip", "an IP SAN that is not an address", tls("a", "tls_client_auth_san_ip", "10.0.0"), ["INVALID_CLIENT_METADATA"]),
        ("register-mtls-secret", "tls_client_auth with a client_secret", tls("a", "tls_client_auth_san_dns", "a.example", client_secret="a-secret-0123456789"), ["INVALID_CLIENT_METADATA"]),
        ("register-mtls-member-elsewhere", "a certificate member on a private_key_jwt client", {**pk, "tls_client_auth_san_dns": "a.example"}, ["INVALID_CLIENT_METADATA"]),
        ("register-self-signed-no-keys", "self_signed_tls_client_auth without keys", {"client_id": "a", "token_endpoint_auth_method": "self_signed_tls_client_auth"}, ["INVALID_CLIENT_METADATA"]),
        ("register-self-signed-private", "a private key in a self-signed client's jwks", {**device, "jwks": {"keys": [{**jwk_of("device"), "d": b64u(b"x" * 32)}]}}, ["PRIVATE_KEY_MATERIAL"]),
    ]:
        case(id, description, [client], [], config=None, registration={"problems": problems})
    return cases

MTLS_NOT_BEFORE, MTLS_NOT_AFTER = 1_735_689_600, 4_102_444_800  # 2025 .. 2100


def mtls_material(existing):
    """A client CA, certificates of each subject shape it issued, one from a
    rogue CA, an expired one, and self-signed ones, with their private keys
    (for real TLS handshakes in the suites), and a server certificate for
    127.0.0.1 from a server CA -- made once and kept in keys.json (their
    thumbprints stay put)."""
    if existing and "server_pem" in existing:
        return existing
    when = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    pem = lambda c: c.public_bytes(serialization.Encoding.PEM).decode()

    def build(subject, key, issuer_name, issuer_key, ca=False, sans=(), nb=MTLS_NOT_BEFORE, na=MTLS_NOT_AFTER):
        b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name).public_key(key.public_key())
             .serial_number(x509.random_serial_number()).not_valid_before(when(nb)).not_valid_after(when(na)))
        if ca:
            b = b.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            b = b.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                              data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                              crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        else:
            b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
        return b.sign(issuer_key, hashes.SHA256())

    def ca(cn):
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        return key, name, build(name, key, name, key, ca=True)

    ca_key, ca_name, ca_cert = ca("Example Client CA")
    rogue_key, rogue_name, _ = ca("Rogue CA")
    # C=DE / (O=Example Corp + OU=Payments, multi-valued) / CN=svc-payments,
    # the country a PrintableString and the organisation a BMPString.
    svc_name = x509.Name([
        x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COUNTRY_NAME, "DE", _type=x509.name._ASN1Type.PrintableString)]),
        x509.RelativeDistinguishedName([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Corp", _type=x509.name._ASN1Type.BMPString),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Payments"),
        ]),
        x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COMMON_NAME, "svc-payments")]),
    ])
    sans = [x509.DNSName("svc.example.com"), x509.UniformResourceIdentifier("spiffe://example.com/ns/pay/sa/svc"),
            x509.IPAddress(ipaddress.ip_address("2001:db8::7")), x509.RFC822Name("Ops@Example.com")]
    key_pem = lambda k: k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
    out = {"ca_pem": pem(ca_cert)}
    key = ec.generate_private_key(ec.SECP256R1())
    out["svc"], out["svc_key"] = pem(build(svc_name, key, ca_name, ca_key, sans=sans)), key_pem(key)
    key = ec.generate_private_key(ec.SECP256R1())
    out["forged"], out["forged_key"] = pem(build(svc_name, key, rogue_name, rogue_key, sans=sans)), key_pem(key)
    key = ec.generate_private_key(ec.SECP256R1())
    out["expired"] = pem(build(svc_name, key, ca_name, ca_key, sans=sans, nb=1_577_836_800, na=1_609_459_200))
    for name in ("device", "imposter"):
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "device-42")])
        out[name], out[name + "_key"] = pem(build(subject, key, subject, key)), key_pem(key)
    # The TLS server's side: a server CA and a certificate for 127.0.0.1.
    server_ca_key, server_ca_name, server_ca = ca("Test Server CA")
    key = ec.generate_private_key(ec.SECP256R1())
    server = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
              .issuer_name(server_ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(when(MTLS_NOT_BEFORE)).not_valid_after(when(MTLS_NOT_AFTER))
              .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
              .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
              .sign(server_ca_key, hashes.SHA256()))
    out["server_ca_pem"], out["server_pem"], out["server_key"] = pem(server_ca), pem(server), key_pem(key)
    return out


def thumbprint(jwk):
    req = {"RSA": ["e", "kty", "n"], "EC": ["crv", "kty", "x", "y"], "OKP": ["crv", "kty", "x"]}[jwk["kty"]]
    s = json.dumps({k: jwk[k] for k in req}, separators=(",", ":"), sort_keys=True)
    return b64u(hashlib.sha256(s.encode()).digest())


GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CI_ISSUER = "https://ci.example.com"
K8S_ISSUER = "https://kubernetes.default.svc.cluster.local"
PARTNER_ISSUER = "https://idp.partner.example"


def grant_cases(keys, entries):
    """JWT bearer grant requests (RFC 7523 §2.1) against a trust table: each
    case has a `trust` document and a registry; each step a grant request,
    answered with the client (or null) and the grant, or an error with its
    HTTP status and OAuth error. `"verifier": "b"` runs a step on a second
    verifier sharing the first one's replay store."""
    K, E = keys, entries
    cases = []
    jwk = lambda name: dict(E[name]["jwk"])
    worker_secret = "w0rker-s3cr3t-for-the-grant-vectors-01"
    worker = {"client_id": "worker", "token_endpoint_auth_method": "client_secret_basic", "client_secret": worker_secret}
    public = {"client_id": "c-public", "token_endpoint_auth_method": "none"}
    clients = [worker, public]
    trust = {"issuers": [
        {"issuer": CI_ISSUER, "jwks": {"keys": [jwk("ec256-a")]}, "subject_prefixes": ["repo:example-org/"],
         "audience": ["issuer"], "algorithms": ["ES256"], "max_lifetime": 3600},
        {"issuer": K8S_ISSUER, "jwks": {"keys": [jwk("rsa-a")]}, "subjects": ["system:serviceaccount:payments:api"],
         "require_jti": False, "max_age": 3600, "max_lifetime": 86400},
        {"issuer": PARTNER_ISSUER, "jwks": {"keys": [jwk("ed-a")]}, "subjects": ["alice@partner.example"],
         "audience": ["token_endpoint"]},
    ]}
    MAIN = "repo:example-org/app:ref:refs/heads/main"
    SA = "system:serviceaccount:payments:api"
    auth = basic("worker", worker_secret)

    def ci(sub=MAIN, jti="ci-1", kname="ec256-a", header=None, **claims):
        c = {"iss": CI_ISSUER, "sub": sub, "aud": ISSUER, "iat": NOW - 5, "nbf": NOW - 5, "exp": NOW + 300, "jti": jti,
             "repository": "example-org/app", "ref": "refs/heads/main", "workflow": "deploy"}
        c.update(claims)
        c = {k: v for k, v in c.items() if v is not None}
        h = {"alg": "ES256", "typ": "JWT", "kid": "ec256-a"}
        h.update(header or {})
        return token(h, c, K[kname], alg="ES256")

    def k8s(sub=SA, **claims):
        c = {"iss": K8S_ISSUER, "sub": sub, "aud": ["https://kubernetes.default.svc", TOKEN_ENDPOINT], "iat": NOW - 600,
             "nbf": NOW - 600, "exp": NOW + 3000,
             "kubernetes.io": {"namespace": "payments", "serviceaccount": {"name": "api", "uid": "4f6c"}}}
        c.update(claims)
        c = {k: v for k, v in c.items() if v is not None}
        return token({"alg": "RS256", "kid": "rsa-a"}, c, K["rsa-a"], alg="RS256")

    def partner(sub="alice@partner.example", aud=TOKEN_ENDPOINT, jti="p-1"):
        c = {"iss": PARTNER_ISSUER, "sub": sub, "aud": aud, "iat": NOW, "exp": NOW + 120, "jti": jti}
        return token({"alg": "EdDSA", "kid": "ed-a"}, c, K["ed-a"], alg="EdDSA")

    def step(expect, assertion=None, authorization=auth, extra=(), form=None, verifier=None):
        f = form if form is not None else [("grant_type", GRANT_TYPE), ("assertion", assertion)] + list(extra)
        s = {"form": [list(p) for p in f], "body": form_encode(f), "expect": expect}
        if authorization is not None:
            s["authorization"] = authorization
        if verifier:
            s["verifier"] = verifier
        return s

    def ok(issuer, subject, cid="worker", method="client_secret_basic"):
        return {"client_id": cid, "method": method if cid else None, "grant": {"issuer": issuer, "subject": subject}}

    def err(code, status=400, error="invalid_grant", www=False):
        return {"error": code, "status": status, "oauth_error": error, "www_authenticate": www}

    def case(id, description, steps, t=trust):
        cases.append({"id": id, "description": description, "now": NOW, "registry": {"clients": clients},
                      "trust": t, "steps": steps})

    case("grant-accepted", "a CI job's OIDC token, a Kubernetes service-account token (no jti, aud an array naming the token endpoint), a partner's assertion to the token endpoint; with client_secret_basic", [
        step(ok(CI_ISSUER, MAIN), ci(), extra=[("scope", "deploy")]),
        step(ok(K8S_ISSUER, SA), k8s()),
        step(ok(K8S_ISSUER, SA), k8s()),
        step(ok(PARTNER_ISSUER, "alice@partner.example"), partner()),
    ])
    untrusted = token({"alg": "ES256", "kid": "ec256-a"}, {"iss": "https://evil.example", "sub": MAIN, "aud": ISSUER,
                       "iat": NOW, "exp": NOW + 60, "jti": "u-1"}, K["ec256-a"], alg="ES256")
    case("grant-untrusted-issuer", "an issuer not in the trust table: refused before any key is looked at", [
        step(err("UNTRUSTED_ISSUER"), untrusted)])
    case("grant-subject-not-allowed", "a subject outside the issuer's prefixes, or not its exact value", [
        step(err("SUBJECT_NOT_ALLOWED"), ci(sub="repo:other-org/app", jti="s-1")),
        step(err("SUBJECT_NOT_ALLOWED"), ci(sub="repo:example-org", jti="s-2")),
        step(err("SUBJECT_NOT_ALLOWED"), k8s(sub="system:serviceaccount:payments:admin")),
    ])
    case("grant-audience", "aud: the issuer identifier or the token endpoint, as each entry allows; an array may name others", [
        step(err("AUDIENCE_MISMATCH"), ci(aud=TOKEN_ENDPOINT, jti="a-1")),
        step(err("AUDIENCE_MISMATCH"), partner(aud=ISSUER, jti="a-2")),
        step(err("AUDIENCE_MISMATCH"), ci(aud="https://other.example", jti="a-3")),
        step(err("MISSING_CLAIM"), ci(aud=None, jti="a-4")),
        step(ok(CI_ISSUER, MAIN), ci(aud=["https://other.example", ISSUER], jti="a-5")),
    ])
    case("grant-replay", "the same jti twice under one issuer is REPLAYED, also on a second verifier sharing the replay store", [
        step(ok(CI_ISSUER, MAIN), ci(jti="r-1")),
        step(err("REPLAYED"), ci(jti="r-1")),
        step(ok(CI_ISSUER, MAIN), ci(jti="r-2"), verifier="b"),
        step(err("REPLAYED"), ci(jti="r-2")),
        step(ok(PARTNER_ISSUER, "alice@partner.example"), partner(jti="r-1")),
    ])
    case("grant-jti", "jti required unless the entry says otherwise; when not required, max_age still bounds the assertion and a present jti is still recorded", [
        step(err("MISSING_CLAIM"), ci(jti=None)),
        step(ok(K8S_ISSUER, SA), k8s(jti="k-1")),
        step(err("REPLAYED"), k8s(jti="k-1"), verifier="b"),
        step(err("TOO_OLD"), k8s(iat=NOW - 3700, nbf=NOW - 3700)),
    ])
    case("grant-times-and-signature", "expired, a key that is not the issuer's, a client assertion's typ: all invalid_grant", [
        step(err("EXPIRED"), ci(jti="t-1", iat=NOW - 400, nbf=NOW - 400, exp=NOW - 100)),
        step(err("SIGNATURE_INVALID"), ci(jti="t-2", kname="ec256-b")),
        step(err("INVALID_TYPE"), ci(jti="t-3", header={"typ": TYP})),
        step(err("INVALID_BASE64"), "not.a.jwt"),
    ])
    case("grant-request", "the request around the grant: client authentication required by default; another grant's parameter, a repeated parameter, no assertion: invalid_request; another grant_type: unsupported_grant_type", [
        step(err("NO_CLIENT_AUTHENTICATION", 401, "invalid_client"), ci(jti="q-1"), authorization=None),
        step(err("INVALID_SECRET", 401, "invalid_client", www=True), ci(jti="q-1"), authorization=basic("worker", "wrong")),
        step(err("MULTIPLE_GRANTS", 400, "invalid_request"), ci(jti="q-1"), extra=[("code", "abc")]),
        step(err("MULTIPLE_GRANTS", 400, "invalid_request"), ci(jti="q-1"), extra=[("refresh_token", "r")]),
        step(err("REPEATED_PARAMETER", 400, "invalid_request"), ci(jti="q-1"), extra=[("assertion", "x")]),
        step(err("MISSING_PARAMETER", 400, "invalid_request"), form=[("grant_type", GRANT_TYPE)]),
        step(err("UNSUPPORTED_GRANT_TYPE", 400, "unsupported_grant_type"), form=[("grant_type", "client_credentials"), ("assertion", ci(jti="q-1"))]),
        step(ok(CI_ISSUER, MAIN), ci(jti="q-1")),
    ])
    case("grant-anonymous", "\"client_authentication\": \"optional\": a grant without client authentication; a client that names itself is still authenticated", [
        step(ok(CI_ISSUER, MAIN, cid=None), ci(jti="n-1"), authorization=None),
        step(ok(CI_ISSUER, MAIN, cid="c-public", method="none"), ci(jti="n-2"), authorization=None, extra=[("client_id", "c-public")]),
        step(err("UNKNOWN_CLIENT", 401, "invalid_client"), ci(jti="n-3"), authorization=None, extra=[("client_id", "nobody")]),
    ], t={**trust, "client_authentication": "optional"})
    bad = {"client_authentication": "sometimes", "issuers": [
        {"issuer": CI_ISSUER, "jwks": {"keys": [{**jwk("ec256-a"), "d": "AAAA"}]}, "subjects": ["x"]},
        {"issuer": K8S_ISSUER, "jwks": {"keys": [jwk("rsa-a")]}, "audience": ["everyone"]},
        {"issuer": K8S_ISSUER, "jwks": {"keys": [jwk("rsa-a")]}, "subjects": ["y"], "algorithms": ["HS256"], "colour": "red"},
    ]}
    cases.append({"id": "grant-trust-problems", "description": "a trust table with problems fails to load, each with its JSON Pointer",
                  "now": NOW, "registry": {"clients": clients}, "trust": bad, "trust_problems": [
                      "/client_authentication", "/issuers/0/jwks/keys/0/d", "/issuers/1/audience/0", "/issuers/1/subjects",
                      "/issuers/2/algorithms/0", "/issuers/2/colour", "/issuers/2/issuer"], "steps": []})
    return cases


def main():
    keys, existing = load_or_create_keys()
    entries = {name: key_entry(name, k, existing) for name, k in keys.items()}
    with open(os.path.join(HERE, "keys.json")) as f:
        old_mtls = json.load(f).get("mtls")
    mtls = mtls_material(old_mtls)
    with open(os.path.join(HERE, "keys.json"), "w") as f:
        json.dump({"comment": "TEST KEYS ONLY. Generated by generate.py.", "keys": entries, "mtls": mtls}, f, indent=1)
        f.write("\n")
    doc = {
        "comment": "Client assertion verification vectors. Format: tests/vectors/README.md. Generated by generate.py.",
        "defaults": {
            "config": {
                "issuer": ISSUER,
                "token_endpoint": TOKEN_ENDPOINT,
                "extra_audiences": [PAR_ENDPOINT],
                "audience_mode": "compat",
                "leeway": 60,
                "max_age": 300,
                "max_lifetime": 3600,
                "max_assertion_len": 16384,
            },
        },
        "cases": build(keys, entries),
    }
    with open(os.path.join(HERE, "assertions.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    with open(os.path.join(HERE, "key_loading.json"), "w") as f:
        json.dump({"comment": "Key loading vectors. Format: tests/vectors/README.md.", "cases": key_loading_cases(entries)}, f, indent=1)
        f.write("\n")
    reqs = {
        "comment": "Token request authentication vectors. Format: tests/vectors/README.md. Generated by generate.py.",
        "defaults": {"config": {**doc["defaults"]["config"], "realm": "as.example.com"}},
        "cases": request_cases(keys, entries) + mtls_cases(mtls, keys, entries),
    }
    with open(os.path.join(HERE, "requests.json"), "w") as f:
        json.dump(reqs, f, indent=1)
        f.write("\n")
    grants = {
        "comment": "JWT bearer grant request vectors (RFC 7523 §2.1). Format: tests/vectors/README.md. Generated by generate.py.",
        "defaults": reqs["defaults"],
        "cases": grant_cases(keys, entries),
    }
    with open(os.path.join(HERE, "grants.json"), "w") as f:
        json.dump(grants, f, indent=1)
        f.write("\n")
    print(f"{len(reqs['cases'])} request cases, {len(grants['cases'])} grant cases", file=sys.stderr)
    print(f"{len(doc['cases'])} assertion cases, {len(key_loading_cases(entries))} key cases", file=sys.stderr)


if __name__ == "__main__":
    main()
