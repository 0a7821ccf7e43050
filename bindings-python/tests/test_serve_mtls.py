"""Mutual-TLS client authentication (RFC 8705) end to end: `jwtauth serve
--client-ca` over real TLS, and real Python clients presenting certificates —
`requests` with `cert=`, and Authlib's OAuth2Session (a requests session)
with its certificate — for tls_client_auth and self_signed_tls_client_auth,
each with an accepted and a refused certificate. Certificates are made here
with pyca/cryptography; the binary is $JWTAUTH_BIN."""

import base64
import datetime
import hashlib
import json
import subprocess
import threading

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from test_certificate_clients import certificate, key_pem, pem
from test_serve import binary


def issue(key, subject, issuer_name=None, issuer_key=None, ca=False, dns=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name or subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    if dns:
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(dns)]), critical=False)
    return b.sign(issuer_key or key, hashes.SHA256())


def name(**parts):
    oids = {"CN": NameOID.COMMON_NAME, "O": NameOID.ORGANIZATION_NAME, "C": NameOID.COUNTRY_NAME}
    return x509.Name([x509.NameAttribute(oids[k], v) for k, v in parts.items()])


def b64u(n, size):
    return base64.urlsafe_b64encode(n.to_bytes(size, "big")).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def mtls(tmp_path_factory):
    d = tmp_path_factory.mktemp("mtls")
    server_ca_key = ec.generate_private_key(ec.SECP256R1())
    server_ca = certificate(server_ca_key, "server CA", ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = certificate(server_key, "127.0.0.1", issuer="server CA", issuer_key=server_ca_key, san_ip="127.0.0.1")
    (d / "server-ca.pem").write_text(pem(server_ca))
    (d / "server.pem").write_text(pem(server_cert))
    (d / "server.key").write_text(key_pem(server_key))

    client_ca_key = ec.generate_private_key(ec.SECP256R1())
    client_ca = issue(client_ca_key, name(CN="Example Client CA"), ca=True)
    rogue_key = ec.generate_private_key(ec.SECP256R1())
    rogue_ca = issue(rogue_key, name(CN="Rogue CA"), ca=True)
    (d / "client-ca.pem").write_text(pem(client_ca))

    def client(label, subject, issuer=None, dns=None):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = issue(key, subject, issuer.subject if issuer else None,
                     {client_ca: client_ca_key, rogue_ca: rogue_key}.get(issuer), dns=dns)
        (d / f"{label}.pem").write_text(pem(cert))
        (d / f"{label}.key").write_text(key_pem(key))
        return (str(d / f"{label}.pem"), str(d / f"{label}.key")), key, cert

    svc, _, svc_cert = client("svc", name(C="DE", O="Example Corp", CN="svc-payments"), client_ca, dns="svc.example.com")
    rogue, _, _ = client("rogue", name(C="DE", O="Example Corp", CN="svc-payments"), rogue_ca, dns="svc.example.com")
    device, device_key, device_cert = client("device", name(CN="device-42"))
    imposter, _, _ = client("imposter", name(CN="device-42"))
    n = device_key.public_key().public_numbers()
    doc = {"clients": [
        {"client_id": "by-dn", "token_endpoint_auth_method": "tls_client_auth",
         "tls_client_auth_subject_dn": "CN=SVC-Payments, O=Example Corp, C=DE"},
        {"client_id": "by-dns", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_dns": "svc.example.com"},
        {"client_id": "device", "token_endpoint_auth_method": "self_signed_tls_client_auth",
         "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": b64u(n.x, 32), "y": b64u(n.y, 32)}]}},
    ]}
    (d / "clients.json").write_text(json.dumps(doc))
    proc = subprocess.Popen(
        [binary(), "serve", "--registry", "clients.json", "--listen", "127.0.0.1:0", "--log", "json",
         "--tls-cert", "server.pem", "--tls-key", "server.key", "--client-ca", "client-ca.pem"],
        cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    first = proc.stderr.readline()
    assert "listening on https://" in first, first + proc.stderr.read()
    base = first.split("listening on ")[1].split(" ")[0]
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    s256 = lambda c: base64.urlsafe_b64encode(hashlib.sha256(c.public_bytes(serialization.Encoding.DER)).digest()).rstrip(b"=").decode()
    yield {"base": base, "ca": str(d / "server-ca.pem"), "svc": svc, "rogue": rogue, "device": device,
           "imposter": imposter, "svc_s256": s256(svc_cert), "device_s256": s256(device_cert)}
    proc.terminate()
    assert proc.wait(20) == 0


def token(mtls, client_id, cert):
    return requests.post(mtls["base"] + "/token", data={"grant_type": "client_credentials", "client_id": client_id},
                         cert=cert, verify=mtls["ca"], timeout=10)


def last_attempt(mtls):
    return requests.get(mtls["base"] + "/attempts", verify=mtls["ca"], timeout=10).json()["attempts"][0]


def test_the_metadata_offers_mutual_tls(mtls):
    meta = requests.get(mtls["base"] + "/.well-known/oauth-authorization-server", verify=mtls["ca"], timeout=10).json()
    assert {"tls_client_auth", "self_signed_tls_client_auth"} <= set(meta["token_endpoint_auth_methods_supported"])
    assert meta["tls_client_certificate_bound_access_tokens"] is True


@pytest.mark.parametrize("client_id", ["by-dn", "by-dns"])
def test_requests_with_a_ca_issued_certificate(mtls, client_id):
    r = token(mtls, client_id, mtls["svc"])
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "Bearer"
    a = last_attempt(mtls)
    assert (a["verdict"], a["client_id"], a["method"]) == ("accepted", client_id, "tls_client_auth")
    assert a["certificate"]["x5t#S256"] == mtls["svc_s256"]
    # The same subject from a CA this server does not trust.
    r = token(mtls, client_id, mtls["rogue"])
    assert (r.status_code, r.json()["error"]) == (401, "invalid_client")
    a = last_attempt(mtls)
    assert (a["error"], a["failed"]["name"]) == ("JWTAUTH_CLIENT_CERTIFICATE_UNTRUSTED", "chain")


def test_requests_with_a_self_signed_certificate(mtls):
    r = token(mtls, "device", mtls["device"])
    assert r.status_code == 200, r.text
    a = last_attempt(mtls)
    assert (a["method"], a["certificate"]["x5t#S256"]) == ("self_signed_tls_client_auth", mtls["device_s256"])
    r = token(mtls, "device", mtls["imposter"])
    assert r.status_code == 401
    assert last_attempt(mtls)["failed"]["name"] == "match"


def test_no_certificate_is_refused_with_the_reason(mtls):
    r = token(mtls, "by-dn", None)
    assert r.status_code == 401
    assert last_attempt(mtls)["error"] == "JWTAUTH_CLIENT_CERTIFICATE_REQUIRED"


@pytest.mark.parametrize("label,client_id,ok", [("svc", "by-dn", True), ("rogue", "by-dn", False),
                                                ("device", "device", True), ("imposter", "device", False)])
def test_authlib_session_with_its_certificate(mtls, label, client_id, ok):
    # RFC 8705 §2: the client sends its client_id in the form, the certificate
    # on the connection (Authlib's "none" method does the former).
    s = OAuth2Session(client_id, token_endpoint_auth_method="none")
    s.verify, s.cert, s.trust_env = mtls["ca"], mtls[label], False
    if ok:
        t = s.fetch_token(mtls["base"] + "/token", grant_type="client_credentials")
        assert t["token_type"] == "Bearer" and t["access_token"]
    else:
        with pytest.raises(Exception) as e:
            s.fetch_token(mtls["base"] + "/token", grant_type="client_credentials")
        assert "invalid_client" in str(e.value)
