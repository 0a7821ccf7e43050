// The Node API itself: loading (CJS and ESM), keys, sign options, errors,
// registries and replay stores written in JavaScript (sync and async),
// token requests in every shape, credential policy, safety of errors.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

import * as jwtauth from 'jwtauth'
import { refused } from './helpers.mjs'

const ISSUER = 'https://as.example.com'
const SECRET = 'a-client-secret-of-enough-length-0123456789'

function pkClient(key, clientId = 'c1') {
  return { client_id: clientId, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key.publicJwk()] } }
}

describe('loading', () => {
  test('require() and import give the same objects', () => {
    const cjs = createRequire(import.meta.url)('jwtauth')
    assert.equal(cjs.Verifier, jwtauth.Verifier)
    assert.equal(cjs.JwtAuthError, jwtauth.JwtAuthError)
    assert.equal(typeof cjs.signSync, 'function')
    assert.equal(jwtauth.CLIENT_ASSERTION_TYPE, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    assert.match(jwtauth.version(), /^\d+\.\d+\.\d+/)
    // The npm addon is built on aws-lc-rs, not its FIPS module.
    assert.equal(jwtauth.fips, false)
    assert.equal(jwtauth.fipsMode(), false)
    assert.equal(jwtauth.cryptoProvider(), 'aws-lc-rs')
    assert.equal(cjs.fips, false)
  })

  test('the internal entry points are not exported', () => {
    for (const name of Object.keys(jwtauth)) assert.ok(!name.startsWith('_'), name)
  })
})

describe('keys', () => {
  test('PEM as string, Buffer or Uint8Array', () => {
    const k = jwtauth.SigningKey.generate('ES256', { kid: 'k1' })
    const pem = k.privatePem()
    for (const input of [pem, Buffer.from(pem), new Uint8Array(Buffer.from(pem))]) {
      const loaded = jwtauth.SigningKey.fromPem(input, { kid: 'k1' })
      assert.equal(loaded.thumbprint, k.thumbprint)
      assert.equal(loaded.kid, 'k1')
      assert.equal(loaded.alg, 'ES256')
    }
    assert.equal(jwtauth.VerifyingKey.fromPem(k.publicPem()).thumbprint, k.thumbprint)
    assert.equal(jwtauth.VerifyingKey.fromJwk(k.publicJwk()).thumbprint, k.thumbprint)
    assert.equal(jwtauth.VerifyingKey.fromJwk(JSON.stringify(k.publicJwk())).thumbprint, k.thumbprint)
  })

  test('an RSA key signs PS256 when told', () => {
    const k = jwtauth.SigningKey.generate('RS256')
    assert.equal(jwtauth.SigningKey.fromPem(k.privatePem(), { alg: 'PS256' }).alg, 'PS256')
  })

  test('weak and malformed keys are refused with precise codes', () => {
    const e1 = assert.throws(() => jwtauth.SigningKey.generate('RS256', { bits: 1024 }), jwtauth.JwtAuthError)
    assert.equal(e1, undefined)
    const e = (() => {
      try {
        jwtauth.VerifyingKey.fromPem('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')
      } catch (err) {
        return err
      }
    })()
    assert.ok(e instanceof jwtauth.JwtAuthError)
    assert.equal(e.category, 'invalid_credential')
    assert.throws(() => jwtauth.SigningKey.generate('none'), (err) => err.code === 'JWTAUTH_UNSUPPORTED_ALGORITHM')
    assert.throws(() => jwtauth.SigningKey.fromSecret('short', 'HS256'), jwtauth.JwtAuthError)
  })

  test('wrong argument types throw, never crash', () => {
    assert.throws(() => jwtauth.SigningKey.fromPem(42))
    assert.throws(() => jwtauth.SigningKey.fromPem(null))
    assert.throws(() => jwtauth.SigningKey.fromPem(Buffer.from([0xff, 0xfe])), (e) => e.code === 'JWTAUTH_INVALID_ARGUMENT')
    assert.throws(() => new jwtauth.Verifier())
    assert.throws(() => new jwtauth.Verifier(ISSUER).verifySync('x', {}))
  })

  test('toString never shows key material', () => {
    const k = jwtauth.SigningKey.fromSecret(SECRET)
    assert.ok(!String(k).includes(SECRET))
    assert.match(String(k), /^SigningKey\(alg=HS256/)
  })

  test('JWKS', () => {
    const a = jwtauth.SigningKey.generate('ES256', { kid: 'a' })
    const b = jwtauth.SigningKey.generate('EdDSA', { kid: 'b' })
    const set = jwtauth.JwkSet.fromJson({ keys: [a.publicJwk(), b.publicJwk()] })
    assert.equal(set.size, 2)
    assert.deepEqual(set.toJSON().keys.map((k) => k.kid), ['a', 'b'])
  })
})

describe('sign', () => {
  const key = jwtauth.SigningKey.generate('ES256', { kid: 'k1' })
  const decode = (jws) => jws.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url')))

  test('defaults: 60 s, typ, kid, fresh jti', async () => {
    const a = await jwtauth.sign(key, 'c1', ISSUER)
    const [h, c] = decode(a.assertion)
    assert.deepEqual(h, { alg: 'ES256', typ: 'client-authentication+jwt', kid: 'k1' })
    assert.equal(c.iss, 'c1')
    assert.equal(c.sub, 'c1')
    assert.equal(c.aud, ISSUER)
    assert.equal(c.exp - c.iat, 60)
    assert.equal(a.expiresAt - a.issuedAt, 60)
    assert.notEqual(jwtauth.signSync(key, 'c1', ISSUER).jti, a.jti)
    assert.deepEqual(a.form, {
      client_id: 'c1',
      client_assertion_type: jwtauth.CLIENT_ASSERTION_TYPE,
      client_assertion: a.assertion,
    })
    assert.equal(new URLSearchParams(a.formBody).get('client_assertion'), a.assertion)
    assert.ok(!String(a).includes(a.assertion))
  })

  test('options', () => {
    const clock = new jwtauth.FixedClock(1_800_000_000)
    const a = jwtauth.signSync(key, 'c1', ISSUER, {
      lifetime: 120,
      notBefore: true,
      typ: null,
      kid: null,
      jti: 'my-jti',
      claims: { purpose: 'test' },
      clock,
    })
    const [h, c] = decode(a.assertion)
    assert.deepEqual(h, { alg: 'ES256' })
    assert.deepEqual(c, {
      iss: 'c1',
      sub: 'c1',
      aud: ISSUER,
      iat: 1_800_000_000,
      nbf: 1_800_000_000,
      exp: 1_800_000_120,
      jti: 'my-jti',
      purpose: 'test',
    })
    assert.throws(() => jwtauth.signSync(key, 'c1', ISSUER, { lifetime: 3600 }), jwtauth.JwtAuthError)
    assert.equal(jwtauth.signSync(key, 'c1', ISSUER, { lifetime: 3600, allowLongLifetime: true }).expiresAt - 0 > 0, true)
    assert.throws(() => jwtauth.signSync(key, 'c1', ISSUER, { claims: { iss: 'other' } }), jwtauth.JwtAuthError)
  })

  test('async errors reject with JwtAuthError', async () => {
    const e = await refused(() => jwtauth.sign(key, 'c1', ISSUER, { lifetime: 0 }))
    assert.ok(e instanceof jwtauth.JwtAuthError)
    assert.equal(e.category, 'usage')
  })
})

describe('errors', () => {
  test('fields and response()', async () => {
    const key = jwtauth.SigningKey.generate('ES256')
    const registry = jwtauth.Registry.fromJson({ clients: [pkClient(key)] })
    const v = new jwtauth.Verifier(ISSUER)
    const a = jwtauth.signSync(key, 'c1', 'https://elsewhere.example.com')
    const e = await refused(() => v.verify(a.assertion, registry))
    assert.ok(e instanceof Error)
    assert.ok(jwtauth.isJwtAuthError(e))
    assert.ok(jwtauth.isJwtAuthError(e, e.code))
    assert.equal(e.name, 'JwtAuthError')
    assert.equal(e.code, 'JWTAUTH_AUDIENCE_MISMATCH')
    assert.equal(e.number, jwtauth.CODES.JWTAUTH_AUDIENCE_MISMATCH.number)
    assert.equal(e.oauthError, 'invalid_client')
    assert.equal(e.status, 401)
    assert.equal(e.category, 'invalid_client')
    assert.equal(e.description, jwtauth.CODES.JWTAUTH_AUDIENCE_MISMATCH.description)
    assert.ok(e.detail.length > 0)
    // Never the assertion, nor its signature, in what is logged.
    for (const text of [e.message, e.detail, e.stack, JSON.stringify(e)]) {
      assert.ok(!text.includes(a.assertion))
      assert.ok(!text.includes(a.assertion.split('.')[2]))
    }
    const r = e.response()
    assert.equal(r.status, 401)
    assert.equal(r.headers['content-type'], 'application/json')
    assert.equal(r.headers['cache-control'], 'no-store')
    assert.deepEqual(e.responseJson(), { error: 'invalid_client', error_description: e.description })
  })

  test('a wrong secret never appears in the error', async () => {
    const registry = jwtauth.Registry.fromJson({
      clients: [{ client_id: 'b', token_endpoint_auth_method: 'client_secret_basic', client_secret: SECRET }],
    })
    const auth = new jwtauth.Authenticator(new jwtauth.Verifier(ISSUER), registry)
    const wrong = 'wrong-secret-that-must-not-leak-0123456789'
    const authorization = 'Basic ' + Buffer.from(`b:${wrong}`).toString('base64')
    const e = await refused(() => auth.authenticate({ authorization, body: 'grant_type=client_credentials' }))
    assert.equal(e.code, 'JWTAUTH_INVALID_SECRET')
    assert.match(e.response().headers['www-authenticate'], /^Basic realm="https:\/\/as\.example\.com"/)
    for (const text of [e.message, e.detail, JSON.stringify(e)]) {
      assert.ok(!text.includes(wrong))
      assert.ok(!text.includes(SECRET))
    }
  })

  test('policy problems are listed', () => {
    const e = (() => {
      try {
        jwtauth.Client.fromMetadata({ client_id: 'c', token_endpoint_auth_method: 'client_secret_jwt', client_secret: 'short' })
      } catch (err) {
        return err
      }
    })()
    assert.ok(e instanceof jwtauth.JwtAuthError)
    assert.ok(e.problems.length >= 1)
    assert.ok(e.problems.every((p) => p.code.startsWith('JWTAUTH_') && typeof p.location === 'string' && p.message))
    assert.ok(!e.message.includes('short"'))
  })
})

describe('registries and replay stores in JavaScript', () => {
  const key = jwtauth.SigningKey.generate('ES256')
  const client = jwtauth.Client.fromMetadata(pkClient(key))

  test('a lookup answering directly, sync and async', async () => {
    const seen = []
    const registry = jwtauth.Registry.fromCallback((id) => {
      seen.push(id)
      return id === 'c1' ? client : null
    })
    const v = new jwtauth.Verifier(ISSUER)
    assert.equal(v.verifySync(jwtauth.signSync(key, 'c1', ISSUER).assertion, registry).clientId, 'c1')
    assert.equal((await v.verify(jwtauth.signSync(key, 'c1', ISSUER).assertion, registry)).clientId, 'c1')
    const e = await refused(() => v.verify(jwtauth.signSync(key, 'c2', ISSUER).assertion, registry))
    assert.equal(e.code, 'JWTAUTH_UNKNOWN_CLIENT')
    assert.deepEqual(seen, ['c1', 'c1', 'c2'])
    assert.equal(registry.get('c1').clientId, 'c1')
    assert.equal(registry.get('nobody'), null)
  })

  test('a lookup answering with a Promise (async calls)', async () => {
    const registry = jwtauth.Registry.fromCallback(async (id) => {
      await new Promise((r) => setTimeout(r, 5))
      return id === 'c1' ? client : undefined
    })
    const v = new jwtauth.Verifier(ISSUER)
    const many = await Promise.all(Array.from({ length: 20 }, () => v.verify(jwtauth.signSync(key, 'c1', ISSUER).assertion, registry)))
    assert.equal(many.length, 20)
    // A sync call cannot wait for a Promise: refused, fail closed.
    const e = await refused(() => v.verifySync(jwtauth.signSync(key, 'c1', ISSUER).assertion, registry))
    assert.equal(e.code, 'JWTAUTH_REGISTRY_UNAVAILABLE')
    assert.equal(e.status, 503)
  })

  test('a lookup that throws, rejects or answers nonsense fails closed', async () => {
    const v = new jwtauth.Verifier(ISSUER)
    for (const lookup of [
      () => {
        throw new Error('db down')
      },
      async () => {
        throw new Error('db down')
      },
      () => ({ client_id: 'c1' }),
      () => 42,
    ]) {
      const registry = jwtauth.Registry.fromCallback(lookup)
      for (const call of ['verify', 'verifySync']) {
        const e = await refused(() => v[call](jwtauth.signSync(key, 'c1', ISSUER).assertion, registry))
        assert.equal(e.code, 'JWTAUTH_REGISTRY_UNAVAILABLE', `${call}: ${e.detail}`)
        assert.ok(!e.detail.includes('db down'))
      }
    }
    // A wrong JavaScript type: napi's argument error.
    assert.throws(() => jwtauth.Registry.fromCallback('not a function'), (e) => e.code === 'InvalidArg')
  })

  test('a replay store in JavaScript: exactly once, sync and async', async () => {
    const seen = new Set()
    const calls = []
    const store = {
      checkAndInsert(clientId, jti, expiresAt, now) {
        calls.push([clientId, expiresAt - now])
        const k = `${clientId}\u0000${jti}`
        if (seen.has(k)) return false
        seen.add(k)
        return true
      },
    }
    const registry = jwtauth.Registry.fromJson({ clients: [pkClient(key)] })
    const v = new jwtauth.Verifier(ISSUER, { replayStore: store })
    const a = jwtauth.signSync(key, 'c1', ISSUER)
    const results = await Promise.allSettled([
      v.verify(a.assertion, registry),
      v.verify(a.assertion, registry),
      v.verify(a.assertion, registry),
    ])
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
    assert.ok(results.filter((r) => r.status === 'rejected').every((r) => r.reason.code === 'JWTAUTH_REPLAYED'))
    assert.throws(() => v.verifySync(a.assertion, registry), (e) => e.code === 'JWTAUTH_REPLAYED')
    assert.equal(calls[0][0], 'c1')
    assert.ok(calls[0][1] > 0)
  })

  test('a replay store answering with a Promise, or failing', async () => {
    const registry = jwtauth.Registry.fromJson({ clients: [pkClient(key)] })
    const ok = new jwtauth.Verifier(ISSUER, { replayStore: { checkAndInsert: async () => true } })
    assert.equal((await ok.verify(jwtauth.signSync(key, 'c1', ISSUER).assertion, registry)).clientId, 'c1')
    for (const checkAndInsert of [
      async () => {
        throw new Error('redis down')
      },
      () => 'yes',
    ]) {
      const v = new jwtauth.Verifier(ISSUER, { replayStore: { checkAndInsert } })
      const e = await refused(() => v.verify(jwtauth.signSync(key, 'c1', ISSUER).assertion, registry))
      assert.equal(e.code, 'JWTAUTH_REPLAY_STORE_UNAVAILABLE')
      assert.equal(e.status, 503)
    }
    assert.throws(() => new jwtauth.Verifier(ISSUER, { replayStore: {} }), jwtauth.JwtAuthError)
  })

  test('the in-memory replay store can be shared and sized', () => {
    const store = new jwtauth.MemoryReplayStore(1)
    const registry = jwtauth.Registry.fromJson({ clients: [pkClient(key)] })
    const v1 = new jwtauth.Verifier(ISSUER, { replayStore: store })
    const v2 = new jwtauth.Verifier(ISSUER, { replayStore: store })
    const a = jwtauth.signSync(key, 'c1', ISSUER)
    v1.verifySync(a.assertion, registry)
    assert.throws(() => v2.verifySync(a.assertion, registry), (e) => e.code === 'JWTAUTH_REPLAYED')
    assert.equal(store.size, 1)
  })
})

describe('hot calls: arguments checked by class, strings of any length', () => {
  const key = jwtauth.SigningKey.fromSecret(SECRET)
  const meta = { client_id: 'c1', token_endpoint_auth_method: 'client_secret_jwt', client_secret: SECRET }
  const registry = jwtauth.Registry.fromJson({ clients: [meta] })
  const invalid = (e) => e instanceof jwtauth.JwtAuthError && e.code === 'JWTAUTH_INVALID_ARGUMENT'

  test('an object of another class, or one posing as ours, is refused, never used', () => {
    const v = new jwtauth.Verifier(ISSUER)
    const a = () => jwtauth.signSync(key, 'c1', ISSUER).assertion
    const posing = Object.setPrototypeOf({}, jwtauth.Registry.prototype)
    // A Verifier dressed as a Registry: passes instanceof, holds a native Verifier.
    const dressed = Object.setPrototypeOf(new jwtauth.Verifier(ISSUER), jwtauth.Registry.prototype)
    assert.ok(dressed instanceof jwtauth.Registry)
    for (const r of [v, posing, dressed, {}, null, undefined, 42, 'registry']) {
      assert.throws(() => v.verifySync(a(), r), invalid, String(r))
    }
    for (const self of [registry, posing, {}, null]) {
      assert.throws(() => jwtauth.Verifier.prototype.verifySync.call(self, a(), registry), invalid)
    }
    // What counts is the native object, not the prototype: a Verifier is one.
    assert.equal(jwtauth.Verifier.prototype.verifySync.call(dressed, a(), registry).clientId, 'c1')
    const auth = new jwtauth.Authenticator(v, registry)
    assert.throws(() => jwtauth.Authenticator.prototype.authenticateSync.call(v, { body: '' }), invalid)
    assert.throws(() => jwtauth.signSync(registry, 'c1', ISSUER), invalid)
    assert.throws(() => jwtauth.signSync(Object.setPrototypeOf({}, jwtauth.SigningKey.prototype), 'c1', ISSUER), invalid)
    // And the real objects still work.
    assert.equal(v.verifySync(a(), registry).clientId, 'c1')
    assert.equal(auth.authenticateSync({ body: jwtauth.signSync(key, 'c1', ISSUER).formBody }).clientId, 'c1')
  })

  test('assertions as string, Buffer and Uint8Array; long, non-ASCII and non-string ones', () => {
    const v = new jwtauth.Verifier(ISSUER)
    const a = () => jwtauth.signSync(key, 'c1', ISSUER).assertion
    assert.equal(v.verifySync(a(), registry).clientId, 'c1')
    assert.equal(v.verifySync(Buffer.from(a()), registry).clientId, 'c1')
    assert.equal(v.verifySync(new Uint8Array(Buffer.from(a())), registry).clientId, 'c1')
    // Longer than the reused buffer (4 KiB), within the 16 KiB limit: read in full.
    const long = a().replace('.', '.' + 'A'.repeat(6000))
    assert.equal(long.length > 6000, true)
    assert.throws(() => v.verifySync(long, registry), (err) => err.code === 'JWTAUTH_MALFORMED_CLAIMS' || err.code === 'JWTAUTH_INVALID_BASE64')
    assert.throws(() => v.verifySync('x'.repeat(20000), registry), (err) => err.code === 'JWTAUTH_ASSERTION_TOO_LARGE')
    for (const bad of [a() + '\u00e9', a().replace('e', '\u4e41'), 'é'.repeat(5000)]) {
      assert.throws(() => v.verifySync(bad, registry), jwtauth.JwtAuthError)
    }
    for (const bad of [42, null, undefined, {}, ['x']]) {
      assert.throws(() => v.verifySync(bad, registry), invalid, String(bad))
    }
    assert.throws(() => v.verifySync(Buffer.from([0xff, 0xfe]), registry), (err) => err.code === 'JWTAUTH_MALFORMED_JWS')
    // Assertion bytes are request content: whether UTF-8 or not, they are
    // refused by the rule they break (a 401, never an argument error), and
    // neither is recorded or looked up.
    const good = a()
    const withByte = (b) => Buffer.concat([Buffer.from(good.slice(0, 40)), Buffer.from(b), Buffer.from(good.slice(41))])
    assert.throws(() => v.verifySync(withByte([0x80]), registry), (err) => err.code === 'JWTAUTH_INVALID_BASE64')
    assert.throws(() => v.verifySync(withByte([0xc3, 0xa9]), registry), (err) => err.code === 'JWTAUTH_INVALID_BASE64')
    assert.throws(() => v.verifySync(good.slice(0, 40) + '\ud800' + good.slice(41), registry), (err) => err.code === 'JWTAUTH_INVALID_BASE64')
    assert.equal(v.verifySync(good, registry).clientId, 'c1')
  })

  test('a lookup that verifies (nested call) sees its own text', () => {
    const inner = new jwtauth.Verifier(ISSUER)
    const innerToken = jwtauth.signSync(key, 'c1', ISSUER).assertion
    let nested
    const reg = jwtauth.Registry.fromCallback((id) => {
      nested = inner.verifySync(innerToken, registry).jti
      return id === 'c1' ? jwtauth.Client.fromMetadata(meta) : null
    })
    const outer = jwtauth.signSync(key, 'c1', ISSUER)
    const r = new jwtauth.Verifier(ISSUER).verifySync(outer.assertion, reg)
    assert.equal(r.jti, outer.jti)
    assert.equal(nested, JSON.parse(Buffer.from(innerToken.split('.')[1], 'base64url')).jti)
  })

  test('result fields, with and without a key id; texts with quotes, backslashes, NUL, non-ASCII', () => {
    const ec = jwtauth.SigningKey.generate('ES256', { kid: 'k-"1"\\' })
    const odd = 'c"\\ü'
    const reg = jwtauth.Registry.fromJson({ clients: [pkClient(ec, odd), meta] })
    const v = new jwtauth.Verifier(ISSUER)
    const r = v.verifySync(jwtauth.signSync(ec, odd, ISSUER, { jti: 'j\u0000\n"x' }).assertion, reg)
    assert.equal(r.clientId, odd)
    assert.equal(r.jti, 'j\u0000\n"x')
    assert.equal(r.keyId, 'k-"1"\\')
    assert.equal(r.alg, 'ES256')
    assert.equal(r.keyThumbprint, ec.thumbprint)
    assert.equal(typeof r.replayUntil, 'number')
    const s = v.verifySync(jwtauth.signSync(key, 'c1', ISSUER, { jti: 'plain' }).assertion, reg)
    assert.equal(s.keyId, null)
    assert.equal(s.clientId, 'c1')
    assert.equal(s.jti, 'plain')
    assert.ok(s.replayUntil > Date.now() / 1000)
  })
})

describe('token requests', () => {
  const key = jwtauth.SigningKey.generate('EdDSA')
  const registry = jwtauth.Registry.fromJson({
    clients: [pkClient(key), { client_id: 'b', token_endpoint_auth_method: 'client_secret_basic', client_secret: SECRET }],
  })
  const auth = new jwtauth.Authenticator(new jwtauth.Verifier(ISSUER), registry, { realm: 'test' })
  const basic = 'Basic ' + Buffer.from(`b:${SECRET}`).toString('base64')

  test('every shape of request', async () => {
    const fields = () => ({ grant_type: 'client_credentials', ...jwtauth.signSync(key, 'c1', ISSUER).form })
    const shapes = [
      () => ({ body: new URLSearchParams(fields()).toString() }),
      () => ({ body: Buffer.from(new URLSearchParams(fields()).toString()) }),
      () => ({ form: fields() }),
      () => ({ form: Object.entries(fields()) }),
      () => ({ form: new URLSearchParams(fields()) }),
      () => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, form: fields() }),
    ]
    for (const shape of shapes) {
      const a = await auth.authenticate(shape())
      assert.deepEqual([a.clientId, a.method], ['c1', 'private_key_jwt'])
      assert.equal(a.claims.iss, 'c1')
      assert.equal(auth.authenticateSync(shape()).jti.length > 0, true)
    }
    const body = 'grant_type=client_credentials'
    for (const req of [
      { authorization: basic, body },
      { headers: { authorization: basic }, body },
      { headers: { Authorization: basic }, body },
      { headers: new Headers({ Authorization: basic }), body },
    ]) {
      const a = auth.authenticateSync(req)
      assert.deepEqual([a.clientId, a.method, a.claims, a.jti], ['b', 'client_secret_basic', null, null])
    }
  })

  test('malformed requests are refused precisely', async () => {
    const e1 = await refused(() => auth.authenticate({ body: 'grant_type=client_credentials' }))
    assert.equal(e1.oauthError, 'invalid_client')
    const e2 = await refused(() => auth.authenticate({ body: 'client_id=a&client_id=b' }))
    assert.equal(e2.oauthError, 'invalid_request')
    assert.equal(e2.status, 400)
    assert.throws(() => auth.authenticateSync({ body: 'a=b', form: { a: 'b' } }), (e) => e.code === 'JWTAUTH_INVALID_ARGUMENT')
    assert.throws(() => auth.authenticateSync({ form: [['only-one']] }), (e) => e.code === 'JWTAUTH_INVALID_ARGUMENT')
    // Two Authorization headers are never read as one of them.
    const e3 = await refused(() => auth.authenticate({ headers: { authorization: [basic, basic] }, body: 'grant_type=x' }))
    assert.equal(e3.code, 'JWTAUTH_MALFORMED_AUTHORIZATION')
  })
})

