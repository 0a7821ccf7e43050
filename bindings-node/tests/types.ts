// Compiled (not run) by bindings-node/tests/run.sh with `tsc --strict --noEmit`: the
// shipped index.d.ts describes the package as a TypeScript user calls it.
import type { GrantAssertion, GrantRequest } from 'jwtauth'
import {
  Authenticator,
  CODES,
  Client,
  CredentialPolicy,
  FixedClock,
  JwtAuthError,
  MemoryReplayStore,
  Registry,
  SigningKey,
  TrustTable,
  Verifier,
  VerifyingKey,
  isJwtAuthError,
  sign,
  signSync,
  type Alg,
  type AuthEvent,
  type ClientAssertion,
  type HookContext,
  type Problem,
  type VerifiedAssertion,
} from 'jwtauth'

async function clientSide(pem: string | Buffer): Promise<string> {
  const alg: Alg = 'PS256'
  const key = SigningKey.fromPem(pem, { alg, kid: 'k1' })
  const a: ClientAssertion = await sign(key, 'my-client', 'https://as.example.com', { lifetime: 60, typ: null })
  const b = signSync(key, 'my-client', 'https://as.example.com')
  const form: { client_assertion: string } = a.form
  return `${form.client_assertion}${b.jti}${a.expiresAt + 1}`
}

async function serverSide(body: Buffer, headers: Record<string, string | string[] | undefined>): Promise<number> {
  const registry = Registry.fromJson({ clients: [] }, { policy: new CredentialPolicy({ min_rsa_bits: 3072 }) })
  const lookup = Registry.fromCallback(async (id: string) => (id === 'x' ? Client.fromMetadata({ client_id: 'x' }) : null))
  const verifier = new Verifier('https://as.example.com', {
    tokenEndpoint: 'https://as.example.com/token',
    audienceMode: 'strict',
    algorithms: ['ES256', 'EdDSA'],
    replayStore: new MemoryReplayStore(1000),
    clock: new FixedClock(1_800_000_000),
  })
  const events: AuthEvent[] = []
  const other = new Verifier('https://as.example.com', {
    replayStore: { checkAndInsert: async () => true },
    policyHook: (c: HookContext) => c.method !== 'none' || 'public clients are not allowed here',
    eventHook: (e: AuthEvent) => {
      if (e.outcome === 'refused' && e.code !== null) events.push(e)
    },
  })
  const v: VerifiedAssertion = await verifier.verify('eyJ…', lookup, { clientId: 'x' })
  const w = other.verifySync(Buffer.from('eyJ…'), registry)
  const auth = new Authenticator(verifier, registry, { realm: 'as' })
  try {
    const done = await auth.authenticate({ headers, body })
    const sync = auth.authenticateSync({ authorization: null, form: new URLSearchParams('a=b') })
    const mtls = new Authenticator(verifier, registry, { clientCa: '-----BEGIN CERTIFICATE-----' })
    const bound = mtls.authenticateSync({ body, clientCertificate: Buffer.alloc(0), certificateFormat: 'der', certificateVerified: true })
    const cnf: string | null = bound.certificateThumbprint
    return done.clientId.length + (sync.claims === null ? 0 : 1) + v.replayUntil + w.keyThumbprint.length + events.length + (cnf ?? '').length
  } catch (e) {
    if (isJwtAuthError(e, 'JWTAUTH_REPLAYED')) {
      const r = e.response()
      return r.status + CODES.JWTAUTH_REPLAYED.number
    }
    if (e instanceof JwtAuthError) {
      const problems: Problem[] = e.problems
      return e.status + problems.length + (e.wwwAuthenticate ?? '').length + e.oauthError.length
    }
    throw e
  }
}

export function main(): void {
  const key = VerifyingKey.fromPem('-----BEGIN PUBLIC KEY-----')
  const n: number | null = key.notAfter
  void clientSide('pem')
  void serverSide(Buffer.alloc(0), {})
  void n
}

// JWT bearer grants.
async function grants(v: Verifier, r: Registry, t: TrustTable): Promise<string> {
  const a = new Authenticator(v, r, { trust: t })
  const g: GrantRequest = a.authenticateGrantSync({ form: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: 'x' } })
  const h = await a.authenticateGrant({ body: 'grant_type=x' })
  const sub: string = g.grant.subject
  const client: string | undefined = h.client?.clientId
  const verified = await v.verifyGrant('x', t)
  const explained: Record<string, unknown> = v.explainGrant('x', t)
  const hosted = TrustTable.fromJson({ issuers: [], client_authentication: 'optional' }, { subjectHook: async ({ issuer, subject }) => issuer !== subject })
  void hosted
  return `${sub}${client}${verified.issuer}${String(explained.verdict)}`
}
void grants

// A grant signed by the library: its own type, its own form.
async function signedGrant(key: SigningKey): Promise<string> {
  const g: GrantAssertion = await sign(key, 'https://svc.example', 'https://as.example.com', { subject: 'batch-job' })
  const h = signSync(key, 'https://svc.example', 'https://as.example.com', { subject: 'batch-job', lifetime: 60 })
  const form: { grant_type: string; assertion: string } = g.form
  return `${form.assertion}${h.subject}${g.jti}`
}
void signedGrant
