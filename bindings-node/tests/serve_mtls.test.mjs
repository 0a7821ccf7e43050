// Mutual-TLS client authentication (RFC 8705) end to end: `jwtauth serve
// --client-ca` over real TLS, and openid-client v6 (TlsClientAuth) whose
// custom fetch is Node's `https` with the client's certificate and key —
// tls_client_auth and self_signed_tls_client_auth, each with an accepted and
// a refused certificate. Certificates: the shared vectors' test material
// (tests/vectors/keys.json, `mtls`). The binary: $JWTAUTH_BIN.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash, X509Certificate } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import https from 'node:https'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'

import * as client from 'openid-client'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const M = JSON.parse(readFileSync(join(root, 'tests', 'vectors', 'keys.json'), 'utf8')).mtls
let server
let base

function binary() {
  if (process.env.JWTAUTH_BIN) return process.env.JWTAUTH_BIN
  const triple = process.env.CARGO_BUILD_TARGET ?? 'x86_64-unknown-linux-gnu'
  for (const p of [join(root, 'target', triple, 'release', 'jwtauth'), join(root, 'target', 'release', 'jwtauth')]) {
    if (existsSync(p)) return p
  }
  throw new Error('no jwtauth binary: cargo build --release -p jwtauth-cli (or set JWTAUTH_BIN)')
}

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jwtauth-mtls-'))
  const device = new X509Certificate(M.device).publicKey.export({ format: 'jwk' })
  const clients = [
    { client_id: 'by-dn', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: 'CN=svc-payments,OU=Payments+O=Example Corp,C=DE' },
    { client_id: 'by-uri', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_uri: 'spiffe://example.com/ns/pay/sa/svc' },
    { client_id: 'device', token_endpoint_auth_method: 'self_signed_tls_client_auth', jwks: { keys: [device] } },
  ]
  writeFileSync(join(dir, 'clients.json'), JSON.stringify({ clients }))
  writeFileSync(join(dir, 'server.pem'), M.server_pem)
  writeFileSync(join(dir, 'server.key'), M.server_key)
  writeFileSync(join(dir, 'client-ca.pem'), M.ca_pem)
  server = spawn(
    binary(),
    ['serve', '--registry', 'clients.json', '--listen', '127.0.0.1:0', '--tls-cert', 'server.pem', '--tls-key', 'server.key', '--client-ca', 'client-ca.pem'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  const lines = createInterface({ input: server.stderr })
  base = await new Promise((resolve, reject) => {
    lines.once('line', (l) => {
      const m = / listening on (\S+) /.exec(l)
      m ? resolve(m[1]) : reject(new Error(l))
    })
    server.once('exit', (code) => reject(new Error(`jwtauth serve exited ${code}`)))
  })
  lines.on('line', () => {})
})

after(async () => {
  const exited = new Promise((resolve) => server.once('exit', resolve))
  server.kill('SIGTERM')
  assert.equal(await exited, 0)
})

// openid-client's custom fetch: Node's https with the client's certificate.
function httpsFetch(cert, key) {
  const agent = new https.Agent({ ca: M.server_ca_pem, cert, key, keepAlive: false })
  return (url, options = {}) =>
    new Promise((resolve, reject) => {
      const headers = Object.fromEntries(new Headers(options.headers ?? {}))
      const req = https.request(url, { method: options.method ?? 'GET', headers, agent }, (res) => {
        const chunks = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () => {
          const h = new Headers()
          for (const [k, v] of Object.entries(res.headers)) h.set(k, Array.isArray(v) ? v.join(', ') : String(v))
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode, headers: h }))
        })
      })
      req.on('error', reject)
      req.end(options.body === undefined ? undefined : String(options.body))
    })
}

async function grant(clientId, label) {
  const fetch = httpsFetch(M[label], M[`${label}_key`])
  const config = await client.discovery(new URL(base), clientId, undefined, client.TlsClientAuth(), {
    [client.customFetch]: fetch,
    algorithm: 'oauth2',
  })
  return client.clientCredentialsGrant(config)
}

async function lastAttempt() {
  const fetch = httpsFetch(M.svc, M.svc_key)
  return (await (await fetch(`${base}/attempts`)).json()).attempts[0]
}

const s256 = (pem) => createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url')

test('the metadata offers mutual TLS', async () => {
  const meta = await (await httpsFetch(M.svc, M.svc_key)(`${base}/.well-known/oauth-authorization-server`)).json()
  assert.ok(meta.token_endpoint_auth_methods_supported.includes('tls_client_auth'))
  assert.ok(meta.token_endpoint_auth_methods_supported.includes('self_signed_tls_client_auth'))
  assert.equal(meta.tls_client_certificate_bound_access_tokens, true)
})

for (const clientId of ['by-dn', 'by-uri']) {
  test(`tls_client_auth (${clientId}): the CA's certificate is accepted, a rogue CA's refused`, async () => {
    const t = await grant(clientId, 'svc')
    assert.equal(t.token_type.toLowerCase(), 'bearer')
    let a = await lastAttempt()
    assert.deepEqual([a.verdict, a.client_id, a.method], ['accepted', clientId, 'tls_client_auth'])
    assert.equal(a.certificate['x5t#S256'], s256(M.svc))
    await assert.rejects(grant(clientId, 'forged'), (e) => e.error === 'invalid_client')
    a = await lastAttempt()
    assert.deepEqual([a.error, a.failed.name], ['JWTAUTH_CLIENT_CERTIFICATE_UNTRUSTED', 'chain'])
  })
}

test('self_signed_tls_client_auth: the registered key is accepted, another refused', async () => {
  await grant('device', 'device')
  let a = await lastAttempt()
  assert.deepEqual([a.method, a.certificate['x5t#S256']], ['self_signed_tls_client_auth', s256(M.device)])
  await assert.rejects(grant('device', 'imposter'), (e) => e.error === 'invalid_client')
  a = await lastAttempt()
  assert.deepEqual([a.error, a.failed.name], ['JWTAUTH_CLIENT_CERTIFICATE_MISMATCH', 'match'])
})
