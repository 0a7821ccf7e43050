// A real openid-client (v6, panva) authenticating to bindings-node/examples/ on
// 127.0.0.1 with each method: PrivateKeyJwt (RS256, ES256, EdDSA),
// ClientSecretJwt, ClientSecretBasic, ClientSecretPost; and refused when
// the credentials are wrong.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'

import * as client from 'openid-client'
import * as jose from 'jose'
import { serve } from '../examples/token_endpoint.mjs'

const SECRET = 'a-client-secret-of-enough-length-0123456789'
const log = []
let endpoint
let keys

before(async () => {
  keys = {}
  for (const alg of ['RS256', 'ES256', 'EdDSA']) keys[alg] = await jose.generateKeyPair(alg, { extractable: true })
  const jwks = {}
  for (const alg of Object.keys(keys)) jwks[alg] = await jose.exportJWK(keys[alg].publicKey)
  const pk = (alg) => ({
    client_id: `pkjwt-${alg}`,
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [{ ...jwks[alg], kid: `${alg}-key` }] },
  })
  endpoint = await serve({
    port: 0,
    log: (m) => log.push(m),
    clients: {
      clients: [
        ...Object.keys(keys).map(pk),
        { client_id: 'csjwt', token_endpoint_auth_method: 'client_secret_jwt', client_secret: SECRET },
        { client_id: 'basic', token_endpoint_auth_method: 'client_secret_basic', client_secret: SECRET },
        { client_id: 'post', token_endpoint_auth_method: 'client_secret_post', client_secret: SECRET },
      ],
    },
  })
})

after(() => endpoint.close())

async function config(clientId, auth) {
  // Discovery over plain HTTP on loopback (allowInsecureRequests).
  return client.discovery(new URL(endpoint.issuer), clientId, undefined, auth, {
    execute: [client.allowInsecureRequests],
    algorithm: 'oauth2',
  })
}

for (const alg of ['RS256', 'ES256', 'EdDSA']) {
  test(`PrivateKeyJwt ${alg}`, async () => {
    const auth = client.PrivateKeyJwt({ key: keys[alg].privateKey, kid: `${alg}-key` })
    const tokens = await client.clientCredentialsGrant(await config(`pkjwt-${alg}`, auth))
    assert.equal(tokens.token_type, 'bearer')
    assert.ok(tokens.access_token.length > 20)
    assert.ok(log.includes(`issued a token to pkjwt-${alg} (private_key_jwt)`))
  })
}

test('ClientSecretJwt', async () => {
  const tokens = await client.clientCredentialsGrant(await config('csjwt', client.ClientSecretJwt(SECRET)))
  assert.ok(tokens.access_token)
  assert.ok(log.includes('issued a token to csjwt (client_secret_jwt)'))
})

test('ClientSecretBasic', async () => {
  const tokens = await client.clientCredentialsGrant(await config('basic', client.ClientSecretBasic(SECRET)))
  assert.ok(tokens.access_token)
  assert.ok(log.includes('issued a token to basic (client_secret_basic)'))
})

test('ClientSecretPost', async () => {
  const tokens = await client.clientCredentialsGrant(await config('post', client.ClientSecretPost(SECRET)))
  assert.ok(tokens.access_token)
  assert.ok(log.includes('issued a token to post (client_secret_post)'))
})

test('a wrong key is refused with invalid_client', async () => {
  const other = await jose.generateKeyPair('ES256', { extractable: true })
  const auth = client.PrivateKeyJwt({ key: other.privateKey, kid: 'ES256-key' })
  await assert.rejects(client.clientCredentialsGrant(await config('pkjwt-ES256', auth)), (e) => {
    assert.equal(e.error, 'invalid_client')
    assert.equal(e.status, 401)
    return true
  })
  assert.ok(log.some((m) => m.startsWith('refused: JWTAUTH_')))
})

test('a wrong secret is refused, with WWW-Authenticate for basic', async () => {
  await assert.rejects(
    client.clientCredentialsGrant(await config('basic', client.ClientSecretBasic('not-the-secret-0123456789012345'))),
    (e) => {
      // A 401 with a challenge: openid-client reports the challenge itself.
      assert.equal(e.code, 'OAUTH_WWW_AUTHENTICATE_CHALLENGE')
      assert.equal(e.status, 401)
      assert.equal(e.cause[0].scheme, 'basic')
      assert.equal(e.cause[0].parameters.realm, endpoint.issuer)
      return true
    },
  )
})
