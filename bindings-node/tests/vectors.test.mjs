// The shared vectors (tests/vectors/) through the Node package: the same
// verdicts and error codes as the Rust, C and Python suites. Every case runs
// through the sync and the async API.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'

import * as jwtauth from 'jwtauth'
import { load } from './helpers.mjs'

const ASSERTIONS = load('assertions.json')
const REQUESTS = load('requests.json')
const KEY_LOADING = load('key_loading.json')
const GRANTS = load('grants.json')
const KEYS = load('keys.json').keys

function verifier(cfg, clock) {
  return new jwtauth.Verifier(cfg.issuer, {
    tokenEndpoint: cfg.token_endpoint,
    audiences: cfg.extra_audiences,
    audienceMode: cfg.audience_mode,
    leeway: cfg.leeway,
    maxAge: cfg.max_age,
    maxLifetime: cfg.max_lifetime,
    maxAssertionLen: cfg.max_assertion_len,
    algorithms: cfg.allowed_algorithms,
    profile: cfg.profile,
    reportProfile: cfg.report_profile,
    endpoints: cfg.endpoints,
    clock,
  })
}

// `wouldRefuse` when the step names it: { profile, code }, or null for none.
function assertWouldRefuse(result, expect, where) {
  if (!('would_refuse' in expect)) return
  const w = expect.would_refuse
  if (w === null) assert.equal(result.wouldRefuse, null, where)
  else assert.deepEqual([result.wouldRefuse?.profile, result.wouldRefuse?.code], [w.profile, 'JWTAUTH_' + w.code], where)
}

function credentialMetadata(c) {
  let cred
  if (c.format === 'jwk') {
    const jwk = { ...KEYS[c.key].jwk }
    if (c.alg) jwk.alg = c.alg
    cred = { jwk: JSON.stringify(jwk) }
  } else if (['pem', 'pkcs1', 'cert'].includes(c.format)) {
    cred = { pem: KEYS[c.key][{ pem: 'spki_pem', pkcs1: 'pkcs1_pem', cert: 'cert_pem' }[c.format]] }
  } else if (c.format === 'jwks') {
    cred = { jwks: { keys: c.keys.map((k) => KEYS[k].jwk) } }
  } else {
    cred = { secret: c.secret }
  }
  if ('expires_at' in c) cred.expires_at = c.expires_at
  if (c.expiry_from_cert) cred.parse_expiry_from_cert = true
  return cred
}

// The vectors register keys the default policy refuses on purpose (several
// credentials, short secrets): clients are built with a permissive policy
// and served through the lookup callback.
const PERMISSIVE = new jwtauth.CredentialPolicy({ max_credentials: 16, min_client_secret_len: 1 })

function clientFromVector(cl) {
  const creds = cl.credentials.map(credentialMetadata)
  const meta = { client_id: cl.client_id, token_endpoint_auth_method: cl.method, credentials: creds }
  if (cl.method === 'client_secret_basic' || cl.method === 'client_secret_post') {
    meta.client_secret = creds.shift().secret
  }
  if (cl.signing_alg) meta.token_endpoint_auth_signing_alg = cl.signing_alg
  if (cl.audience_mode) meta.audience_mode = cl.audience_mode
  if (cl.max_age) meta.max_age = cl.max_age
  if (cl.profile) meta.profile = cl.profile
  return jwtauth.Client.fromMetadata(meta, { policy: PERMISSIVE, now: 0 })
}

