// n HS256 verifications through the Node package (client from a registry,
// fixed clock), for callgrind: `bench/run.sh` runs it with n = 2000 and
// n = 6000 and divides the difference by 4000 (start-up, the JIT's warm-up and
// signing the pool cancel out) — the instructions one verifySync call costs
// through Node, to compare with the Rust core's count on the same work.
//     node bindings-node/benches/hop.mjs <n>
import { createRequire } from 'node:module'
const jwtauth = createRequire(import.meta.url)('..')

const SECRET = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'
const ISSUER = 'https://as.example.com'
const n = Number(process.argv[2])
const clock = new jwtauth.FixedClock(1_800_000_000)
const key = jwtauth.SigningKey.fromSecret(SECRET, 'HS256')
const registry = jwtauth.Registry.fromJson({
  clients: [{ client_id: 'client-1', token_endpoint_auth_method: 'client_secret_jwt', client_secret: SECRET }],
})
const pool = Array.from({ length: 6000 }, () => jwtauth.signSync(key, 'client-1', ISSUER, { clock }).assertion)
const verifier = new jwtauth.Verifier(ISSUER, { clock })
for (let i = 0; i < n; i++) verifier.verifySync(pool[i], registry)
