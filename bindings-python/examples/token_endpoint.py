#!/usr/bin/env python3
"""A token endpoint on the standard library's HTTP server, with client
authentication by jwtauth (every token_endpoint_auth_method) and clients
from a JSON registry document (docs/registry.md).

    python3 bindings-python/examples/token_endpoint.py clients.json --port 8080
    python3 bindings-python/examples/token_endpoint.py clients.json --tls-cert server.pem --tls-key server.key

POST /token with a client_credentials grant; the response is an (opaque,
in-memory) access token, or the OAuth error that jwtauth says to send.
GET <any path>/.well-known/openid-configuration (or oauth-authorization-server)
describes the endpoint (RFC 8414), so clients that discover it (MSAL,
openid-client, Authlib) find the token endpoint.
"""

import argparse
import json
import secrets
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwtauth


METHODS = ["private_key_jwt", "client_secret_jwt", "client_secret_basic", "client_secret_post", "none"]
ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512"]


def make_handler(auth, log, issuer, token_url):
    class TokenHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            if not path.endswith(("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server")):
                return self.send_json(404, {"error": "not_found"})
            self.send_json(200, {
                "issuer": issuer,
                "token_endpoint": token_url,
                "authorization_endpoint": token_url.rsplit("/", 1)[0] + "/authorize",
                "token_endpoint_auth_methods_supported": METHODS,
                "token_endpoint_auth_signing_alg_values_supported": ALGS,
                "grant_types_supported": ["client_credentials"],
            })

        def do_POST(self):  # noqa: N802 (http.server's naming)
            if not self.path.split("?", 1)[0].endswith("/token"):
                return self.send_json(404, {"error": "not_found"})
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            try:
                client = auth.authenticate(self.headers.items(), body=body)
            except jwtauth.JwtAuthError as e:
                # The detail is for the log only; the client gets the generic response.
                log(f"refused: {e.code}: {e.detail}")
                status, headers, text = e.response()
                return self.send_raw(status, headers, text.encode())
            grant = dict(pair.split("=", 1) for pair in body.decode().split("&") if "=" in pair).get("grant_type")
            if grant != "client_credentials":
                return self.send_json(400, {"error": "unsupported_grant_type"})
            log(f"issued a token to {client.client_id} ({client.method})")
            self.send_json(200, {"access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 3600})

        def send_json(self, status, obj):
            self.send_raw(status, {"Content-Type": "application/json", "Cache-Control": "no-store"}, json.dumps(obj).encode())

        def send_raw(self, status, headers, data):
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt, *args):
            pass

    return TokenHandler


def serve(clients_file, host="127.0.0.1", port=8080, issuer=None, ready=None, log=None, tls_cert=None, tls_key=None):
    """Run the endpoint; `port=0` picks a free port (see `ready(server)`).
    With `tls_cert` and `tls_key` (PEM files) it serves https."""
    log = log or (lambda m: print(m, file=sys.stderr))
    with open(clients_file, encoding="utf-8") as f:
        registry = jwtauth.Registry.from_json(f.read())
    server = ThreadingHTTPServer((host, port), None)
    scheme = "http"
    if tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls_cert, tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    base = f"{scheme}://{host}:{server.server_address[1]}"
    issuer = issuer or base
    verifier = jwtauth.Verifier(issuer, token_endpoint=base + "/token")
    server.RequestHandlerClass = make_handler(jwtauth.Authenticator(verifier, registry), log, issuer, base + "/token")
    if ready:
        ready(server)
    server.serve_forever()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("clients", help="registry document (JSON)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--issuer", help="issuer identifier (default: the server's base URL)")
    p.add_argument("--tls-cert", help="serve https with this certificate chain (PEM)")
    p.add_argument("--tls-key", help="the private key of --tls-cert (PEM)")
    a = p.parse_args()
    scheme = "https" if a.tls_cert else "http"
    serve(a.clients, a.host, a.port, a.issuer, tls_cert=a.tls_cert, tls_key=a.tls_key,
          ready=lambda s: print(f"listening on {scheme}://{a.host}:{s.server_address[1]}/token", file=sys.stderr))


if __name__ == "__main__":
    main()
