#!/usr/bin/env node
// A token endpoint on node:http, with client authentication by jwtauth
// (every token_endpoint_auth_method) and clients from a JSON registry
// document (docs/registry.md).
//
//     node bindings-node/examples/token_endpoint.mjs clients.json --port 8080
//
// POST /token with a client_credentials grant; the response is an (opaque,
// in-memory) access token, or the OAuth error that jwtauth says to send.
// GET /.well-known/oauth-authorization-server serves the RFC 8414 metadata.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { pathToFileURL } from 'node:url'

import { Authenticator, JwtAuthError, Registry, Verifier } from 'jwtauth'

const METHODS = ['private_key_jwt', 'client_secret_jwt', 'client_secret_basic', 'client_secret_post']

function send(res, status, headers, body) {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

function sendJson(res, status, obj) {
  send(res, status, { 'content-type': 'application/json', 'cache-control': 'no-store' }, JSON.stringify(obj))
}

/**
 * Start the endpoint. `issuer` defaults to http://host:port. Resolves to
 * { server, issuer, tokenEndpoint, close() } once listening.
 */
export async function serve({ clients, host = '127.0.0.1', port = 8080, issuer, log = () => {} }) {
  const doc = typeof clients === 'string' ? readFileSync(clients, 'utf8') : JSON.stringify(clients)
  const registry = Registry.fromJson(doc)
  let auth // made once the port (and so the issuer) is known
  let meta
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', async () => {
      if (req.method === 'GET' && req.url === '/.well-known/oauth-authorization-server') {
        return sendJson(res, 200, meta)
      }
      if (req.method !== 'POST' || req.url !== '/token') return sendJson(res, 404, { error: 'not_found' })
      const body = Buffer.concat(chunks)
      let client
      try {
        client = await auth.authenticate({ headers: req.headers, body })
      } catch (e) {
        if (!(e instanceof JwtAuthError)) throw e
        // The detail is for the log only; the client gets the generic response.
        log(`refused: ${e.code}: ${e.detail}`)
        const r = e.response()
        return send(res, r.status, r.headers, r.body)
      }
      const grant = new URLSearchParams(body.toString('utf8')).get('grant_type')
      if (grant !== 'client_credentials') return sendJson(res, 400, { error: 'unsupported_grant_type' })
      log(`issued a token to ${client.clientId} (${client.method})`)
      sendJson(res, 200, { access_token: randomBytes(24).toString('base64url'), token_type: 'Bearer', expires_in: 3600 })
    })
  })
  await new Promise((resolve) => server.listen(port, host, resolve))
  const bound = `http://${host}:${server.address().port}`
  issuer ??= bound
  const tokenEndpoint = `${bound}/token`
  auth = new Authenticator(new Verifier(issuer, { tokenEndpoint }), registry)
  meta = {
    issuer,
    token_endpoint: tokenEndpoint,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: METHODS,
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA', 'HS256'],
  }
  return { server, issuer, tokenEndpoint, close: () => new Promise((resolve) => server.close(resolve)) }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const file = args.find((a) => !a.startsWith('--'))
  const opt = (name, dflt) => {
    const i = args.indexOf(`--${name}`)
    return i >= 0 ? args[i + 1] : dflt
  }
  if (!file) {
    console.error('usage: token_endpoint.mjs clients.json [--port 8080] [--host 127.0.0.1] [--issuer URL]')
    process.exit(2)
  }
  const { tokenEndpoint } = await serve({
    clients: file,
    host: opt('host', '127.0.0.1'),
    port: Number(opt('port', '8080')),
    issuer: opt('issuer'),
    log: (m) => console.log(m),
  })
  console.log(`token endpoint: ${tokenEndpoint}`)
}