describe('credential policy', () => {
  test('checkCredential and checkClient list problems', () => {
    const policy = new jwtauth.CredentialPolicy({ min_rsa_bits: 3072 })
    const rsa = jwtauth.SigningKey.generate('RS256')
    const problems = policy.checkCredential('pem', rsa.publicPem(), 'private_key_jwt')
    assert.ok(problems.length >= 1)
    assert.ok(problems[0].code.startsWith('JWTAUTH_'))
    assert.deepEqual(new jwtauth.CredentialPolicy().checkCredential('pem', rsa.publicPem(), 'private_key_jwt'), [])
    assert.deepEqual(new jwtauth.CredentialPolicy().checkCredential('jwk', rsa.publicJwk(), 'private_key_jwt'), [])
    assert.ok(new jwtauth.CredentialPolicy().checkCredential('secret', 'short', 'client_secret_jwt').length >= 1)
    assert.ok(new jwtauth.CredentialPolicy().checkCredential('jwks_uri', 'http://example.com/jwks', 'private_key_jwt').length >= 1)
    assert.throws(() => policy.checkCredential('cert', 'x', 'private_key_jwt'), (e) => e.code === 'JWTAUTH_INVALID_ARGUMENT')
    assert.deepEqual(new jwtauth.CredentialPolicy().checkClient(pkClient(rsa)), [])
    assert.ok(new jwtauth.CredentialPolicy().checkClient({ client_id: '' }).length >= 1)
  })

  test('registry add/remove', () => {
    const k = jwtauth.SigningKey.generate('ES256')
    const r = new jwtauth.Registry()
    r.add(pkClient(k, 'x'))
    r.add(jwtauth.Client.fromMetadata(pkClient(k, 'y')))
    assert.equal(r.size, 2)
    assert.equal(r.remove('x'), true)
    assert.equal(r.remove('x'), false)
    assert.equal(r.get('y').method, 'private_key_jwt')
    assert.throws(() => jwtauth.Registry.fromCallback(() => null).add(pkClient(k)), (e) => e.code === 'JWTAUTH_INVALID_ARGUMENT')
  })
})

