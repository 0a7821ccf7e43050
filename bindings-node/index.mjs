// ESM entry point: the same objects as the CommonJS one.
import cjs from './index.js'

export const {
  CLIENT_ASSERTION_TYPE,
  JWT_BEARER_GRANT_TYPE,
  CODES,
  Authenticated,
  Authenticator,
  Client,
  ClientAssertion,
  CredentialPolicy,
  FixedClock,
  JwkSet,
  JwtAuthError,
  MemoryReplayStore,
  RedisReplayStore,
  Registry,
  RemoteJwks,
  SigningKey,
  TrustTable,
  VerifiedAssertion,
  Verifier,
  VerifyingKey,
  errorTable,
  isJwtAuthError,
  sign,
  signSync,
  version,
  fips,
  fipsMode,
  cryptoProvider,
} = cjs
export default cjs
