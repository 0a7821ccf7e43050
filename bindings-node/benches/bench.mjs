#!/usr/bin/env node
// Verify and sign per algorithm through the public API: jwtauth (sync and
// async) and the Node peers jose, fast-jwt and jsonwebtoken, all in one run on
// the same tokens. Prints markdown tables (µs per operation, medians over
// interleaved rounds; the hand-off and the peer ratio are medians of
// per-round values) for docs/PERFORMANCE.md.
//
//     bash bindings-node/tests/run.sh              # builds the addon
//     node bindings-node/benches/bench.mjs  # ROUNDS=21 by default
//
// Peers verify with a pre-parsed key object and check the audience where
// their API does it in the same call; jwtauth additionally runs every
// docs/SECURITY.md rule and records the jti in its replay store, so it does more
// work. "async" is one call at a time (await each): its cost over the sync
// call is the hand-off to a worker thread and back; "async ×64" keeps 64
// calls in flight and reports wall time per operation.
import { generateKeyPairSync, randomUUID, createSecretKey } from 'node:crypto'

import * as jose from 'jose'
import { createSigner, createVerifier } from 'fast-jwt'
import jsonwebtoken from 'jsonwebtoken'
import * as jwtauth from 'jwtauth'

const ISSUER = 'https://as.example.com'
const SECRET = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'
const ROUNDS = Number(process.env.ROUNDS ?? 21)
const POOL = { RS256: 400, ES256: 200, EdDSA: 300, HS256: 4000 }
const ALGS = (process.env.ALGS ?? 'RS256,ES256,EdDSA,HS256').split(',')

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

function keyPair(alg) {
  if (alg === 'RS256') return generateKeyPairSync('rsa', { modulusLength: 2048 })
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return generateKeyPairSync('ed25519')
}

async function setup(alg) {
  const n = POOL[alg]
  let ours, registryMeta, nodePriv, nodePub, pemPriv, pemPub
  if (alg === 'HS256') {
    ours = jwtauth.SigningKey.fromSecret(SECRET, 'HS256')
    registryMeta = { client_id: 'c1', token_endpoint_auth_method: 'client_secret_jwt', client_secret: SECRET }
    nodePriv = nodePub = createSecretKey(Buffer.from(SECRET))
    pemPriv = pemPub = SECRET
  } else {
    const pair = keyPair(alg)
    pemPriv = pair.privateKey.export({ format: 'pem', type: 'pkcs8' })
    pemPub = pair.publicKey.export({ format: 'pem', type: 'spki' })
    ours = jwtauth.SigningKey.fromPem(pemPriv)
    registryMeta = { client_id: 'c1', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [ours.publicJwk()] } }
    nodePriv = pair.privateKey
    nodePub = pair.publicKey
  }
  const registry = jwtauth.Registry.fromJson({ clients: [registryMeta] })
  // The same tokens for everyone: signed by jwtauth, unique jti each.
  const tokens = Array.from({ length: n }, () => jwtauth.signSync(ours, 'c1', ISSUER).assertion)
  const joseAlg = alg
  const fastVerify = createVerifier({ key: pemPub, algorithms: [alg], allowedAud: ISSUER, cache: false })
  const fastSign = createSigner({ key: pemPriv, algorithm: alg })
  return { n, ours, registry, tokens, nodePriv, nodePub, joseAlg, fastVerify, fastSign }
}

// Time `fn(i)` over the pool; µs per operation.
function timeSync(n, fn) {
  const t = process.hrtime.bigint()
  for (let i = 0; i < n; i++) fn(i)
  return Number(process.hrtime.bigint() - t) / 1e3 / n
}

async function timeAsync(n, fn) {
  const t = process.hrtime.bigint()
  for (let i = 0; i < n; i++) await fn(i)
  return Number(process.hrtime.bigint() - t) / 1e3 / n
}

async function timeConcurrent(n, fn, width = 64) {
  const t = process.hrtime.bigint()
  let next = 0
  const lane = async () => {
    while (next < n) await fn(next++)
  }
  await Promise.all(Array.from({ length: width }, lane))
  return Number(process.hrtime.bigint() - t) / 1e3 / n
}

const claimsFor = () => {
  const now = Math.floor(Date.now() / 1000)
  return { iss: 'c1', sub: 'c1', aud: ISSUER, iat: now, exp: now + 60, jti: randomUUID() }
}

