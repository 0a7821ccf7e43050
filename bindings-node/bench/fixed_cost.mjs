#!/usr/bin/env node
// The fixed cost of a sync verification, separated from the machine's
// slow stretches: many short passes over the same assertions (a fresh
// verifier per pass), each pass timing the Rust core's loop, the raw native
// call and the public `verifySync`; prints the best, 10th percentile and
// median pass of each (µs per verification).
//
//     bash tests/node/run.sh                        # builds the addon
//     ALG=HS256 SECS=5 node bindings-node/bench/fixed_cost.mjs
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const jwtauth = require('../index.js')
const native = require('../binding.js')

const ISSUER = 'https://as.example.com'
const SECRET = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'
const alg = process.env.ALG ?? 'HS256'
const secs = Number(process.env.SECS ?? 5)
const n = 2000

let key, meta
if (alg === 'HS256') {
  key = jwtauth.SigningKey.fromSecret(SECRET, 'HS256')
  meta = { client_id: 'c1', token_endpoint_auth_method: 'client_secret_jwt', client_secret: SECRET }
} else {
  key = jwtauth.SigningKey.generate(alg)
  meta = { client_id: 'c1', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key.publicJwk()] } }
}
const registry = jwtauth.Registry.fromJson({ clients: [meta] })
const tokens = Array.from({ length: n }, () => jwtauth.signSync(key, 'c1', ISSUER).assertion)

const passes = { core: [], native: [], verifySync: [] }
const time = (fn) => {
  const v = new jwtauth.Verifier(ISSUER)
  const t = process.hrtime.bigint()
  fn(v)
  return Number(process.hrtime.bigint() - t) / 1e3 / n
}
const start = Date.now()
while (Date.now() - start < secs * 1000) {
  passes.core.push(native._benchCoreVerify(new jwtauth.Verifier(ISSUER), registry, tokens) * 1e6 / n)
  passes.native.push(time((v) => { for (let i = 0; i < n; i++) native._verifySync(v, tokens[i], registry) }))
  passes.verifySync.push(time((v) => { for (let i = 0; i < n; i++) v.verifySync(tokens[i], registry) }))
}
const at = (xs, q) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)].toFixed(3)
console.log(`${alg}, ${passes.core.length} passes of ${n} (µs per verification: best / p10 / median)`)
for (const [name, xs] of Object.entries(passes)) console.log(`  ${name}: ${at(xs, 0)} / ${at(xs, 0.1)} / ${at(xs, 0.5)}`)
