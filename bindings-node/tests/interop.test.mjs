// Interop both ways with the widely used Node JWT libraries: assertions
// signed by `jose`, `fast-jwt` and `jsonwebtoken` verify here; assertions
// signed here verify with `jose` and `fast-jwt`.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto'

import * as jose from 'jose'
import { createSigner, createVerifier } from 'fast-jwt'
import jsonwebtoken from 'jsonwebtoken'
import * as jwtauth from 'jwtauth'
import { load, refused } from './helpers.mjs'

const ISSUER = 'https://as.example.com'
const TOKEN_ENDPOINT = 'https://as.example.com/token'
const SECRET = 'an-hmac-secret-of-at-least-32-bytes-0123456789'

// alg → a node:crypto key pair of the right kind.
function keyPair(alg) {
  if (alg.startsWith('RS') || alg.startsWith('PS')) return generateKeyPairSync('rsa', { modulusLength: 2048 })
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519')
  const curve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg]
  return generateKeyPairSync('ec', { namedCurve: curve })
}

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']

function registryFor(clientId, alg, publicKey) {
  const meta =
    alg === 'HS256'
      ? { client_id: clientId, token_endpoint_auth_method: 'client_secret_jwt', client_secret: SECRET }
      : {
          client_id: clientId,
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1' }] },
        }
  return jwtauth.Registry.fromJson({ clients: [meta] })
}

function claims(clientId, aud = ISSUER) {
  const now = Math.floor(Date.now() / 1000)
  return { iss: clientId, sub: clientId, aud, iat: now, exp: now + 60, jti: randomUUID() }
}

describe('jose signs, jwtauth verifies', () => {
  for (const alg of [...ASYMMETRIC, 'HS256']) {
    test(alg, async () => {
      const pair = alg === 'HS256' ? null : keyPair(alg)
      const registry = registryFor('c-jose', alg, pair?.publicKey)
      const key = alg === 'HS256' ? new TextEncoder().encode(SECRET) : pair.privateKey
      const c = claims('c-jose', TOKEN_ENDPOINT)
      const jwt = await new jose.SignJWT(c).setProtectedHeader({ alg, kid: 'k1' }).sign(key)
      const v = new jwtauth.Verifier(ISSUER, { tokenEndpoint: TOKEN_ENDPOINT })
      const r = await v.verify(jwt, registry)
      assert.equal(r.clientId, 'c-jose')
      assert.equal(r.jti, c.jti)
      assert.equal(r.alg, alg)
      // The same assertion twice: a replay.
      const e = await refused(() => v.verify(jwt, registry))
      assert.equal(e.code, 'JWTAUTH_REPLAYED')
    })
  }

  test('a tampered payload is refused', async () => {
    const pair = keyPair('ES256')
    const registry = registryFor('c-jose', 'ES256', pair.publicKey)
    const jwt = await new jose.SignJWT(claims('c-jose')).setProtectedHeader({ alg: 'ES256' }).sign(pair.privateKey)
    const [h, p, s] = jwt.split('.')
    const other = Buffer.from(JSON.stringify({ ...claims('c-jose'), exp: 4102444800 })).toString('base64url')
    const e = await refused(() => new jwtauth.Verifier(ISSUER).verify(`${h}.${other}.${s}`, registry))
    assert.equal(e.code, 'JWTAUTH_SIGNATURE_INVALID')
    assert.ok(p)
  })

  test('a certificate credential named by x5t#S256 (as Entra ID and Auth0 register it)', async () => {
    // The shared test key rsa-a and its certificate, registered as a JWK with
    // kid, x5c, x5t and x5t#S256; jose signs with only x5t#S256 in the header.
    const k = load('keys.json').keys['rsa-a']
    const der = Buffer.from(k.cert_pem.split('-----')[2].replace(/\s/g, ''), 'base64')
    const jwk = { ...k.jwk, kid: 'entra-key-1', x5c: [der.toString('base64')], x5t: k.x5t, 'x5t#S256': k['x5t#S256'] }
    const registry = jwtauth.Registry.fromJson({ clients: [{ client_id: 'c-cert', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } }] })
    const key = createPrivateKey(k.private_pkcs8_pem)
    const v = new jwtauth.Verifier(ISSUER, { tokenEndpoint: TOKEN_ENDPOINT })
    for (const header of [{ alg: 'RS256', 'x5t#S256': k['x5t#S256'] }, { alg: 'PS256', x5t: k.x5t }, { alg: 'RS256', x5c: [der.toString('base64')] }]) {
      const jwt = await new jose.SignJWT(claims('c-cert', TOKEN_ENDPOINT)).setProtectedHeader(header).sign(key)
      assert.equal((await v.verify(jwt, registry)).clientId, 'c-cert', JSON.stringify(Object.keys(header)))
      assert.equal((await refused(() => v.verify(jwt, registry))).code, 'JWTAUTH_REPLAYED')
    }
  })

  test("jose's unsecured JWT (alg none) is refused", async () => {
    const pair = keyPair('ES256')
    const registry = registryFor('c-jose', 'ES256', pair.publicKey)
    const jwt = new jose.UnsecuredJWT(claims('c-jose')).encode()
    const e = await refused(() => new jwtauth.Verifier(ISSUER).verify(jwt, registry))
    assert.equal(e.oauthError, 'invalid_client')
    assert.equal(e.status, 401)
  })
})

