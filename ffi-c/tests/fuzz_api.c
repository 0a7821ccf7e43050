/* A libFuzzer target for the C API's entry points that take bytes from
 * outside: assertions, token requests (header, body, decoded pairs, every
 * header), keys, key sets, registry and policy documents. Built with clang's
 * -fsanitize=fuzzer,address against libjwtauth.a and run for a smoke period
 * by ffi-c/tests/fuzz.sh. Every result and error is freed; a token request is
 * never answered with a usage code (what a request holds is its own fault). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"

#define NOW 1800000000

static const char REGISTRY[] =
    "{\"clients\":["
    "{\"client_id\":\"b1\",\"token_endpoint_auth_method\":\"client_secret_basic\","
    "\"client_secret\":\"s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t\"},"
    "{\"client_id\":\"j1\",\"token_endpoint_auth_method\":\"client_secret_jwt\","
    "\"client_secret\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"},"
    "{\"client_id\":\"n1\",\"token_endpoint_auth_method\":\"none\"}]}";

static jwtauth_verifier *verifier;
static jwtauth_authenticator *authenticator;
static jwtauth_registry *registry;

static void setup(void) {
  jwtauth_clock *clock = NULL;
  jwtauth_verifier_config *cfg = NULL;
  if (jwtauth_clock_fixed_new(NOW, &clock) != JWTAUTH_OK ||
      jwtauth_verifier_config_new("https://as.example.com", 22, &cfg, NULL) != JWTAUTH_OK ||
      jwtauth_verifier_config_set_clock(cfg, clock, NULL) != JWTAUTH_OK ||
      jwtauth_registry_from_json(REGISTRY, sizeof REGISTRY - 1, NULL, NOW, &registry, NULL) != JWTAUTH_OK ||
      jwtauth_verifier_new(cfg, &verifier, NULL) != JWTAUTH_OK ||
      jwtauth_authenticator_new(cfg, registry, NULL, 0, &authenticator, NULL) != JWTAUTH_OK) {
    abort();
  }
  jwtauth_verifier_config_free(cfg);
  jwtauth_clock_free(clock);
}

/* A request's answer: success, or a request error (never a usage code). */
static void request_answer(jwtauth_status st, jwtauth_authenticated *ok, jwtauth_error *err) {
  if (st == JWTAUTH_INVALID_ARGUMENT || st == JWTAUTH_INTERNAL) abort();
  if (st != JWTAUTH_OK) {
    int status = (int)jwtauth_error_http_status(err);
    if (status != 400 && status != 401) abort();
  }
  jwtauth_authenticated_free(ok);
  jwtauth_error_free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (verifier == NULL) setup();
  if (size == 0) return 0;
  uint8_t mode = data[0];
  const uint8_t *rest = data + 1;
  size_t n = size - 1;
  const char *text = (const char *)rest;
  jwtauth_error *err = NULL;
  switch (mode % 8) {
  case 0: {
    jwtauth_verified *v = NULL;
    jwtauth_verifier_verify(verifier, registry, text, n, NULL, 0, &v, &err);
    jwtauth_verified_free(v);
    break;
  }
  case 1: { /* Authorization header up to the first newline, then the body. */
    const uint8_t *nl = memchr(rest, '\n', n);
    size_t hlen = nl ? (size_t)(nl - rest) : 0;
    const uint8_t *body = nl ? nl + 1 : rest;
    size_t blen = nl ? n - hlen - 1 : n;
    jwtauth_authenticated *ok = NULL;
    jwtauth_status st = jwtauth_authenticate(authenticator, nl ? text : NULL, hlen, body, blen, &ok, &err);
    request_answer(st, ok, err);
    return 0;
  }
  case 2:
  case 3: { /* NUL-separated name=value pairs: every header, or the decoded form. */
    jwtauth_param pairs[16];
    size_t count = 0, start = 0;
    for (size_t i = 0; i <= n && count < 16; i++) {
      if (i == n || rest[i] == 0) {
        const uint8_t *p = rest + start;
        size_t len = i - start;
        const uint8_t *eq = memchr(p, '=', len);
        size_t nlen = eq ? (size_t)(eq - p) : len;
        pairs[count].name = (const char *)p;
        pairs[count].name_len = nlen;
        pairs[count].value = eq ? (const char *)eq + 1 : (const char *)p + len;
        pairs[count].value_len = eq ? len - nlen - 1 : 0;
        count++;
        start = i + 1;
      }
    }
    jwtauth_authenticated *ok = NULL;
    jwtauth_status st =
        mode % 8 == 2 ? jwtauth_authenticate_headers(authenticator, pairs, count, NULL, 0, &ok, &err)
                      : jwtauth_authenticate_form(authenticator, NULL, 0, pairs, count, &ok, &err);
    request_answer(st, ok, err);
    return 0;
  }
  case 4: {
    jwtauth_verifying_key *k = NULL;
    jwtauth_verifying_key_from_pem(text, n, NULL, 0, &k, NULL);
    jwtauth_verifying_key_free(k);
    k = NULL;
    jwtauth_verifying_key_from_jwk(text, n, &k, NULL);
    jwtauth_verifying_key_free(k);
    k = NULL;
    jwtauth_verifying_key_from_certificate_der(rest, n, NULL, 0, &k, &err);
    jwtauth_verifying_key_free(k);
    break;
  }
  case 5: {
    jwtauth_jwks *s = NULL;
    jwtauth_jwks_from_json(text, n, &s, &err);
    jwtauth_jwks_free(s);
    break;
  }
  case 6: {
    jwtauth_registry *r = NULL;
    jwtauth_registry_from_json(text, n, NULL, NOW, &r, &err);
    jwtauth_registry_free(r);
    jwtauth_error_free(err);
    err = NULL;
    jwtauth_policy *p = NULL;
    jwtauth_policy_from_json(text, n, &p, &err);
    jwtauth_policy_free(p);
    break;
  }
  default: {
    jwtauth_signing_key *k = NULL;
    jwtauth_signing_key_from_pem(text, n, NULL, 0, NULL, 0, &k, NULL);
    jwtauth_signing_key_free(k);
    k = NULL;
    jwtauth_signing_key_from_jwk(text, n, &k, &err);
    jwtauth_signing_key_free(k);
    break;
  }
  }
  jwtauth_error_free(err);
  return 0;
}