describe('remote JWKS', () => {
  test('a jwks_uri client, fetched over loopback HTTP by the core (async verify)', async () => {
    const { createServer } = await import('node:http')
    const key = jwtauth.SigningKey.generate('ES256', { kid: 'r1' })
    let hits = 0
    const server = createServer((req, res) => {
      hits += 1
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=600' })
      res.end(JSON.stringify({ keys: [key.publicJwk()] }))
    })
    await new Promise((r) => server.listen(0, '127.0.0.1', r))
    const uri = `http://127.0.0.1:${server.address().port}/jwks`
    try {
      const policy = new jwtauth.CredentialPolicy({ jwks_uri_allow_http: true, jwks_uri_allow_private_addresses: true })
      const registry = jwtauth.Registry.fromJson(
        { clients: [{ client_id: 'r', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: uri }] },
        { policy },
      )
      const remote = new jwtauth.RemoteJwks({ allowHttp: true, allowPrivateAddresses: true, timeout: 2 })
      const v = new jwtauth.Verifier(ISSUER, { remoteJwks: remote })
      for (let i = 0; i < 3; i++) {
        assert.equal((await v.verify(jwtauth.signSync(key, 'r', ISSUER).assertion, registry)).keyId, 'r1')
      }
      assert.equal(remote.fetchCount(uri), 1)
      assert.equal(hits, 1)
      // Remote keys refused: the same client cannot authenticate.
      const off = new jwtauth.Verifier(ISSUER, { remoteJwks: false })
      const e = await refused(() => off.verify(jwtauth.signSync(key, 'r', ISSUER).assertion, registry))
      assert.equal(e.oauthError, 'invalid_client')
    } finally {
      server.close()
    }
    assert.throws(() => new jwtauth.RemoteJwks({ minTtl: 100, defaultTtl: 10 }), jwtauth.JwtAuthError)
  })
})