for (const mode of ['sync', 'async']) {
  describe(`assertions.json (${mode})`, () => {
    for (const c of ASSERTIONS.cases) {
      test(c.id, async () => {
        const cfg = { ...ASSERTIONS.defaults.config, ...(c.config ?? {}) }
        const clock = new jwtauth.FixedClock(c.now)
        const v = cfg.at ? verifier(cfg, clock).at(cfg.at) : verifier(cfg, clock)
        const clients = new Map(c.clients.map((cl) => [cl.client_id, clientFromVector(cl)]))
        // Sync: a lookup answering directly; async: one answering with a Promise.
        const registry = jwtauth.Registry.fromCallback(
          mode === 'sync' ? (id) => clients.get(id) : async (id) => clients.get(id),
        )
        for (const [i, step] of c.steps.entries()) {
          if ('now' in step) clock.set(step.now)
          const opts = step.client_id === undefined ? undefined : { clientId: step.client_id }
          let r
          try {
            r = mode === 'sync' ? v.verifySync(step.assertion, registry, opts) : await v.verify(step.assertion, registry, opts)
          } catch (e) {
            assert.ok(e instanceof jwtauth.JwtAuthError, `step ${i}: ${e}`)
            assert.ok(step.expect.error, `step ${i}: refused with ${e.code}: ${e.detail}`)
            assert.equal(e.code, 'JWTAUTH_' + step.expect.error, `step ${i}: ${e.detail}`)
            continue
          }
          assert.ok(!step.expect.error, `step ${i}: accepted, want ${step.expect.error}`)
          assert.equal(r.clientId, step.expect.client_id)
          assertWouldRefuse(r, step.expect, `step ${i}`)
        }
      })
    }
  })

  describe(`grants.json (${mode})`, () => {
    for (const c of GRANTS.cases) {
      test(c.id, async () => {
        const cfg = GRANTS.defaults.config
        if (c.trust_problems) {
          const e = (() => {
            try {
              jwtauth.TrustTable.fromJson(c.trust, { now: c.now })
            } catch (e) {
              return e
            }
            return null
          })()
          assert.ok(e instanceof jwtauth.JwtAuthError, 'the trust table loads')
          assert.deepEqual(e.problems.map((p) => p.location).sort(), c.trust_problems)
          return
        }
        const trust = jwtauth.TrustTable.fromJson(c.trust, { now: c.now })
        const replayStore = new jwtauth.MemoryReplayStore()
        const make = () =>
          new jwtauth.Authenticator(
            new jwtauth.Verifier(cfg.issuer, { tokenEndpoint: cfg.token_endpoint, replayStore, clock: new jwtauth.FixedClock(c.now) }),
            jwtauth.Registry.fromJson(c.registry, { now: c.now }),
            { realm: cfg.realm, trust },
          )
        const [a, b] = [make(), make()]
        for (const [i, step] of c.steps.entries()) {
          const on = step.verifier ? b : a
          const request = i % 2 === 0 ? { authorization: step.authorization, body: step.body } : { authorization: step.authorization, form: step.form }
          let r
          try {
            r = mode === 'sync' ? on.authenticateGrantSync(request) : await on.authenticateGrant(request)
          } catch (e) {
            assert.ok(e instanceof jwtauth.JwtAuthError, `step ${i}: ${e}`)
            assert.ok(step.expect.error, `step ${i}: refused ${e.code}`)
            const resp = e.response()
            assert.deepEqual(
              [e.code, resp.status, JSON.parse(resp.body).error, e.oauthError, 'www-authenticate' in resp.headers],
              ['JWTAUTH_' + step.expect.error, step.expect.status, step.expect.oauth_error, step.expect.oauth_error, step.expect.www_authenticate],
              `step ${i}`,
            )
            continue
          }
          assert.ok(!step.expect.error, `step ${i}: accepted, want ${step.expect.error}`)
          assert.deepEqual(
            [r.client?.clientId ?? null, r.client?.method ?? null, r.grant.issuer, r.grant.subject],
            [step.expect.client_id, step.expect.method, step.expect.grant.issuer, step.expect.grant.subject],
            `step ${i}`,
          )
        }
      })
    }
  })

  describe(`requests.json (${mode})`, () => {
    for (const c of REQUESTS.cases) {
      test(c.id, async () => {
        const cfg = { ...REQUESTS.defaults.config, ...(c.config ?? {}) }
        const policy = c.policy ? new jwtauth.CredentialPolicy(c.policy) : undefined
        if (c.registration) {
          const e = (() => {
            try {
              jwtauth.Registry.fromJson(c.registry, { policy, now: c.now })
            } catch (e) {
              return e
            }
            return null
          })()
          assert.ok(e instanceof jwtauth.JwtAuthError, 'registration accepted')
          assert.deepEqual(e.problems.map((p) => p.code), c.registration.problems.map((p) => 'JWTAUTH_' + p))
          assert.ok(e.problems.every((p) => p.message.length > 0))
          return
        }
        const registry = jwtauth.Registry.fromJson(JSON.stringify(c.registry), { policy, now: c.now })
        const clock = new jwtauth.FixedClock(c.now)
        const auth = new jwtauth.Authenticator(verifier(cfg, clock), registry, { realm: cfg.realm, clientCa: cfg.client_ca })
        for (const [i, step] of c.steps.entries()) {
          if ('now' in step) clock.set(step.now)
          const expect = step.expect
          const cert = step.certificate
          const tls = cert
            ? {
                clientCertificate: cert.format === 'der' ? Buffer.from(cert.data, 'base64') : cert.data,
                certificateFormat: cert.format,
                certificateVerified: cert.verified_by_tls,
              }
            : {}
          const calls = [['body', { authorization: step.authorization ?? undefined, body: Buffer.from(step.body), ...tls }]]
          const form = step.form
          // A second presentation of an accepted assertion would be a replay.
          if (form && !(!expect.error && form.some(([k]) => k === 'client_assertion'))) {
            calls.push(['form', { authorization: step.authorization ?? undefined, form, ...tls }])
          }
          for (const [api, request] of calls) {
            let a
            try {
              a = mode === 'sync' ? auth.authenticateSync(request) : await auth.authenticate(request)
            } catch (e) {
              assert.ok(e instanceof jwtauth.JwtAuthError, `step ${i} (${api}): ${e}`)
              assert.ok(expect.error, `step ${i} (${api}): refused with ${e.code}: ${e.detail}`)
              assert.equal(e.code, 'JWTAUTH_' + expect.error, `step ${i} (${api}): ${e.detail}`)
              const { status, headers, body } = e.response()
              assert.equal(status, expect.status)
              assert.equal('www-authenticate' in headers, expect.www_authenticate)
              if (expect.www_authenticate) assert.match(headers['www-authenticate'], /realm="as\.example\.com"/)
              const row = jwtauth.CODES[e.code]
              assert.deepEqual(JSON.parse(body), { error: row.oauthError, error_description: row.description })
              continue
            }
            assert.ok(!expect.error, `step ${i} (${api}): accepted, want ${expect.error}`)
            assert.deepEqual([a.clientId, a.method], [expect.client_id, expect.method])
            assert.equal(a.claims !== null, a.method.endsWith('_jwt'))
            assertWouldRefuse(a, expect, `step ${i} (${api})`)
            assert.equal(a.certificateThumbprint, expect.certificate_thumbprint ?? null, `step ${i} (${api})`)
          }
        }
      })
    }
  })
}

