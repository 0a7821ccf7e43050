// JWT bearer grants (RFC 7523 §2.1) with assertions made by `jose`: a CI
// job's OIDC token and a Kubernetes service-account token exchanged against
// a trust table; refusals by code.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'

import * as jose from 'jose'
import * as jwtauth from 'jwtauth'

const AS = 'https://as.example.com'
const CI = 'https://ci.example.com'
const K8S = 'https://kubernetes.default.svc.cluster.local'
const ci = await jose.generateKeyPair('ES256', { extractable: true })
const k8s = await jose.generateKeyPair('RS256', { extractable: true })
const jwk = async (k, kid) => ({ ...(await jose.exportJWK(k.publicKey)), kid })
const table = jwtauth.TrustTable.fromJson({
  issuers: [
    { issuer: CI, jwks: { keys: [await jwk(ci, 'ci-1')] }, subject_prefixes: ['repo:example-org/'], audience: ['issuer'] },
    { issuer: K8S, jwks: { keys: [await jwk(k8s, 'k8s-1')] }, subjects: ['system:serviceaccount:payments:api'], require_jti: false, max_age: 3600, max_lifetime: 86400 },
  ],
})
const now = () => Math.floor(Date.now() / 1000)
const ciToken = (over = {}) =>
  new jose.SignJWT({ sub: 'repo:example-org/app:ref:refs/heads/main', workflow: 'deploy', jti: randomUUID(), ...over })
    .setProtectedHeader({ alg: 'ES256', kid: 'ci-1' })
    .setIssuer(over.iss ?? CI)
    .setAudience(over.aud ?? AS)
    .setIssuedAt()
    .setExpirationTime(over.exp ?? now() + 300)
    .sign(ci.privateKey)

test('a CI token and a service-account token are granted', async () => {
  const v = new jwtauth.Verifier(AS, { tokenEndpoint: `${AS}/token` })
  const g = v.verifyGrantSync(await ciToken(), table)
  assert.deepEqual([g.issuer, g.subject, g.claims.workflow], [CI, 'repo:example-org/app:ref:refs/heads/main', 'deploy'])
  const sa = await new jose.SignJWT({ sub: 'system:serviceaccount:payments:api', 'kubernetes.io': { namespace: 'payments' } })
    .setProtectedHeader({ alg: 'RS256', kid: 'k8s-1' })
    .setIssuer(K8S)
    .setAudience(['https://kubernetes.default.svc', `${AS}/token`])
    .setIssuedAt(now() - 60)
    .setExpirationTime(now() + 3600)
    .sign(k8s.privateKey)
  const s = v.verifyGrantSync(sa, table)
  assert.deepEqual([s.subject, s.jti], ['system:serviceaccount:payments:api', null])
  assert.equal(table.size, 2)
})

test('refusals name the rule; a jti is used once', async () => {
  const store = new jwtauth.MemoryReplayStore()
  const v = new jwtauth.Verifier(AS, { replayStore: store })
  for (const [over, code] of [
    [{ iss: 'https://evil.example' }, 'JWTAUTH_UNTRUSTED_ISSUER'],
    [{ sub: 'repo:other-org/app' }, 'JWTAUTH_SUBJECT_NOT_ALLOWED'],
    [{ aud: `${AS}/token` }, 'JWTAUTH_AUDIENCE_MISMATCH'],
    [{ exp: now() - 120 }, 'JWTAUTH_EXPIRED'],
  ]) {
    const token = await ciToken(over)
    assert.throws(() => v.verifyGrantSync(token, table), (e) => e instanceof jwtauth.JwtAuthError && e.code === code, code)
  }
  const once = await ciToken()
  v.verifyGrantSync(once, table)
  const other = new jwtauth.Verifier(AS, { replayStore: store })
  assert.throws(() => other.verifyGrantSync(once, table), (e) => e.code === 'JWTAUTH_REPLAYED')
  assert.equal(jwtauth.CODES.JWTAUTH_UNTRUSTED_ISSUER.oauthError, 'invalid_grant')
})

