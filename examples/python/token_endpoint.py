#!/usr/bin/env python3
"""A token endpoint on the standard library's HTTP server, with client
authentication by jwtauth (every token_endpoint_auth_method) and clients
from a JSON registry document (docs/registry.md).

    python3 examples/python/token_endpoint.py clients.json --port 8080

POST /token with a client_credentials grant; the response is an (opaque,
in-memory) access token, or the OAuth error that jwtauth says to send.
"""

import argparse
import json
import secrets
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwtauth


def make_handler(auth, log):
    class TokenHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 (http.server's naming)
            if self.path != "/token":
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


def serve(clients_file, host="127.0.0.1", port=8080, issuer=None, ready=None, log=None):
    """Run the endpoint; `port=0` picks a free port, passed to `ready(port)`."""
    log = log or (lambda m: print(m, file=sys.stderr))
    with open(clients_file, encoding="utf-8") as f:
        registry = jwtauth.Registry.from_json(f.read())
    server = ThreadingHTTPServer((host, port), None)
    base = f"http://{host}:{server.server_address[1]}"
    verifier = jwtauth.Verifier(issuer or base, token_endpoint=base + "/token")
    server.RequestHandlerClass = make_handler(jwtauth.Authenticator(verifier, registry), log)
    if ready:
        ready(server)
    server.serve_forever()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("clients", help="registry document (JSON)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--issuer", help="issuer identifier (default: the server's base URL)")
    a = p.parse_args()
    serve(a.clients, a.host, a.port, a.issuer, ready=lambda s: print(f"listening on http://{a.host}:{s.server_address[1]}/token", file=sys.stderr))


if __name__ == "__main__":
    main()
