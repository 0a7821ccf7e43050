/*
 * The cost of the C API per verification, measured from C as a C server
 * links the library: `jwtauth_verifier_verify` + `jwtauth_verified_client_id`
 * + `jwtauth_verified_free` against the Rust core (`Verifier::verify_in`)
 * compiled into the same binary, on the same pool of assertions, in one
 * process. The core side is the benchmark hook `jwtauth_bench_core_verify`,
 * present only in the library built with `make -C ffi-c bench-lib`; with the
 * shipped library the program times the C API alone.
 *
 *   make -C ffi-c bench-lib && bash ffi-c/bench/c_api_bench.sh
 *
 * The script builds this file twice, linked with `libjwtauth.a` (a static
 * link, as with `pkg-config --static jwtauth`) and with `libjwtauth.so`, and
 * runs both. Unlike `cargo bench -p jwtauth-ffi-bench`, which compares the
 * C API in the shared object with the core compiled into a Rust executable,
 * both sides here are the same build of the core in the same binary, so the
 * ratio is what the C layer adds, not where the core was compiled.
 *
 * Paired rounds as in the Rust benchmark: every round times both sides on
 * fresh verifiers (fresh replay stores), each after an untimed warm-up,
 * alternating which goes first; the report is the median per-round ratio
 * and its interquartile range.
 *
 * Usage: c_api_bench [rounds] [alg ...]   (default: all four algorithms,
 * each for about 3 s: as many rounds as fit, 41 to 4001; HS256, a
 * microsecond per verification, needs the thousands for a median ratio that
 * holds to a percent from run to run on a noisy machine)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jwtauth.h"

/* The benchmark hook (not in the header: never in the shipped library).
 * Weak, so that the program links and runs without it. */
extern size_t jwtauth_bench_core_verify(const jwtauth_verifier *verifier, const jwtauth_registry *registry,
                                        const char *const *assertions, const size_t *lens, size_t n,
                                        uint64_t *nanos) __attribute__((weak));

#define ISSUER "https://as.example.com"
#define NOW 1800000000
#define POOL 256
#define WARM 64
#define SECRET "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void must(jwtauth_status st, jwtauth_error *err, const char *what) {
  if (st == JWTAUTH_OK) return;
  fprintf(stderr, "%s: status %d (%s)\n", what, (int)st, err ? jwtauth_error_name(err) : "no detail");
  exit(2);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct side {
  const jwtauth_verifier_config *config;
  const jwtauth_registry *registry;
  const char *const *warm;
  const size_t *warm_len;
  const char *const *pool;
  const size_t *pool_len;
};

/* The sink the client ids are read into, so that the compiler keeps them. */
static volatile size_t sink;

static void c_loop(const jwtauth_verifier *v, const struct side *s, const char *const *a, const size_t *len,
                   size_t n) {
  for (size_t i = 0; i < n; i++) {
    jwtauth_verified *out = NULL;
    jwtauth_status st = jwtauth_verifier_verify(v, s->registry, a[i], len[i], NULL, 0, &out, NULL);
    if (st != JWTAUTH_OK) {
      fprintf(stderr, "C API refused assertion %zu: status %d\n", i, (int)st);
      exit(2);
    }
    sink += (size_t)jwtauth_verified_client_id(out)[0];
    jwtauth_verified_free(out);
  }
}

static jwtauth_verifier *fresh_verifier(const struct side *s) {
  jwtauth_verifier *v = NULL;
  must(jwtauth_verifier_new(s->config, &v, NULL), NULL, "verifier_new");
  return v;
}

/* One timed pass through the C API, nanoseconds. */
static uint64_t c_pass(const struct side *s) {
  jwtauth_verifier *v = fresh_verifier(s);
  c_loop(v, s, s->warm, s->warm_len, WARM);
  uint64_t t = now_ns();
  c_loop(v, s, s->pool, s->pool_len, POOL);
  t = now_ns() - t;
  jwtauth_verifier_free(v);
  return t;
}

/* One timed pass through the core in the same binary (the hook times its
 * own loop), nanoseconds. */
