#!/usr/bin/env node
// Verify and sign per algorithm: the Rust core (looped in Rust), the jwtauth
// Node binding (sync and async), and the Node peers jose, fast-jwt and
// jsonwebtoken, all in one run on the same tokens. Prints markdown tables
// (µs per operation, medians over interleaved rounds; "sync − core", the
// hand-off and the peer ratio are medians of per-round values) for the README.
//
//     bash tests/node/run.sh              # builds the addon
//     node bindings-node/bench/bench.mjs  # ROUNDS=21, PAIRS=3000 by default
//
// Peers verify with a pre-parsed key object and check the audience where
// their API does it in the same call; jwtauth additionally runs every
// docs/SECURITY.md rule and records the jti in its replay store, so it does more
// work. "async" is one call at a time (await each): its cost over the sync
// call is the hand-off to a worker thread and back; "async ×64" keeps 64
// calls in flight and reports wall time per operation.
import { createRequire } from 'node:module'
import { generateKeyPairSync, randomUUID, createSecretKey, randomFill } from 'node:crypto'
import { promisify } from 'node:util'
import { availableParallelism } from 'node:os'

import * as jose from 'jose'
import { createSigner, createVerifier } from 'fast-jwt'
import jsonwebtoken from 'jsonwebtoken'
import * as jwtauth from 'jwtauth'

const native = createRequire(import.meta.url)('../binding.js')
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
      core: () => native._benchCoreVerify(fresh(), s.registry, s.tokens) * 1e6 / s.n,
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
      core: () => native._benchCoreSign(s.ours, 'c1', ISSUER, s.n) * 1e6 / s.n,
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
    const diffs = { sync: [], async: [] }
    const peerRatios = []
    const peerNames = names.filter((k) => ['fast-jwt', 'jose', 'jsonwebtoken'].includes(k))
    for (const name of names) await fns[name]() // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      // Interleaved, the order rotated each round: drift of the machine hits all alike.
      const order = names.map((_, i) => names[(i + r) % names.length])
      const got = {}
      for (const name of order) got[name] = await fns[name]()
      for (const name of names) samples[name].push(got[name])
      diffs.sync.push(got['jwtauth sync'] - got.core)
      diffs.async.push(got['jwtauth async'] - got['jwtauth sync'])
      peerRatios.push(Math.min(...peerNames.map((k) => got[k])) / got['jwtauth sync'])
    }
    out[op] = {
      med: Object.fromEntries(names.map((k) => [k, median(samples[k])])),
      syncOverhead: median(diffs.sync),
      handoff: median(diffs.async),
      peerRatio: median(peerRatios),
    }
  }
  return out
}

// What one sync call adds, from adjacent single-operation pairs: the core
// verifying (signing) one assertion, timed inside Rust, next to a
// `verifySync` (`signSync`) of another, timed here around the call; the
// order alternates (the median of each order, then their mean), and the
// cost of reading the clock twice is subtracted.
// "bare native call" is the core hook itself timed from JavaScript minus its
// own inner time: what any call into the addon costs around the same work
// (after a large operation the caches the call's code and data live in
// have to be refilled, whatever the binding does).
// The median of the per-pair differences does not depend on which stretch
// (quiet or slow) the machine is in the way two separate loops do.
const PAIRS = Number(process.env.PAIRS ?? 3000)
function timerCost() {
  const xs = []
  for (let i = 0; i < 20000; i++) {
    const t = process.hrtime.bigint()
    xs.push(Number(process.hrtime.bigint() - t) / 1e3)
  }
  return median(xs)
}
async function pairs(alg) {
  const s = await setup(alg)
  const clock = timerCost()
  const out = {}
  for (const op of ['verify', 'sign']) {
    const core = []
    const sync = []
    const diffs = [[], []]
    const bare = [[], []]
    let vCore, vSync
    for (let i = 0; i < PAIRS; i++) {
      const k = i % s.n
      if (k === 0) [vCore, vSync] = [new jwtauth.Verifier(ISSUER), new jwtauth.Verifier(ISSUER)]
      const oneCore = op === 'verify'
        ? () => native._benchCoreVerifyOne(vCore, s.registry, s.tokens[k]) * 1e6
        : () => native._benchCoreSignOne(s.ours, 'c1', ISSUER) * 1e6
      const oneSync = () => {
        const t = process.hrtime.bigint()
        if (op === 'verify') vSync.verifySync(s.tokens[k], s.registry)
        else jwtauth.signSync(s.ours, 'c1', ISSUER)
        return Number(process.hrtime.bigint() - t) / 1e3 - clock
      }
      // The core hook is timed from here too: what a call into the addon
      // costs around the same work, whatever that call does with its result.
      const outer = () => {
        const t = process.hrtime.bigint()
        const inner = oneCore()
        return [inner, Number(process.hrtime.bigint() - t) / 1e3 - clock]
      }
      let c, o, y
      if (i % 2) { [c, o] = outer(); y = oneSync() } else { y = oneSync(); [c, o] = outer() }
      core.push(c)
      sync.push(y)
      diffs[i % 2].push(y - c)
      bare[i % 2].push(o - c)
    }
    // Going second in a pair is not the same as going first (caches, branch
    // history): the median of each order, then their mean.
    const both = ([a, b]) => (median(a) + median(b)) / 2
    out[op] = { core: median(core), sync: median(sync), adds: both(diffs), bare: both(bare) }
  }
  return out
}