describe('jwtauth signs, jose verifies', () => {
  for (const alg of [...ASYMMETRIC, 'HS256']) {
    test(alg, async () => {
      const key = alg === 'HS256' ? jwtauth.SigningKey.fromSecret(SECRET, 'HS256') : jwtauth.SigningKey.generate(alg)
      const a = await jwtauth.sign(key, 'c-ours', TOKEN_ENDPOINT)
      const verifyKey = alg === 'HS256' ? new TextEncoder().encode(SECRET) : await jose.importJWK(key.publicJwk(), alg)
      const { payload, protectedHeader } = await jose.jwtVerify(a.assertion, verifyKey, {
        issuer: 'c-ours',
        subject: 'c-ours',
        audience: TOKEN_ENDPOINT,
        typ: 'client-authentication+jwt',
        algorithms: [alg === 'EdDSA' ? 'EdDSA' : alg],
        maxTokenAge: '5m',
      })
      assert.equal(payload.jti, a.jti)
      assert.equal(payload.exp - payload.iat, 60)
      assert.equal(protectedHeader.alg, alg)
      if (alg !== 'HS256') assert.equal(protectedHeader.kid, key.kid ?? key.thumbprint)
    })
  }
})

describe('fast-jwt', () => {
  for (const alg of ['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA', 'HS256']) {
    test(`fast-jwt signs ${alg}, jwtauth verifies`, async () => {
      const pair = alg === 'HS256' ? null : keyPair(alg)
      const registry = registryFor('c-fast', alg, pair?.publicKey)
      const key = alg === 'HS256' ? SECRET : pair.privateKey.export({ format: 'pem', type: 'pkcs8' })
      const signer = createSigner({ key, algorithm: alg, kid: alg === 'HS256' ? undefined : 'k1' })
      const jwt = signer(claims('c-fast'))
      const r = new jwtauth.Verifier(ISSUER).verifySync(jwt, registry)
      assert.equal(r.clientId, 'c-fast')
    })

    test(`jwtauth signs ${alg}, fast-jwt verifies`, () => {
      const key = alg === 'HS256' ? jwtauth.SigningKey.fromSecret(SECRET, 'HS256') : jwtauth.SigningKey.generate(alg)
      const a = jwtauth.signSync(key, 'c-ours', ISSUER)
      const verifyKey = alg === 'HS256' ? SECRET : key.publicPem()
      const payload = createVerifier({ key: verifyKey, algorithms: [alg], allowedIss: 'c-ours', allowedSub: 'c-ours', allowedAud: ISSUER })(a.assertion)
      assert.equal(payload.jti, a.jti)
    })
  }
})

describe('jsonwebtoken signs, jwtauth verifies', () => {
  for (const alg of ['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'HS256']) {
    test(alg, () => {
      const pair = alg === 'HS256' ? null : keyPair(alg)
      const registry = registryFor('c-jwt', alg, pair?.publicKey)
      const key = alg === 'HS256' ? SECRET : pair.privateKey
      const c = claims('c-jwt')
      const jwt = jsonwebtoken.sign(c, key, alg === 'HS256' ? { algorithm: alg } : { algorithm: alg, keyid: 'k1' })
      const r = new jwtauth.Verifier(ISSUER).verifySync(jwt, registry)
      assert.equal(r.jti, c.jti)
    })
  }
})

test("a certificate key: jose's x5t matches ours", async () => {
  // The certificate of keys.json (made by pyca/cryptography) as an X.509 key.
  const { load } = await import('./helpers.mjs')
  const k = load('keys.json').keys['rsa-a']
  const ours = jwtauth.VerifyingKey.fromPem(k.cert_pem)
  const theirs = await jose.calculateJwkThumbprint(await jose.exportJWK(createPublicKey(k.cert_pem)))
  assert.equal(ours.thumbprint, theirs)
  assert.equal(ours.x5t, k.x5t)
})