describe('key_loading.json', () => {
  for (const c of KEY_LOADING.cases) {
    test(c.id, () => {
      const { format, input, expect } = c
      let got
      try {
        if (format === 'jwk') {
          const k = jwtauth.VerifyingKey.fromJwk(input)
          got = { thumbprint: k.thumbprint, x5t: k.x5t ?? null, not_after: k.notAfter ?? null }
        } else if (format === 'pem') {
          const k = jwtauth.VerifyingKey.fromPem(input)
          got = { thumbprint: k.thumbprint, x5t: k.x5t ?? null, not_after: k.notAfter ?? null }
        } else if (format === 'private_pem') {
          got = { thumbprint: jwtauth.SigningKey.fromPem(input).thumbprint }
        } else if (format === 'secret') {
          jwtauth.Client.fromMetadata(
            { client_id: 'c', token_endpoint_auth_method: 'client_secret_jwt', client_secret: input },
            { policy: new jwtauth.CredentialPolicy({ min_client_secret_len: 1 }) },
          )
          got = {}
        } else {
          got = { count: jwtauth.JwkSet.fromJson(input).size }
        }
      } catch (e) {
        assert.ok(e instanceof jwtauth.JwtAuthError, String(e))
        assert.ok(expect.error, `refused with ${e.code}: ${e.detail}`)
        const names = e.problems.length ? e.problems.map((p) => p.code) : [e.code]
        assert.ok(names.includes('JWTAUTH_' + expect.error), `${names}, want ${expect.error}`)
        return
      }
      assert.ok(!expect.error, `accepted, want ${expect.error}`)
      for (const field of ['thumbprint', 'x5t', 'not_after', 'count']) {
        if (field in expect) assert.equal(got[field], expect[field], field)
      }
    })
  }
})