describe('remote JWKS with a JavaScript fetcher', () => {
  const key = jwtauth.SigningKey.generate('EdDSA', { kid: 'f1' })
  const uri = 'https://keys.example.com/jwks'
  const registry = jwtauth.Registry.fromJson({
    clients: [{ client_id: 'f', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: uri }],
  })

  test('answers with a Promise of { body, maxAge } (async verify)', async () => {
    const asked = []
    const remote = new jwtauth.RemoteJwks({
      fetch: async (u) => {
        asked.push(u)
        return { body: JSON.stringify({ keys: [key.publicJwk()] }), maxAge: 600 }
      },
    })
    const v = new jwtauth.Verifier(ISSUER, { remoteJwks: remote })
    for (let i = 0; i < 3; i++) assert.equal((await v.verify(jwtauth.signSync(key, 'f', ISSUER).assertion, registry)).keyId, 'f1')
    assert.deepEqual(asked, [uri])
    assert.equal(remote.fetchCount(uri), 1)
  })

  test('answers with bytes, directly (sync verify)', () => {
    const remote = new jwtauth.RemoteJwks({ fetch: () => Buffer.from(JSON.stringify({ keys: [key.publicJwk()] })) })
    const v = new jwtauth.Verifier(ISSUER, { remoteJwks: remote })
    assert.equal(v.verifySync(jwtauth.signSync(key, 'f', ISSUER).assertion, registry).clientId, 'f')
  })

  test('a failing fetcher refuses the client, never accepts', async () => {
    for (const fetch of [
      () => {
        throw new Error('proxy down')
      },
      async () => {
        throw new Error('proxy down')
      },
      () => 42,
      () => 'not json',
    ]) {
      const v = new jwtauth.Verifier(ISSUER, { remoteJwks: new jwtauth.RemoteJwks({ fetch }) })
      const e = await refused(() => v.verify(jwtauth.signSync(key, 'f', ISSUER).assertion, registry))
      assert.equal(e.code, 'JWTAUTH_JWKS_UNAVAILABLE', e.detail)
      assert.ok(!e.detail.includes('proxy down'))
    }
    // A sync call cannot wait for a Promise.
    const v = new jwtauth.Verifier(ISSUER, { remoteJwks: new jwtauth.RemoteJwks({ fetch: async () => '{"keys":[]}' }) })
    assert.throws(() => v.verifySync(jwtauth.signSync(key, 'f', ISSUER).assertion, registry), (e) => e.code === 'JWTAUTH_JWKS_UNAVAILABLE')
  })
})

