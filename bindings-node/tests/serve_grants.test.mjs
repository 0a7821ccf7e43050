// `jwtauth serve --trust` with openid-client v6 (panva): a workload's JWT,
// signed by `jose`, exchanged for an access token with
// `genericGrantRequest` (RFC 7523 §2.1), the client authenticating with
// private_key_jwt (its own client assertion beside the grant); refusals
// carry invalid_grant, and /attempts names the failed rule. The binary:
// $JWTAUTH_BIN (bindings-node/tests/run.sh builds it).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'

import * as client from 'openid-client'
import * as jose from 'jose'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const CI = 'https://ci.example.com'
let server
let base
let workload
let clientKey

function binary() {
  if (process.env.JWTAUTH_BIN) return process.env.JWTAUTH_BIN
  const triple = process.env.CARGO_BUILD_TARGET ?? 'x86_64-unknown-linux-gnu'
  for (const p of [join(root, 'target', triple, 'release', 'jwtauth'), join(root, 'target', 'release', 'jwtauth')]) {
    if (existsSync(p)) return p
  }
  throw new Error('no jwtauth binary: cargo build --release -p jwtauth-cli (or set JWTAUTH_BIN)')
}

before(async () => {
  workload = await jose.generateKeyPair('ES256', { extractable: true })
  clientKey = await jose.generateKeyPair('EdDSA', { extractable: true })
  const dir = mkdtempSync(join(tmpdir(), 'jwtauth-grants-'))
  const jwk = async (k, kid) => ({ ...(await jose.exportJWK(k.publicKey)), kid })
  writeFileSync(join(dir, 'clients.json'), JSON.stringify({
    clients: [{ client_id: 'deployer', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [await jwk(clientKey, 'deployer-1')] } }],
  }))
  writeFileSync(join(dir, 'trust.json'), JSON.stringify({
    issuers: [{ issuer: CI, jwks: { keys: [await jwk(workload, 'ci-1')] }, subject_prefixes: ['repo:example-org/'], audience: ['issuer'] }],
  }))
  server = spawn(binary(), ['serve', '--registry', 'clients.json', '--trust', 'trust.json', '--listen', '127.0.0.1:0'], {
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

const ciToken = (sub) =>
  new jose.SignJWT({ sub, jti: randomUUID(), repository: 'example-org/app' })
    .setProtectedHeader({ alg: 'ES256', kid: 'ci-1' })
    .setIssuer(CI)
    .setAudience(base)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(workload.privateKey)

async function config() {
  return client.discovery(new URL(base), 'deployer', undefined, client.PrivateKeyJwt({ key: clientKey.privateKey, kid: 'deployer-1' }), {
    execute: [client.allowInsecureRequests],
    algorithm: 'oauth2',
  })
}

const lastAttempt = async () => (await (await fetch(`${base}/attempts`)).json()).attempts[0]

test('openid-client exchanges a jose-signed workload token for an access token', async () => {
  const cfg = await config()
  assert.ok(cfg.serverMetadata().grant_types_supported.includes(GRANT))
  const token = await client.genericGrantRequest(cfg, GRANT, { assertion: await ciToken('repo:example-org/app:ref:refs/heads/main'), scope: 'deploy' })
  assert.equal(token.token_type.toLowerCase(), 'bearer')
  assert.equal(token.scope, 'deploy')
  const a = await lastAttempt()
  assert.deepEqual([a.verdict, a.client_id, a.method, a.issuer, a.subject], ['accepted', 'deployer', 'private_key_jwt', CI, 'repo:example-org/app:ref:refs/heads/main'])
})

test('a refused grant is invalid_grant, and /attempts names the rule', async () => {
  const cfg = await config()
  await assert.rejects(client.genericGrantRequest(cfg, GRANT, { assertion: await ciToken('repo:other-org/app') }), (e) => {
    assert.equal(e.error, 'invalid_grant')
    assert.equal(e.status, 400)
    return true
  })
  const a = await lastAttempt()
  assert.deepEqual([a.error, a.failed.name], ['JWTAUTH_SUBJECT_NOT_ALLOWED', 'subject'])
  // The same token twice: the second is a replay.
  const once = await ciToken('repo:example-org/app')
  await client.genericGrantRequest(cfg, GRANT, { assertion: once })
  await assert.rejects(client.genericGrantRequest(cfg, GRANT, { assertion: once }), (e) => e.error === 'invalid_grant')
  assert.equal((await lastAttempt()).error, 'JWTAUTH_REPLAYED')
})
