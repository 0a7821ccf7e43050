// The async variants verify on worker threads: the event loop keeps
// turning while many verifications are in flight, and every one settles.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { monitorEventLoopDelay } from 'node:perf_hooks'

import * as jwtauth from 'jwtauth'

const ISSUER = 'https://as.example.com'

test('the event loop stays responsive during 400 async ES512 verifications', async (t) => {
  const key = jwtauth.SigningKey.generate('ES512')
  const registry = jwtauth.Registry.fromJson({
    clients: [{ client_id: 'c1', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key.publicJwk()] } }],
  })
  const v = new jwtauth.Verifier(ISSUER)
  const assertions = Array.from({ length: 400 }, () => jwtauth.signSync(key, 'c1', ISSUER).assertion)

  // The same work done synchronously: not one tick of the loop meanwhile.
  let syncTicks = 0
  const syncTimer = setInterval(() => syncTicks++, 1)
  const t0 = performance.now()
  const syncVerifier = new jwtauth.Verifier(ISSUER)
  for (const a of assertions) syncVerifier.verifySync(a, registry)
  const syncMs = performance.now() - t0
  clearInterval(syncTimer)
  assert.equal(syncTicks, 0)

  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  let ticks = 0
  let done = false
  const ticker = () => {
    ticks++
    if (!done) setImmediate(ticker)
  }
  setImmediate(ticker)
  const t1 = performance.now()
  let results
  try {
    results = await Promise.all(assertions.map((a) => v.verify(a, registry)))
  } finally {
    done = true
    delay.disable()
  }
  const asyncMs = performance.now() - t1

  assert.equal(results.length, 400)
  assert.ok(results.every((r) => r.clientId === 'c1'))
  // The loop turned many times while the verifications ran elsewhere.
  assert.ok(ticks >= 10, `only ${ticks} turns of the event loop`)
  t.diagnostic(
    `sync ${syncMs.toFixed(1)} ms (loop blocked); async ${asyncMs.toFixed(1)} ms with ${ticks} loop turns, ` +
      `loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(2)} ms, max ${(delay.max / 1e6).toFixed(2)} ms`,
  )
})

test('async calls with JavaScript callbacks do not hold libuv threads', async () => {
  // Lookups that themselves wait for libuv's pool (fs): with the verifications
  // on libuv's 4 threads, 16 of these would deadlock until the timeout.
  const { readFile } = await import('node:fs/promises')
  const key = jwtauth.SigningKey.generate('ES256')
  const client = jwtauth.Client.fromMetadata({
    client_id: 'c1',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [key.publicJwk()] },
  })
  const registry = jwtauth.Registry.fromCallback(async (id) => {
    await readFile(new URL(import.meta.url))
    return id === 'c1' ? client : null
  })
  const v = new jwtauth.Verifier(ISSUER)
  // A deadlock would end in REGISTRY_UNAVAILABLE after 10 s: Promise.all rejects.
  const results = await Promise.all(Array.from({ length: 16 }, () => v.verify(jwtauth.signSync(key, 'c1', ISSUER).assertion, registry)))
  assert.equal(results.length, 16)
})
