// `jwtauth serve` (the command line's token endpoint) with openid-client v6,
// which finds it through its metadata: every method (PrivateKeyJwt ES256 and
// EdDSA, ClientSecretJwt, ClientSecretBasic, ClientSecretPost, and None
// through the test authorization_code grant); refusals carry the library's
// errors, and /attempts names the failed rule and its fix. The binary:
// $JWTAUTH_BIN (bindings-node/tests/run.sh builds it).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'

import * as client from 'openid-client'
import * as jose from 'jose'

const SECRET = 'a-client-secret-of-enough-length-0123456789'
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
let server
let base
const keys = {}

function binary() {
  if (process.env.JWTAUTH_BIN) return process.env.JWTAUTH_BIN
  const triple = process.env.CARGO_BUILD_TARGET ?? 'x86_64-unknown-linux-gnu'
  for (const p of [join(root, 'target', triple, 'release', 'jwtauth'), join(root, 'target', 'release', 'jwtauth')]) {
    if (existsSync(p)) return p
  }
  throw new Error('no jwtauth binary: cargo build --release -p jwtauth-cli (or set JWTAUTH_BIN)')
}

before(async () => {
  for (const alg of ['ES256', 'EdDSA']) keys[alg] = await jose.generateKeyPair(alg, { extractable: true })
  const jwk = async (alg) => ({ ...(await jose.exportJWK(keys[alg].publicKey)), kid: `${alg}-key` })
  const dir = mkdtempSync(join(tmpdir(), 'jwtauth-serve-'))
  const clients = [
    { client_id: 'pk-ES256', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [await jwk('ES256')] } },
    { client_id: 'pk-EdDSA', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [await jwk('EdDSA')] } },
    { client_id: 'csjwt', token_endpoint_auth_method: 'client_secret_jwt', client_secret: SECRET },
    { client_id: 'basic', token_endpoint_auth_method: 'client_secret_basic', client_secret: SECRET },
    { client_id: 'post', token_endpoint_auth_method: 'client_secret_post', client_secret: SECRET },
    { client_id: 'public', token_endpoint_auth_method: 'none' },
  ]
  writeFileSync(join(dir, 'clients.json'), JSON.stringify({ clients }))
  server = spawn(binary(), ['serve', '--registry', 'clients.json', '--listen', '127.0.0.1:0'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const lines = createInterface({ input: server.stderr })
  base = await new Promise((resolve, reject) => {
    lines.once('line', (l) => {
      const m = / listening on (\S+) /.exec(l)
      m ? resolve(m[1]) : reject(new Error(l))
    })
    server.once('exit', (code) => reject(new Error(`jwtauth serve exited ${code}`)))
  })
  lines.on('line', () => {}) // keep draining
})

after(async () => {
  const exited = new Promise((resolve) => server.once('exit', resolve))
  server.kill('SIGTERM')
  assert.equal(await exited, 0)
})

async function config(clientId, auth) {
  // Discovery over plain HTTP on the loopback (allowInsecureRequests).
  return client.discovery(new URL(base), clientId, undefined, auth, {
    execute: [client.allowInsecureRequests],
    algorithm: 'oauth2',
  })
}

async function lastAttempt() {
  const r = await fetch(`${base}/attempts`)
  return (await r.json()).attempts[0]
}

const methods = {
  'private_key_jwt ES256': ['pk-ES256', () => client.PrivateKeyJwt({ key: keys.ES256.privateKey, kid: 'ES256-key' })],
  'private_key_jwt EdDSA': ['pk-EdDSA', () => client.PrivateKeyJwt({ key: keys.EdDSA.privateKey, kid: 'EdDSA-key' })],
  client_secret_jwt: ['csjwt', () => client.ClientSecretJwt(SECRET)],
  client_secret_basic: ['basic', () => client.ClientSecretBasic(SECRET)],
  client_secret_post: ['post', () => client.ClientSecretPost(SECRET)],
}

for (const [name, [clientId, auth]] of Object.entries(methods)) {
  test(`openid-client ${name} through the metadata`, async () => {
    const c = await config(clientId, auth())
    const meta = c.serverMetadata()
    assert.ok(meta.token_endpoint_auth_methods_supported.includes(name.split(' ')[0]))
    const tokens = await client.clientCredentialsGrant(c)
    assert.equal(tokens.token_type, 'bearer')
    assert.equal(tokens.expires_in, 3600)
    const a = await lastAttempt()
    assert.deepEqual([a.verdict, a.client_id, a.method], ['accepted', clientId, name.split(' ')[0]])
  })
}

test('openid-client None with the authorization_code grant', async () => {
  const c = await config('public', client.None())
  const redirect_uri = 'http://127.0.0.1/callback'
  const state = client.randomState()
  const url = client.buildAuthorizationUrl(c, { redirect_uri, state, scope: 'api' })
  const r = await fetch(url, { redirect: 'manual' })
  assert.equal(r.status, 302)
  const tokens = await client.authorizationCodeGrant(c, new URL(r.headers.get('location')), {
    expectedState: state,
  })
  assert.equal(tokens.token_type, 'bearer')
  const a = await lastAttempt()
  assert.deepEqual([a.grant_type, a.method, a.client_id], ['authorization_code', 'none', 'public'])
})

test('a wrong key is refused with the library error, and explained', async () => {
  const other = await jose.generateKeyPair('ES256', { extractable: true })
  const c = await config('pk-ES256', client.PrivateKeyJwt({ key: other.privateKey, kid: 'ES256-key' }))
  await assert.rejects(client.clientCredentialsGrant(c), (e) => {
    assert.equal(e.error, 'invalid_client')
    assert.equal(e.status, 401)
    return true
  })
  const a = await lastAttempt()
  assert.equal(a.error, 'JWTAUTH_SIGNATURE_INVALID')
  assert.equal(a.failed.name, 'signature')
  assert.ok(a.failed.fix.length > 10)
})

test('a wrong Basic secret gets the library WWW-Authenticate', async () => {
  const c = await config('basic', client.ClientSecretBasic('not-the-secret'))
  await assert.rejects(client.clientCredentialsGrant(c), (e) => {
    // openid-client reads the challenge the library sent.
    assert.equal(e.code, 'OAUTH_WWW_AUTHENTICATE_CHALLENGE')
    assert.equal(e.status, 401)
    assert.deepEqual(e.cause, [{ scheme: 'basic', parameters: { realm: base, charset: 'UTF-8' } }])
    return true
  })
  const a = await lastAttempt()
  assert.deepEqual([a.client_id, a.method, a.failed.name], ['basic', 'client_secret_basic', 'secret'])
})