static uint64_t core_pass(const struct side *s) {
  jwtauth_verifier *v = fresh_verifier(s);
  uint64_t warm_ns = 0, ns = 0;
  if (jwtauth_bench_core_verify(v, s->registry, s->warm, s->warm_len, WARM, &warm_ns) != WARM ||
      jwtauth_bench_core_verify(v, s->registry, s->pool, s->pool_len, POOL, &ns) != POOL) {
    fprintf(stderr, "the core refused an assertion\n");
    exit(2);
  }
  jwtauth_verifier_free(v);
  return ns;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median and quartiles of v[0..n) (sorts v). */
static void quartiles(double *v, size_t n, double q[3]) {
  qsort(v, n, sizeof *v, cmp_double);
  for (int i = 0; i < 3; i++) q[i] = v[(size_t)((double)(n - 1) * (0.25 * (i + 1)) + 0.5)];
}

static void sign_all(const jwtauth_assertion_builder *b, jwtauth_assertion **held, const char **text,
                     size_t *len, size_t n) {
  for (size_t i = 0; i < n; i++) {
    must(jwtauth_assertion_builder_sign(b, &held[i], NULL), NULL, "sign");
    text[i] = jwtauth_assertion_jws(held[i]);
    len[i] = strlen(text[i]);
  }
}

#define BUDGET_NS 3000000000u
#define MIN_ROUNDS 41
#define MAX_ROUNDS 4001

/* rounds == 0: as many as fit in BUDGET_NS, MIN_ROUNDS to MAX_ROUNDS. */
static void bench(const char *alg, size_t rounds) {
  jwtauth_error *err = NULL;
  jwtauth_clock *clock = NULL;
  jwtauth_signing_key *key = NULL;
  int symmetric = strncmp(alg, "HS", 2) == 0;
  must(jwtauth_clock_fixed_new(NOW, &clock), NULL, "clock");
  char doc[4096];
  if (symmetric) {
    must(jwtauth_signing_key_from_secret((const uint8_t *)SECRET, strlen(SECRET), alg, strlen(alg), &key, &err),
         err, "key");
    snprintf(doc, sizeof doc,
             "{\"clients\":[{\"client_id\":\"c1\",\"token_endpoint_auth_method\":\"client_secret_jwt\","
             "\"client_secret\":\"%s\"}]}",
             SECRET);
  } else {
    char *jwk = NULL;
    must(jwtauth_signing_key_generate(alg, strlen(alg), 0, "k1", 2, &key, &err), err, "generate");
    must(jwtauth_signing_key_public_jwk(key, &jwk, &err), err, "public_jwk");
    snprintf(doc, sizeof doc,
             "{\"clients\":[{\"client_id\":\"c1\",\"token_endpoint_auth_method\":\"private_key_jwt\","
             "\"jwks\":{\"keys\":[%s]}}]}",
             jwk);
    jwtauth_string_free(jwk);
  }
  jwtauth_registry *registry = NULL;
  must(jwtauth_registry_from_json(doc, strlen(doc), NULL, NOW, &registry, &err), err, "registry");
  jwtauth_verifier_config *config = NULL;
  must(jwtauth_verifier_config_new(ISSUER, strlen(ISSUER), &config, &err), err, "config");
  must(jwtauth_verifier_config_set_clock(config, clock, &err), err, "config clock");
  jwtauth_assertion_builder *b = NULL;
  must(jwtauth_assertion_builder_new(key, "c1", 2, ISSUER, strlen(ISSUER), &b, &err), err, "builder");
  must(jwtauth_assertion_builder_set_clock(b, clock, &err), err, "builder clock");

  static jwtauth_assertion *held[POOL + WARM];
  static const char *text[POOL + WARM];
  static size_t len[POOL + WARM];
  sign_all(b, held, text, len, POOL + WARM);
  struct side s = {config, registry, text + POOL, len + POOL, text, len};

  int have_core = jwtauth_bench_core_verify != NULL;
  /* Warm both up once; the time of a pair sets the rounds when not given. */
  uint64_t pair = now_ns();
  c_pass(&s);
  if (have_core) core_pass(&s);
  pair = now_ns() - pair;
  if (rounds == 0) {
    rounds = BUDGET_NS / (pair ? pair : 1);
    rounds = rounds < MIN_ROUNDS ? MIN_ROUNDS : rounds > MAX_ROUNDS ? MAX_ROUNDS : rounds;
  }

  double *ratio = calloc(rounds, sizeof *ratio), *c_us = calloc(rounds, sizeof *c_us),
         *core_us = calloc(rounds, sizeof *core_us);
  if (!ratio || !c_us || !core_us) exit(2);
  for (size_t r = 0; r < rounds; r++) {
    uint64_t c, core = 0;
    if (r % 2 == 0 || !have_core) {
      c = c_pass(&s);
      if (have_core) core = core_pass(&s);
    } else {
      core = core_pass(&s);
      c = c_pass(&s);
    }
    c_us[r] = (double)c / 1e3 / POOL;
    core_us[r] = (double)core / 1e3 / POOL;
    ratio[r] = have_core ? (double)c / (double)core : 0;
  }
  double qc[3], qcore[3], qr[3];
  quartiles(c_us, rounds, qc);
  quartiles(core_us, rounds, qcore);
  quartiles(ratio, rounds, qr);
  if (have_core)
    printf("| %s | %zu | %.3f | %.3f | %.3f× (%.3f–%.3f) | %+.3f |\n", alg, rounds, qcore[1], qc[1], qr[1], qr[0],
           qr[2], qc[1] - qcore[1]);
  else
    printf("| %s | %zu | — | %.3f | — | — |\n", alg, rounds, qc[1]);

  free(ratio);
  free(c_us);
  free(core_us);
  for (size_t i = 0; i < POOL + WARM; i++) jwtauth_assertion_free(held[i]);
  jwtauth_assertion_builder_free(b);
  jwtauth_verifier_config_free(config);
  jwtauth_registry_free(registry);
  jwtauth_signing_key_free(key);
  jwtauth_clock_free(clock);
}

int main(int argc, char **argv) {
  size_t rounds = 0;
  int first_alg = 1;
  if (argc > 1 && argv[1][0] >= '0' && argv[1][0] <= '9') {
    rounds = (size_t)strtoul(argv[1], NULL, 10);
    first_alg = 2;
  }
  printf("C API vs the core in the same binary (%s), %d assertions per pass, paired rounds\n\n",
         jwtauth_bench_core_verify ? "hook present" : "no hook: C API alone", POOL);
  printf("| alg | rounds | core µs | C API µs | C API / core (IQR) | C − core µs |\n|---|---:|---:|---:|---:|---:|\n");
  static const char *all[] = {"RS256", "ES256", "EdDSA", "HS256"};
  if (first_alg < argc)
    for (int i = first_alg; i < argc; i++) bench(argv[i], rounds);
  else
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) bench(all[i], rounds);
  return 0;
}