describe('RedisReplayStore', () => {
  const key = jwtauth.SigningKey.generate('ES256')
  const registry = jwtauth.Registry.fromJson({ clients: [pkClient(key)] })

  test('fails closed when nothing listens, never showing the URL', async () => {
    const store = new jwtauth.RedisReplayStore('redis://:a-password@127.0.0.1:1/', {
      prefix: 't',
      connectTimeout: 0.2,
      commandTimeout: 0.2,
    })
    assert.equal(store.prefix, 't')
    assert.match(store.key('c1', 'j'), /^t:c1:[0-9a-f]{64}$/)
    const v = new jwtauth.Verifier(ISSUER, { replayStore: store })
    const e = await refused(() => v.verify(jwtauth.signSync(key, 'c1', ISSUER).assertion, registry))
    assert.equal(e.code, 'JWTAUTH_REPLAY_STORE_UNAVAILABLE')
    assert.equal(e.status, 503)
    assert.equal(e.oauthError, 'server_error')
    assert.ok(!e.message.includes('a-password'))
    await assert.rejects(store.ping(), (err) => err.code === 'JWTAUTH_REPLAY_STORE_UNAVAILABLE')
    assert.throws(() => new jwtauth.RedisReplayStore('http://example.com'), (err) => err.code === 'JWTAUTH_INVALID_ARGUMENT')
  })

  // One server, a Redis Cluster, a Sentinel-managed primary (CI starts all three).
  for (const deployment of ['JWTAUTH_REDIS_URL', 'JWTAUTH_REDIS_CLUSTER_URL', 'JWTAUTH_REDIS_SENTINEL_URL']) {
    const url = process.env[deployment]
    test(`two verifiers ("nodes") on one Redis (${deployment}): exactly once`, { skip: url ? false : `${deployment} not set (CI starts the Redis deployments)` }, async () => {
      const nodeA = new jwtauth.Verifier(ISSUER, { replayStore: new jwtauth.RedisReplayStore(url, { prefix: 'jwtauth-node-test' }) })
      const nodeB = new jwtauth.Verifier(ISSUER, { replayStore: new jwtauth.RedisReplayStore(url, { prefix: 'jwtauth-node-test' }) })
      await new jwtauth.RedisReplayStore(url).ping()
      const a = jwtauth.signSync(key, 'c1', ISSUER)
      const results = await Promise.allSettled([nodeA, nodeB, nodeA, nodeB].map((v) => v.verify(a.assertion, registry)))
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
      assert.ok(results.filter((r) => r.status === 'rejected').every((r) => r.reason.code === 'JWTAUTH_REPLAYED'))
    })
  }
})

