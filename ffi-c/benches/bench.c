/* Verification through the C API, for `bash bench/run.sh`.
 *
 *   bench time              JSON: µs per jwtauth_verifier_verify, per algorithm
 *                           (median of 11 passes; fresh verifier per pass)
 *   bench count <alg> <n>   n verifications in verify_loop, for callgrind
 *                           (--toggle-collect=verify_loop): the C layer's cost
 *                           is this count minus the Rust core's on the same work.
 *
 * Every assertion is signed by the library for client "client-1" at a fixed
 * clock, as the Rust benchmarks do; a registry holds the one client. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jwtauth.h>

#define ISSUER "https://as.example.com"
#define NOW 1800000000
#define SECRET "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void check(jwtauth_status st, const char *what) {
  if (st != JWTAUTH_OK) {
    fprintf(stderr, "%s: %s\n", what, jwtauth_status_name(st));
    exit(1);
  }
}

typedef struct {
  jwtauth_registry *registry;
  jwtauth_clock *clock;
  jwtauth_assertion **pool;
  size_t n;
} setup;

static setup make(const char *alg, size_t n) {
  setup s = {NULL, NULL, NULL, n};
  jwtauth_signing_key *key = NULL;
  char doc[2048];
  check(jwtauth_clock_fixed_new(NOW, &s.clock), "clock");
  if (strcmp(alg, "HS256") == 0) {
    check(jwtauth_signing_key_from_secret((const uint8_t *)SECRET, strlen(SECRET), alg, strlen(alg), &key, NULL), "key");
    snprintf(doc, sizeof doc,
             "{\"clients\":[{\"client_id\":\"client-1\",\"token_endpoint_auth_method\":\"client_secret_jwt\","
             "\"client_secret\":\"%s\"}]}", SECRET);
  } else {
    char *jwk = NULL;
    check(jwtauth_signing_key_generate(alg, strlen(alg), 0, "k1", 2, &key, NULL), "key");
    check(jwtauth_signing_key_public_jwk(key, &jwk, NULL), "jwk");
    snprintf(doc, sizeof doc,
             "{\"clients\":[{\"client_id\":\"client-1\",\"token_endpoint_auth_method\":\"private_key_jwt\","
             "\"jwks\":{\"keys\":[%s]}}]}", jwk);
    jwtauth_string_free(jwk);
  }
  check(jwtauth_registry_from_json(doc, strlen(doc), NULL, NOW, &s.registry, NULL), "registry");
  jwtauth_assertion_builder *b = NULL;
  check(jwtauth_assertion_builder_new(key, "client-1", 8, ISSUER, strlen(ISSUER), &b, NULL), "builder");
  check(jwtauth_assertion_builder_set_clock(b, s.clock, NULL), "builder clock");
  s.pool = calloc(n, sizeof *s.pool);
  for (size_t i = 0; i < n; i++) check(jwtauth_assertion_builder_sign(b, &s.pool[i], NULL), "sign");
  jwtauth_assertion_builder_free(b);
  jwtauth_signing_key_free(key);
  return s;
}

static jwtauth_verifier *verifier(const setup *s) {
  jwtauth_verifier_config *cfg = NULL;
  jwtauth_verifier *v = NULL;
  check(jwtauth_verifier_config_new(ISSUER, strlen(ISSUER), &cfg, NULL), "config");
  check(jwtauth_verifier_config_set_clock(cfg, s->clock, NULL), "config clock");
  check(jwtauth_verifier_new(cfg, &v, NULL), "verifier");
  jwtauth_verifier_config_free(cfg);
  return v;
}

__attribute__((noinline)) static void verify_loop(const jwtauth_verifier *v, const setup *s) {
  for (size_t i = 0; i < s->n; i++) {
    const char *jws = jwtauth_assertion_jws(s->pool[i]);
    jwtauth_verified *out = NULL;
    check(jwtauth_verifier_verify(v, s->registry, jws, strlen(jws), NULL, 0, &out, NULL), "verify");
    jwtauth_verified_free(out);
  }
}

static void release(setup *s) {
  for (size_t i = 0; i < s->n; i++) jwtauth_assertion_free(s->pool[i]);
  free(s->pool);
  jwtauth_registry_free(s->registry);
  jwtauth_clock_free(s->clock);
}

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "count") == 0) {
    setup s = make(argv[2], (size_t)atoi(argv[3]));
    jwtauth_verifier *v = verifier(&s);
    verify_loop(v, &s);
    jwtauth_verifier_free(v);
    release(&s);
    return 0;
  }
  if (argc != 2 || strcmp(argv[1], "time") != 0) {
    fprintf(stderr, "usage: %s time | count <alg> <n>\n", argv[0]);
    return 2;
  }
  const char *algs[] = {"RS256", "ES256", "EdDSA", "HS256"};
  const size_t sizes[] = {256, 256, 256, 4096};
  printf("{");
  for (size_t a = 0; a < 4; a++) {
    setup s = make(algs[a], sizes[a]);
    double runs[11];
    for (int r = -1; r < 11; r++) { /* r = -1: warm-up */
      jwtauth_verifier *v = verifier(&s);
      double t = now_us();
      verify_loop(v, &s);
      double per = (now_us() - t) / (double)s.n;
      if (r >= 0) runs[r] = per;
      jwtauth_verifier_free(v);
    }
    qsort(runs, 11, sizeof runs[0], cmp);
    printf("%s\"%s\":%.4f", a ? "," : "", algs[a], runs[5]);
    release(&s);
  }
  printf("}\n");
  return 0;
}