test('the error table matches the core and error_codes.json', () => {
  const rows = load('error_codes.json').codes
  assert.equal(rows.length, Object.keys(jwtauth.CODES).length)
  for (const row of rows) {
    const c = jwtauth.CODES['JWTAUTH_' + row.name]
    assert.ok(c, row.name)
    assert.deepEqual(
      [c.number, c.category, c.oauthError, c.status, c.description],
      [row.number, row.category, row.oauth_error, row.http_status, row.description],
    )
  }
})

test('every code in the C header is known to Node', async () => {
  const { readFileSync } = await import('node:fs')
  const { ROOT } = await import('./helpers.mjs')
  const header = readFileSync(`${ROOT}/include/jwtauth.h`, 'utf8')
  const block = header.slice(header.indexOf('enum jwtauth_status'), header.indexOf('typedef enum jwtauth_status'))
  const names = [...block.matchAll(/^\s*(JWTAUTH_[A-Z0-9_]+) = (\d+),?$/gm)].map((m) => [m[1], Number(m[2])])
  assert.ok(names.length > 30, 'status enum found in the header')
  for (const [name, number] of names) {
    if (name === 'JWTAUTH_OK') continue
    assert.equal(jwtauth.CODES[name]?.number, number, name)
  }
})

test('the defaults match the core (defaults.json)', () => {
  const doc = load('defaults.json')
  assert.deepEqual(new jwtauth.Verifier(doc.issuer).settings(), doc.verifier)
  assert.deepEqual(new jwtauth.CredentialPolicy().settings(), doc.policy)
  const tuned = new jwtauth.Verifier(doc.issuer, { leeway: 5, maxLifetime: 600, remoteJwks: false }).settings()
  assert.deepEqual([tuned.leeway, tuned.max_lifetime, tuned.remote_jwks], [5, 600, null])
  assert.equal(new jwtauth.CredentialPolicy({ max_credentials: 3 }).settings().max_credentials, 3)
})