describe('explain', () => {
  test('walks the rules, agrees with verifySync and records nothing', () => {
    const clock = new jwtauth.FixedClock(1_800_000_000)
    const key = jwtauth.SigningKey.generate('ES256', { kid: 'k1' })
    const registry = jwtauth.Registry.fromJson({
      clients: [{ client_id: 'c1', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key.publicJwk()] } }],
    })
    const v = new jwtauth.Verifier(ISSUER, { clock })
    const a = jwtauth.signSync(key, 'c1', ISSUER, { clock }).assertion
    for (let i = 0; i < 2; i++) {
      const e = v.explain(a, registry)
      assert.deepEqual([e.verdict, e.client_id], ['accepted', 'c1'])
      assert.deepEqual(e.steps.map((s) => s.status), Array(9).fill('pass'))
    }
    assert.equal(v.verifySync(a, registry).clientId, 'c1', 'explaining recorded nothing')
    const again = v.explain(Buffer.from(a), registry)
    assert.deepEqual([again.verdict, again.error], ['refused', 'JWTAUTH_REPLAYED'])
    const wrong = v.explain(jwtauth.signSync(key, 'c1', ISSUER, { clock }).assertion, registry, { clientId: 'c2' })
    const failed = wrong.steps.find((s) => s.status === 'fail')
    assert.equal(failed.name, 'client')
    assert.match(failed.fix, /same client_id/)
  })
})