test('a trust table with problems lists them', () => {
  assert.throws(
    () => jwtauth.TrustTable.fromJson({ issuers: [{ issuer: CI, jwks_uri: 'http://ci.example.com/jwks' }] }),
    (e) => {
      const where = e.problems.map((p) => p.location)
      return where.includes('/issuers/0/subjects') && where.includes('/issuers/0/jwks_uri')
    },
  )
})

const SECRET = 'a-client-secret-of-enough-length-0123456789'
const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const basic = 'Basic ' + Buffer.from(`worker:${SECRET}`).toString('base64')
function authenticator(trust, verifierOptions = {}) {
  const registry = jwtauth.Registry.fromJson({
    clients: [{ client_id: 'worker', token_endpoint_auth_method: 'client_secret_basic', client_secret: SECRET }],
  })
  return new jwtauth.Authenticator(new jwtauth.Verifier(AS, { tokenEndpoint: `${AS}/token`, ...verifierOptions }), registry, { trust })
}

test('a grant request returns the client and the grant (sync and async)', async () => {
  const a = authenticator(table)
  const r = a.authenticateGrantSync({ authorization: basic, form: { grant_type: GRANT, assertion: await ciToken(), scope: 'deploy' } })
  assert.deepEqual([r.client.clientId, r.client.method, r.grant.issuer, r.grant.subject], ['worker', 'client_secret_basic', CI, 'repo:example-org/app:ref:refs/heads/main'])
  const body = new URLSearchParams({ grant_type: GRANT, assertion: await ciToken() }).toString()
  const s = await a.authenticateGrant({ headers: { authorization: basic }, body })
  assert.equal(s.grant.claims.workflow, 'deploy')
  // No client authentication: invalid_client, 401; the grant's jti is not spent.
  const form = { grant_type: GRANT, assertion: await ciToken() }
  assert.throws(() => a.authenticateGrantSync({ form }), (e) => e.code === 'JWTAUTH_NO_CLIENT_AUTHENTICATION' && e.status === 401)
  assert.equal(a.authenticateGrantSync({ authorization: basic, form }).grant.issuer, CI)
  // Request errors: invalid_request.
  assert.throws(() => a.authenticateGrantSync({ authorization: basic, form: { ...form, refresh_token: 'r' } }), (e) => e.code === 'JWTAUTH_MULTIPLE_GRANTS' && e.oauthError === 'invalid_request')
  assert.throws(() => a.authenticateGrantSync({ authorization: basic, form: { ...form, assertion: [form.assertion, 'x'] } }), (e) => e.code === 'JWTAUTH_REPEATED_PARAMETER')
  // A refused grant: invalid_grant, 400, whatever rule failed.
  for (const [over, code] of [[{ sub: 'repo:x/y' }, 'JWTAUTH_SUBJECT_NOT_ALLOWED'], [{ exp: now() - 100 }, 'JWTAUTH_EXPIRED']]) {
    await assert.rejects(a.authenticateGrant({ authorization: basic, form: { grant_type: GRANT, assertion: await ciToken(over) } }), (e) => {
      const r = e.response()
      return e.code === code && e.oauthError === 'invalid_grant' && e.category === 'invalid_grant' && r.status === 400 && !('www-authenticate' in r.headers)
    })
  }
})