test('report-only profile: counted per client and code; a bad profile is a usage error', () => {
  const doc = {
    clients: [{ client_id: 'web', token_endpoint_auth_method: 'client_secret_basic', client_secret: 'a-secret-of-enough-length' }],
  }
  const registry = jwtauth.Registry.fromJson(JSON.stringify(doc))
  const verifier = new jwtauth.Verifier('https://as.example.com', { reportProfile: 'fapi2' })
  assert.deepEqual(verifier.report(), { profile: 'fapi2', counts: [], dropped: 0 })
  const auth = new jwtauth.Authenticator(verifier, registry)
  const authorization = 'Basic ' + Buffer.from('web:a-secret-of-enough-length').toString('base64')
  for (let i = 0; i < 2; i++) {
    const a = auth.authenticateSync({ authorization, body: 'grant_type=client_credentials' })
    assert.deepEqual([a.wouldRefuse.profile, a.wouldRefuse.code], ['fapi2', 'JWTAUTH_AUTH_METHOD_MISMATCH'])
  }
  assert.deepEqual(verifier.report().counts, [{ client_id: 'web', code: 'JWTAUTH_AUTH_METHOD_MISMATCH', count: 2 }])
  // A view for another endpoint shares the verifier's counters.
  auth.at('revocation_endpoint').authenticateSync({ authorization, body: 'grant_type=client_credentials' })
  assert.equal(verifier.report().counts[0].count, 3)
  assert.equal(verifier.metrics().accepted.client_secret_basic, 3)
  assert.throws(() => auth.at('revocation'), (e) => e.code === 'JWTAUTH_INVALID_ARGUMENT')
  const enforcing = new jwtauth.Authenticator(new jwtauth.Verifier('https://as.example.com', { profile: 'fapi2' }), registry)
  assert.throws(() => enforcing.authenticateSync({ authorization, body: 'grant_type=client_credentials' }), (e) => e.code === 'JWTAUTH_AUTH_METHOD_MISMATCH')
  assert.throws(() => new jwtauth.Verifier('https://as.example.com', { profile: 'fapi3' }), (e) => e.code === 'JWTAUTH_INVALID_ARGUMENT')
})

describe('the policy hook', () => {
  const doc = {
    clients: [{ client_id: 'web', token_endpoint_auth_method: 'client_secret_basic', client_secret: 'a-secret-of-enough-length' }],
  }
  const authorization = 'Basic ' + Buffer.from('web:a-secret-of-enough-length').toString('base64')
  const request = { authorization, body: 'grant_type=client_credentials' }
  const setup = (hook) =>
    new jwtauth.Authenticator(new jwtauth.Verifier('https://as.example.com', { policyHook: hook }), jwtauth.Registry.fromJson(JSON.stringify(doc)))

  test('true accepts, false or a reason refuses (401), after every check', async () => {
    const seen = []
    let answer = 'tenant suspended'
    const auth = setup((context) => {
      seen.push(context)
      return answer
    })
    assert.throws(() => auth.authenticateSync(request), (e) => {
      assert.equal(e.code, 'JWTAUTH_POLICY_REFUSED')
      assert.match(e.detail, /tenant suspended/)
      const { status, body } = e.response()
      assert.equal(status, 401)
      assert.ok(!body.includes('tenant'))
      return true
    })
    assert.deepEqual(seen[0], { client_id: 'web', method: 'client_secret_basic', alg: null, kid: null, typ: null, claims: null })
    answer = false
    await assert.rejects(auth.authenticate(request), (e) => e.code === 'JWTAUTH_POLICY_REFUSED')
    answer = true
    assert.equal(auth.authenticateSync(request).clientId, 'web')
    assert.equal((await auth.authenticate(request)).clientId, 'web')
  })

  test('a throw, a rejection or another answer fails closed (503)', async () => {
    for (const hook of [
      () => {
        throw new Error('db down')
      },
      () => null,
      () => 1,
      () => ({ ok: true }),
      async () => {
        throw new Error('db down')
      },
      async () => 'yes'.length,
    ]) {
      const auth = setup(hook)
      await assert.rejects(auth.authenticate(request), (e) => e.code === 'JWTAUTH_HOOK_FAILED' && e.response().status === 503, String(hook))
    }
    // A Promise in a sync call is not an answer either.
    assert.throws(() => setup(async () => true).authenticateSync(request), (e) => e.code === 'JWTAUTH_HOOK_FAILED')
    // An async hook answers in the async call.
    assert.equal((await setup(async () => true).authenticate(request)).clientId, 'web')
  })

  test('a hook that never answers fails closed after the callback deadline (10 s)', async () => {
    const auth = setup(() => new Promise(() => {}))
    await assert.rejects(auth.authenticate(request), (e) => e.code === 'JWTAUTH_HOOK_FAILED' && /did not answer/.test(e.detail))
  })
})