const fmt = (x) => (x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))

console.log(`Node ${process.version}, ${availableParallelism()} CPUs, ${ROUNDS} interleaved rounds; µs per operation (median)`)
const results = {}
for (const alg of ALGS) results[alg] = await benchAlg(alg)
{
  // The worker pool's round trip alone (no work): what an async call adds.
  const rounds = []
  for (let r = 0; r < ROUNDS; r++) rounds.push(await timeAsync(2000, () => native._benchNoop()))
  const wide = []
  for (let r = 0; r < ROUNDS; r++) wide.push(await timeConcurrent(2000, () => native._benchNoop()))
  // For scale: Node's own libuv pool, a 1-byte crypto.randomFill.
  const fill = promisify(randomFill)
  const one = Buffer.alloc(1)
  const uv = []
  for (let r = 0; r < ROUNDS; r++) uv.push(await timeAsync(2000, () => fill(one)))
  console.log(
    `\nworker-pool round trip, no work: ${fmt(median(rounds))} µs one at a time, ${fmt(median(wide))} µs per call with 64 in flight` +
      ` (libuv's pool, crypto.randomFill of 1 byte: ${fmt(median(uv))} µs one at a time)`,
  )
}
for (const op of ['verify', 'sign']) {
  console.log(`\n### ${op}\n`)
  console.log('| alg | Rust core | jwtauth sync | sync − core | jwtauth async | async − sync (hand-off) | async ×64 | fast-jwt | jose (async) | jsonwebtoken | fastest peer ÷ jwtauth sync |')
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const alg of ALGS) {
    const r = results[alg][op]
    const m = r.med
    console.log(
      `| ${alg} | ${fmt(m.core)} | ${fmt(m['jwtauth sync'])} | ${r.syncOverhead >= 0 ? '+' : ''}${fmt(r.syncOverhead)} | ` +
        `${fmt(m['jwtauth async'])} | +${fmt(r.handoff)} | ${fmt(m['jwtauth async ×64'])} | ${fmt(m['fast-jwt'])} | ` +
        `${fmt(m.jose)} | ${fmt(m.jsonwebtoken)} | ${r.peerRatio.toFixed(2)}× |`,
    )
  }
}
{
  console.log(`\n### what one sync call adds (${PAIRS} adjacent single-operation pairs per algorithm and operation; medians, µs)\n`)
  console.log('| alg | verify: core | verifySync | adds | bare native call | sign: core | signSync | adds | bare native call |')
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const alg of ALGS) {
    const p = await pairs(alg)
    const sg = (x) => `${x >= 0 ? '+' : ''}${fmt(x)}`
    console.log(
      `| ${alg} | ${fmt(p.verify.core)} | ${fmt(p.verify.sync)} | ${sg(p.verify.adds)} | ${sg(p.verify.bare)} | ` +
        `${fmt(p.sign.core)} | ${fmt(p.sign.sync)} | ${sg(p.sign.adds)} | ${sg(p.sign.bare)} |`,
    )
  }
}
