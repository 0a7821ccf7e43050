// The event hook: every outcome told once (who, how, under which profile,
// how long; never a secret or an assertion), in sync calls before they
// return and after async calls on the event loop; nothing the hook does —
// throw, reject — changes an outcome. Assertions are signed by `jose`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { once } from 'node:events'

import * as jose from 'jose'
import * as jwtauth from 'jwtauth'

const ISSUER = 'https://as.example.com'
const SECRET = 'a-secret-of-enough-length'
const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const jwk = pair.publicKey.export({ format: 'jwk' })
const registry = jwtauth.Registry.fromJson({
  clients: [
    { client_id: 'svc', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } },
    { client_id: 'strict', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] }, profile: 'fapi2' },
    { client_id: 'web', token_endpoint_auth_method: 'client_secret_basic', client_secret: SECRET },
  ],
})

async function assertion(sub = 'svc', key = pair.privateKey) {
  const now = Math.floor(Date.now() / 1000)
  return new jose.SignJWT({ iss: sub, sub, aud: ISSUER, iat: now, exp: now + 60, jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256' })
    .sign(key)
}

const basic = (user, password) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64')
const body = 'grant_type=client_credentials'

// Wait until `events` holds `n` (async calls deliver on the event loop).
async function until(events, n) {
  for (let i = 0; i < 200 && events.length < n; i++) await new Promise((r) => setTimeout(r, 5))
  assert.equal(events.length, n, JSON.stringify(events))
}

test('sync calls tell the hook before they return, once per call', async () => {
  const events = []
  const verifier = new jwtauth.Verifier(ISSUER, { eventHook: (e) => events.push(e), reportProfile: 'fapi2' })
  const auth = new jwtauth.Authenticator(verifier, registry)
  const jwt = await assertion()
  assert.equal(verifier.verifySync(jwt, registry).clientId, 'svc')
  assert.throws(() => verifier.verifySync(jwt, registry), (e) => e.code === 'JWTAUTH_REPLAYED')
  assert.equal(events.length, 2)
  const [ok, replayed] = events
  assert.deepEqual(
    [ok.outcome, ok.client_id, ok.method, ok.alg, ok.profile, ok.endpoint, ok.code, ok.status, ok.would_refuse],
    ['accepted', 'svc', 'private_key_jwt', 'ES256', 'compat', 'token_endpoint', null, null, null],
  )
  assert.ok(Number.isInteger(ok.duration_us) && ok.duration_us > 0)
  assert.deepEqual([replayed.outcome, replayed.code, replayed.status, replayed.error], ['refused', 'JWTAUTH_REPLAYED', 401, 'invalid_client'])
  // The event's status and OAuth error are the error table's.
  const row = jwtauth.CODES[replayed.code]
  assert.deepEqual([replayed.status, replayed.error], [row.status, row.oauthError])

  // The authenticator: what a refused request named; the client's own profile.
  events.length = 0
  assert.equal(auth.authenticateSync({ authorization: basic('web', SECRET), body }).clientId, 'web')
  assert.throws(() => auth.authenticateSync({ authorization: basic('web', 'guess-the-secret-1234'), body }))
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  const wrongKey = await assertion('strict', other)
  assert.throws(() =>
    auth.authenticateSync({ body: `${body}&client_assertion_type=${encodeURIComponent(jwtauth.CLIENT_ASSERTION_TYPE)}&client_assertion=${wrongKey}` }),
  )
  assert.deepEqual(
    events.map((e) => [e.outcome, e.client_id, e.method, e.profile, e.code]),
    [
      ['accepted', 'web', 'client_secret_basic', 'compat', null],
      ['refused', 'web', 'client_secret_basic', 'compat', 'JWTAUTH_INVALID_SECRET'],
      ['refused', 'strict', 'private_key_jwt', 'fapi2', 'JWTAUTH_SIGNATURE_INVALID'],
    ],
  )
  assert.equal(events[0].would_refuse.code, 'JWTAUTH_AUTH_METHOD_MISMATCH')
  const text = JSON.stringify(events)
  for (const needle of [SECRET, 'guess-the-secret-1234', wrongKey, wrongKey.split('.')[2]]) {
    assert.ok(!text.includes(needle), needle)
  }
  // Explanations tell nothing.
  events.length = 0
  verifier.explain(await assertion(), registry)
  auth.explain({ authorization: basic('web', SECRET), body })
  assert.equal(events.length, 0)
})

test('async calls tell the hook on the event loop', async () => {
  const events = []
  const verifier = new jwtauth.Verifier(ISSUER, { eventHook: (e) => events.push(e) })
  const calls = await Promise.all([assertion(), assertion(), assertion()])
  const results = await Promise.all(calls.map((jwt) => verifier.verify(jwt, registry)))
  assert.deepEqual(results.map((r) => r.clientId), ['svc', 'svc', 'svc'])
  await assert.rejects(verifier.verify('not-a-jwt', registry), (e) => e.code === 'JWTAUTH_MALFORMED_JWS')
  await until(events, 4)
  assert.deepEqual(events.map((e) => e.outcome).sort(), ['accepted', 'accepted', 'accepted', 'refused'])
  assert.deepEqual(verifier.metrics().accepted.private_key_jwt, 3)
})

test('a throwing or rejecting hook changes no outcome and is reported once', async () => {
  let throws = 0
  const thrower = () => {
    throws++
    throw new Error('the log server is down')
  }
  const warning = once(process, 'warning')
  const verifier = new jwtauth.Verifier(ISSUER, { eventHook: thrower })
  const jwt = await assertion()
  assert.equal(verifier.verifySync(jwt, registry).clientId, 'svc')
  assert.throws(() => verifier.verifySync(jwt, registry), (e) => e.code === 'JWTAUTH_REPLAYED')
  assert.equal((await verifier.verify(await assertion(), registry)).clientId, 'svc')
  await until({ get length() { return throws } }, 3)
  const [w] = await warning
  assert.equal(w.code, 'JWTAUTH_EVENT_HOOK')
  assert.match(w.message, /the log server is down/)

  // An async hook that rejects: no unhandled rejection, the outcome stands.
  let rejected = 0
  const rejecting = async () => {
    rejected++
    throw new Error('rejected')
  }
  const v2 = new jwtauth.Verifier(ISSUER, { eventHook: rejecting })
  assert.equal(v2.verifySync(await assertion(), registry).clientId, 'svc')
  assert.equal((await v2.verify(await assertion(), registry)).clientId, 'svc')
  await until({ get length() { return rejected } }, 2)
  await new Promise((r) => setTimeout(r, 20)) // an unhandled rejection would fail the test run

  // A hook that verifies from inside: bounded, the outer outcome stands.
  let inner = 0
  const v3 = new jwtauth.Verifier(ISSUER, {
    eventHook: () => {
      inner++
      assert.throws(() => v3.verifySync('not-a-jwt', registry))
    },
  })
  assert.throws(() => v3.verifySync('not-a-jwt', registry), (e) => e.code === 'JWTAUTH_MALFORMED_JWS')
  assert.ok(inner >= 2 && inner <= 16, `${inner}`)
})