test('anonymous grants, verifyGrant on a worker, explainGrant', async () => {
  const open = jwtauth.TrustTable.fromJson({
    client_authentication: 'optional',
    issuers: [{ issuer: CI, jwks: { keys: [await jwk(ci, 'ci-1')] }, subject_prefixes: ['repo:example-org/'] }],
  })
  const a = authenticator(open)
  const r = await a.authenticateGrant({ form: { grant_type: GRANT, assertion: await ciToken() } })
  assert.equal(r.client, null)
  assert.equal(r.grant.issuer, CI)
  const v = new jwtauth.Verifier(AS)
  const g = await v.verifyGrant(await ciToken({ workflow: 'release' }), table)
  assert.deepEqual([g.issuer, g.claims.workflow], [CI, 'release'])
  await assert.rejects(v.verifyGrant(await ciToken({ iss: 'https://evil.example' }), table), (e) => e.code === 'JWTAUTH_UNTRUSTED_ISSUER' && e.status === 400)
  const x = v.explainGrant(await ciToken({ sub: 'repo:other-org/app' }), table)
  assert.equal(x.error, 'JWTAUTH_SUBJECT_NOT_ALLOWED')
  assert.deepEqual(x.steps.filter((s) => s.status === 'fail').map((s) => s.name), ['subject'])
  const ok = v.explainGrant(await ciToken(), table)
  assert.deepEqual([ok.verdict, ok.issuer, ok.subject], ['accepted', CI, 'repo:example-org/app:ref:refs/heads/main'])
})

test('the library signs a grant (subject)', async () => {
  const key = jwtauth.SigningKey.generate('ES256', { kid: 'svc-1' })
  const t = jwtauth.TrustTable.fromJson({ issuers: [{ issuer: 'https://svc.example', jwks: { keys: [key.publicJwk()] }, subjects: ['batch-job'] }] })
  const g = await jwtauth.sign(key, 'https://svc.example', AS, { subject: 'batch-job' })
  assert.equal(g.subject, 'batch-job')
  assert.deepEqual(g.form, { grant_type: jwtauth.JWT_BEARER_GRANT_TYPE, assertion: g.assertion })
  assert.equal(jose.decodeProtectedHeader(g.assertion).typ, 'JWT')
  const v = new jwtauth.Verifier(AS)
  assert.deepEqual([v.verifyGrantSync(g.assertion, t).subject], ['batch-job'])
  const c = jwtauth.signSync(key, 'client-1', AS)
  assert.equal(c.subject, null)
  assert.ok('client_assertion' in c.form)
})

test('subjects "host": the subject hook decides, and fails closed', async () => {
  const seen = []
  const hosted = (hook) =>
    jwtauth.TrustTable.fromJson(
      { issuers: [{ issuer: CI, jwks: { keys: [jwk_ci] }, subjects: 'host' }] },
      { subjectHook: hook },
    )
  const jwk_ci = await jwk(ci, 'ci-1')
  const v = new jwtauth.Verifier(AS)
  const allowOrg = hosted((c) => {
    seen.push(c)
    return c.subject.startsWith('repo:example-org/')
  })
  assert.equal(v.verifyGrantSync(await ciToken(), allowOrg).issuer, CI)
  assert.deepEqual(seen[0], { issuer: CI, subject: 'repo:example-org/app:ref:refs/heads/main' })
  const other = await ciToken({ sub: 'repo:x/y' })
  assert.throws(() => v.verifyGrantSync(other, allowOrg), (e) => e.code === 'JWTAUTH_SUBJECT_NOT_ALLOWED')
  // A Promise answers in the async call.
  assert.equal((await v.verifyGrant(await ciToken(), hosted(async () => true))).issuer, CI)
  // A throw, a rejection or a non-boolean answer: HOOK_FAILED (503), whatever the subject.
  for (const hook of [() => { throw new Error('db down') }, async () => { throw new Error('db down') }, () => 'yes', () => 1, () => null]) {
    await assert.rejects(v.verifyGrant(await ciToken(), hosted(hook)), (e) => e.code === 'JWTAUTH_HOOK_FAILED' && e.status === 503, String(hook))
  }
  // A Promise in a sync call is not an answer.
  const token = await ciToken()
  assert.throws(() => v.verifyGrantSync(token, hosted(async () => true)), (e) => e.code === 'JWTAUTH_HOOK_FAILED')
})