async function benchAlg(alg) {
  const s = await setup(alg)
  const fresh = () => new jwtauth.Verifier(ISSUER) // a fresh replay store per round
  const contenders = {
    verify: {
      'jwtauth sync': () => {
        const v = fresh()
        return timeSync(s.n, (i) => v.verifySync(s.tokens[i], s.registry))
      },
      'jwtauth async': () => {
        const v = fresh()
        return timeAsync(s.n, (i) => v.verify(s.tokens[i], s.registry))
      },
      'jwtauth async ×64': () => {
        const v = fresh()
        return timeConcurrent(s.n, (i) => v.verify(s.tokens[i], s.registry))
      },
      'fast-jwt': () => timeSync(s.n, (i) => s.fastVerify(s.tokens[i])),
      jose: () => timeAsync(s.n, (i) => jose.jwtVerify(s.tokens[i], s.nodePub, { audience: ISSUER, algorithms: [s.joseAlg] })),
      jsonwebtoken: () => timeSync(s.n, (i) => jsonwebtoken.verify(s.tokens[i], s.nodePub, { audience: ISSUER, algorithms: [alg] })),
    },
    sign: {
      'jwtauth sync': () => timeSync(s.n, () => jwtauth.signSync(s.ours, 'c1', ISSUER)),
      'jwtauth async': () => timeAsync(s.n, () => jwtauth.sign(s.ours, 'c1', ISSUER)),
      'jwtauth async ×64': () => timeConcurrent(s.n, () => jwtauth.sign(s.ours, 'c1', ISSUER)),
      'fast-jwt': () => timeSync(s.n, () => s.fastSign(claimsFor())),
      jose: () => timeAsync(s.n, () => new jose.SignJWT(claimsFor()).setProtectedHeader({ alg }).sign(s.nodePriv)),
      jsonwebtoken: () => timeSync(s.n, () => jsonwebtoken.sign(claimsFor(), s.nodePriv, { algorithm: alg })),
    },
  }
  if (alg === 'EdDSA') {
    // jsonwebtoken has no EdDSA.
    delete contenders.verify.jsonwebtoken
    delete contenders.sign.jsonwebtoken
  }
  const out = {}
  for (const [op, fns] of Object.entries(contenders)) {
    const names = Object.keys(fns)
    const samples = Object.fromEntries(names.map((k) => [k, []]))
    const diffs = { async: [] }
    const peerRatios = []
    const peerNames = names.filter((k) => ['fast-jwt', 'jose', 'jsonwebtoken'].includes(k))
    for (const name of names) await fns[name]() // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      // Interleaved, the order rotated each round: drift of the machine hits all alike.
      const order = names.map((_, i) => names[(i + r) % names.length])
      const got = {}
      for (const name of order) got[name] = await fns[name]()
      for (const name of names) samples[name].push(got[name])
      diffs.async.push(got['jwtauth async'] - got['jwtauth sync'])
      peerRatios.push(Math.min(...peerNames.map((k) => got[k])) / got['jwtauth sync'])
    }
    out[op] = {
      med: Object.fromEntries(names.map((k) => [k, median(samples[k])])),
      handoff: median(diffs.async),
      peerRatio: median(peerRatios),
    }
  }
  return out
}

const fmt = (x) => (x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))

const results = {}
for (const alg of ALGS) results[alg] = await benchAlg(alg)
if (process.argv.includes('--json')) {
  const doc = { node: process.version, rounds: ROUNDS }
  for (const op of ['verify', 'sign']) {
    doc[op] = Object.fromEntries(ALGS.map((alg) => {
      const r = results[alg][op]
      return [alg, { ...r.med, handoff: r.handoff, fastest_peer_over_jwtauth: r.peerRatio }]
    }))
  }
  console.log(JSON.stringify(doc))
  process.exit(0)
}
for (const op of ['verify', 'sign']) {
  console.log(`\n**${op}** (µs per operation, medians of ${ROUNDS} interleaved rounds; Node ${process.version})\n`)
  console.log('| alg | jwtauth sync | jwtauth async | async − sync (hand-off) | async ×64 | fast-jwt | jose (async) | jsonwebtoken | fastest peer ÷ jwtauth sync |')
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const alg of ALGS) {
    const r = results[alg][op]
    const m = r.med
    console.log(
      `| ${alg} | ${fmt(m['jwtauth sync'])} | ${fmt(m['jwtauth async'])} | ${fmt(r.handoff)} | ${fmt(m['jwtauth async ×64'])} | ` +
        `${fmt(m['fast-jwt'])} | ${fmt(m.jose)} | ${fmt(m.jsonwebtoken)} | ${r.peerRatio.toFixed(2)}× |`,
    )
  }
}
