'use strict'
// Errors of jwtauth: one class, JwtAuthError, carrying the stable code of
// the core's error table (the single source, read from the addon):
//   code         the C constant name ("JWTAUTH_REPLAYED"); number its value
//   category     usage | invalid_request | invalid_client | invalid_credential | internal | invalid_grant
//   oauthError   and status: what a token endpoint answers
//   description  a generic text safe to send to the client
//   detail       the precise reason, for logs only (never secrets or whole assertions)
//   problems     for a refused credential or registration: [{ code, location, message }]
//   response()   the full OAuth response to send

const native = require('./binding.js')

/** The error table by code name, e.g. CODES.JWTAUTH_REPLAYED.number === 500. */
const CODES = Object.freeze(
  Object.fromEntries(
    native.errorTable().map((row) => [
      'JWTAUTH_' + row.name,
      Object.freeze({ ...row, code: 'JWTAUTH_' + row.name }),
    ]),
  ),
)
const BY_NUMBER = new Map(Object.values(CODES).map((row) => [row.number, row]))

class JwtAuthError extends Error {
  constructor(number, detail, status, body, wwwAuthenticate, problems, headers) {
    const row = BY_NUMBER.get(number) ?? CODES.JWTAUTH_INTERNAL
    const listed = (problems ?? []).map((p) => `\n  ${p.code} at ${p.location || '/'}: ${p.message}`).join('')
    super(`${row.code}: ${detail}${listed}`)
    this.name = 'JwtAuthError'
    this.code = row.code
    this.number = row.number
    // What the response says: a refused grant is invalid_grant (category
    // invalid_grant) whatever its code.
    let answered = {}
    try {
      answered = JSON.parse(body) ?? {}
    } catch {}
    this.oauthError = typeof answered.error === 'string' ? answered.error : row.oauthError
    this.category = this.oauthError === 'invalid_grant' ? 'invalid_grant' : row.category
    this.status = status
    this.description = typeof answered.error_description === 'string' ? answered.error_description : row.description
    this.detail = detail
    this.wwwAuthenticate = wwwAuthenticate ?? null
    this.problems = problems ?? []
    Object.defineProperty(this, '_body', { value: body, enumerable: false })
    // The core's response headers, named in lower case as Node reports them.
    const named = (headers ?? []).map(([name, value]) => [name.toLowerCase(), value])
    Object.defineProperty(this, '_headers', { value: named, enumerable: false })
  }

  /**
   * The response to send: status, headers (JSON content type,
   * Cache-Control: no-store, and WWW-Authenticate when the request used the
   * Authorization header and the status is 401) and the JSON body
   * {"error": …, "error_description": …}.
   */
  response() {
    return { status: this.status, headers: Object.fromEntries(this._headers), body: this._body }
  }

  /** The JSON body as an object. */
  responseJson() {
    return JSON.parse(this._body)
  }
}

/** Whether `e` is a JwtAuthError (optionally with this code). */
function isJwtAuthError(e, code) {
  return e instanceof JwtAuthError && (code === undefined || e.code === code)
}

module.exports = { CODES, JwtAuthError, isJwtAuthError }