describe('Authenticator explain', () => {
  test('a request, step by step, with the response a refusal gets', () => {
    const registry = jwtauth.Registry.fromJson({
      clients: [{ client_id: 'web', token_endpoint_auth_method: 'client_secret_basic', client_secret: 'a-secret-of-enough-length' }],
    })
    const auth = new jwtauth.Authenticator(new jwtauth.Verifier(ISSUER), registry)
    const basic = (secret) => 'Basic ' + Buffer.from(`web:${secret}`).toString('base64')
    const wrong = auth.explain({ headers: { authorization: basic('nope') }, body: 'grant_type=client_credentials' })
    assert.deepEqual(wrong.steps.map((s) => [s.name, s.status]), [
      ['form', 'pass'], ['mechanism', 'pass'], ['basic', 'pass'], ['client', 'pass'], ['secret', 'fail'], ['policy', 'not_reached'],
    ])
    assert.deepEqual([wrong.error, wrong.response.status], ['JWTAUTH_INVALID_SECRET', 401])
    const ok = auth.explain({ authorization: basic('a-secret-of-enough-length'), form: { grant_type: 'client_credentials' } })
    assert.deepEqual([ok.verdict, ok.client_id, ok.method], ['accepted', 'web', 'client_secret_basic'])
  })
})
