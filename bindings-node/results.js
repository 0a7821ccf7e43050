'use strict'
// The results of verify, authenticate and sign, as plain JavaScript
// objects. The addon returns each as one string (see pack_* in
// src/server.rs and src/sign.rs): building an object property by property
// through Node-API costs several microseconds, a JSON.parse of a short
// array a fraction of one. The claims are parsed only when read.

const { CLIENT_ASSERTION_TYPE, JWT_BEARER_GRANT_TYPE } = require('./binding.js')

function split(packed) {
  const nl = packed.indexOf('\n')
  return [JSON.parse(packed.slice(0, nl)), packed.slice(nl + 1)]
}

/** A verified client assertion. */
class VerifiedAssertion {
  #assertion
  #claims
  constructor(packed, assertion) {
    // '\0'-separated: clientId, jti, alg, keyId, keyThumbprint, replayUntil,
    // wouldRefuse ('' or JSON), hasKeyId (sliced in place: three times
    // cheaper than a split), or the same fields as a JSON array after ''
    // when one of them holds a NUL.
    if (packed.charCodeAt(0) === 0) {
      let i = 1
      let j = packed.indexOf('\0', i)
      this.clientId = packed.slice(i, j)
      j = packed.indexOf('\0', (i = j + 1))
      this.jti = packed.slice(i, j)
      j = packed.indexOf('\0', (i = j + 1))
      this.alg = packed.slice(i, j)
      j = packed.indexOf('\0', (i = j + 1))
      this.keyId = packed.charCodeAt(packed.length - 1) === 49 ? packed.slice(i, j) : null
      j = packed.indexOf('\0', (i = j + 1))
      this.keyThumbprint = packed.slice(i, j)
      j = packed.indexOf('\0', (i = j + 1))
      this.replayUntil = +packed.slice(i, j)
      j = packed.indexOf('\0', (i = j + 1))
      /** What the verifier's report-only profile would have refused: `{ profile, code, detail }` or null. */
      this.wouldRefuse = j === i ? null : JSON.parse(packed.slice(i, j))
    } else {
      const h = JSON.parse(packed)
      this.clientId = h[1]
      this.jti = h[2]
      this.alg = h[3]
      this.keyId = h[8] === '1' ? h[4] : null
      this.keyThumbprint = h[5]
      this.replayUntil = +h[6]
      this.wouldRefuse = h[7] === '' ? null : JSON.parse(h[7])
    }
    this.#assertion = assertion
  }

  /**
   * The verified claims: the assertion's payload, whose signature and every
   * claim the core checked (it refuses duplicate members, so this parse
   * sees exactly what the core saw). Decoded on first read.
   */
  get claims() {
    if (this.#claims === undefined) {
      const a = this.#assertion
      this.#claims = payloadOf(typeof a === 'string' ? a : Buffer.from(a).toString('utf8'))
    }
    return this.#claims
  }
}

/** An authenticated client. */
class Authenticated {
  #claimsText
  #claims
  constructor(packed) {
    const [h, claims] = split(packed)
    this.clientId = h[0]
    this.method = h[1]
    this.jti = h[2]
    /** What the verifier's report-only profile would have refused: `{ profile, code, detail }` or null. */
    this.wouldRefuse = h[3]
    /** With a client certificate (any method): its `x5t#S256`, for a certificate-bound token's `cnf`; otherwise null. */
    this.certificateThumbprint = h[4]
    this.#claimsText = claims
  }

  /** For the JWT methods, the verified claims; otherwise null. */
  get claims() {
    if (this.#claimsText === '') return null
    return (this.#claims ??= JSON.parse(this.#claimsText))
  }
}

function payloadOf(jws) {
  return JSON.parse(Buffer.from(jws.slice(jws.indexOf('.') + 1, jws.lastIndexOf('.')), 'base64url').toString('utf8'))
}

/** A signed client assertion and the form fields that carry it. */
class ClientAssertion {
  #claims
  constructor(assertion, clientId, subject = null) {
    this.assertion = assertion
    this.clientId = clientId
    /** For a JWT bearer grant (signed with `subject`): its subject; null for a client assertion. */
    this.subject = subject
  }

  // jti, iat and exp are read from the payload just signed, when asked.
  #payload() {
    return (this.#claims ??= payloadOf(this.assertion))
  }

  /** The jti. */
  get jti() {
    return this.#payload().jti
  }

  /** iat (Unix seconds). */
  get issuedAt() {
    return this.#payload().iat
  }

  /** exp (Unix seconds). */
  get expiresAt() {
    return this.#payload().exp
  }

  /**
   * The form fields (for URLSearchParams or a form object): client_id,
   * client_assertion_type, client_assertion; for a grant, grant_type and
   * assertion.
   */
  get form() {
    if (this.subject !== null) return { grant_type: JWT_BEARER_GRANT_TYPE, assertion: this.assertion }
    return { client_id: this.clientId, client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: this.assertion }
  }

  /** The fields as an application/x-www-form-urlencoded body. */
  get formBody() {
    return new URLSearchParams(this.form).toString()
  }

  /** Never the assertion itself (it is a credential until it expires). */
  toString() {
    return `ClientAssertion(clientId=${JSON.stringify(this.clientId)}, jti=${JSON.stringify(this.jti)})`
  }

  toJSON() {
    return { clientId: this.clientId, jti: this.jti, issuedAt: this.issuedAt, expiresAt: this.expiresAt }
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString()
  }
}

module.exports = { Authenticated, ClientAssertion, VerifiedAssertion }
