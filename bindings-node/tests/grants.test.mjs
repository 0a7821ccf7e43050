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
