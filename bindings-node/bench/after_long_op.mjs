#!/usr/bin/env node
// What one `signSync` adds over the core right after a long operation, the
// Node twin of bindings-python/bench/after_long_op.py.
//
// The binding's cost is measured as in bench.mjs (adjacent pairs of one core
// signature, timed inside Rust, and one `signSync`, alternating which goes
// first; the median of each order, then their mean), for ES256, as is and
// with something long before every operation: an RSA signature in the core,
// 0.7 ms of JavaScript busy-waiting. If ES256's cost grows the way RS256's
// does, the extra is what any call pays after a long operation, not the
// RS256 path of the binding. The last two columns time, after the same
// preparation, calls with no code of this binding: `version()` (the
// smallest call into the addon: a static string back) and a Node builtin,
// `crypto.getRandomValues` on 4 bytes.
//
//     bash tests/node/run.sh      # builds the addon
//     node bindings-node/bench/after_long_op.mjs
import { createRequire } from 'node:module'
import { webcrypto } from 'node:crypto'

const require = createRequire(import.meta.url)
const jwtauth = require('../index.js')
const native = require('../binding.js')

const ISSUER = 'https://as.example.com'
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]
}
const now = () => process.hrtime.bigint()
const us = (t) => Number(process.hrtime.bigint() - t) / 1e3
const clock = (() => {
  const xs = []
  for (let i = 0; i < 20000; i++) {
    const t = now()
    xs.push(us(t))
  }
  return median(xs)
})()

function pairs(key, before, n) {
  const adds = [[], []]
  const bare = [[], []]
  for (let i = 0; i < n; i++) {
    const core = () => {
      if (before) before()
      const t = now()
      const inner = native._benchCoreSignOne(key, 'c1', ISSUER) * 1e6
      return [inner, us(t) - clock]
    }
    const ours = () => {
      if (before) before()
      const t = now()
      jwtauth.signSync(key, 'c1', ISSUER)
      return us(t) - clock
    }
    let inner, outer, mine
    if (i % 2) { [inner, outer] = core(); mine = ours() } else { mine = ours(); [inner, outer] = core() }
    adds[i % 2].push(mine - inner)
    bare[i % 2].push(outer - inner)
  }
  const both = ([a, b]) => (median(a) + median(b)) / 2
  return [both(adds), both(bare)]
}

function after(before, fn, n) {
  const xs = []
  for (let i = 0; i < n; i++) {
    if (before) before()
    const t = now()
    fn()
    xs.push(us(t) - clock)
  }
  return median(xs)
}

const rsa = jwtauth.SigningKey.generate('RS256')
const ec = jwtauth.SigningKey.generate('ES256')
const rsaSignature = () => native._benchCoreSignOne(rsa, 'c1', ISSUER)
const spin = () => {
  const t = now()
  while (us(t) < 700);
}
const four = new Uint8Array(4)
const cases = [
  ['ES256', ec, null, 6000],
  ['ES256, each after an RSA signature', ec, rsaSignature, 1500],
  ['ES256, each after 0.7 ms of JavaScript', ec, spin, 1500],
  ['RS256', rsa, null, 1500],
]
console.log(`Node ${process.version}; µs, medians`)
console.log('| case | signSync adds | bare native call | version() | crypto.getRandomValues(4 bytes) |')
console.log('|---|---:|---:|---:|---:|')
for (const [name, key, before, n] of cases) {
  const [a, b] = pairs(key, before, n)
  const v = after(before, () => jwtauth.version(), n >> 1)
  const g = after(before, () => webcrypto.getRandomValues(four), n >> 1)
  console.log(`| ${name} | ${a >= 0 ? '+' : ''}${a.toFixed(2)} | ${b >= 0 ? '+' : ''}${b.toFixed(2)} | ${v.toFixed(2)} | ${g.toFixed(2)} |`)
}
