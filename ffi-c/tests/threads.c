/* One verifier and one authenticator shared by many threads: every distinct
 * assertion is accepted exactly once, and one assertion replayed from 16
 * threads at once is accepted by exactly one of them. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "check.h"

#define ISSUER "https://as.example.com"
#define NOW 1800000000
#define THREADS 16
#define PER_THREAD 8

static jwtauth_verifier *verifier;
static jwtauth_registry *registry;
static jwtauth_assertion *distinct[THREADS][PER_THREAD];
static const char *shared_jws;
static atomic_int accepted, replayed, other, go;

static void *verify_distinct(void *arg) {
  jwtauth_assertion **mine = arg;
  for (int i = 0; i < PER_THREAD; i++) {
    jwtauth_verified *v = NULL;
    const char *jws = jwtauth_assertion_jws(mine[i]);
    if (jwtauth_verifier_verify(verifier, registry, jws, strlen(jws), NULL, 0, &v, NULL) == JWTAUTH_OK)
      atomic_fetch_add(&accepted, 1);
    else
      atomic_fetch_add(&other, 1);
    jwtauth_verified_free(v);
  }
  return NULL;
}

static void *verify_shared(void *arg) {
  (void)arg;
  while (!atomic_load(&go)) {
  }
  jwtauth_verified *v = NULL;
  jwtauth_status st = jwtauth_verifier_verify(verifier, registry, shared_jws, strlen(shared_jws), NULL, 0, &v, NULL);
  if (st == JWTAUTH_OK) atomic_fetch_add(&accepted, 1);
  else if (st == JWTAUTH_REPLAYED) atomic_fetch_add(&replayed, 1);
  else atomic_fetch_add(&other, 1);
  jwtauth_verified_free(v);
  return NULL;
}

int main(void) {
  jwtauth_clock *clock = NULL;
  jwtauth_signing_key *key = NULL;
  char *jwk = NULL;
  OK(jwtauth_clock_fixed_new(NOW, &clock));
  OK(jwtauth_signing_key_generate(S("EdDSA"), 0, S("k1"), &key, NULL));
  OK(jwtauth_signing_key_public_jwk(key, &jwk, NULL));
  char meta[1024];
  snprintf(meta, sizeof meta,
           "{\"clients\":[{\"client_id\":\"c1\",\"token_endpoint_auth_method\":\"private_key_jwt\","
           "\"jwks\":{\"keys\":[%s]}}]}",
           jwk);
  OK(jwtauth_registry_from_json(meta, strlen(meta), NULL, NOW, &registry, NULL));
  jwtauth_verifier_config *cfg = NULL;
  OK(jwtauth_verifier_config_new(S(ISSUER), &cfg, NULL));
  OK(jwtauth_verifier_config_set_clock(cfg, clock, NULL));
  OK(jwtauth_verifier_new(cfg, &verifier, NULL));
  jwtauth_assertion_builder *b = NULL;
  OK(jwtauth_assertion_builder_new(key, S("c1"), S(ISSUER), &b, NULL));
  OK(jwtauth_assertion_builder_set_clock(b, clock, NULL));
  for (int t = 0; t < THREADS; t++)
    for (int i = 0; i < PER_THREAD; i++) OK(jwtauth_assertion_builder_sign(b, &distinct[t][i], NULL));
  jwtauth_assertion *shared = NULL;
  OK(jwtauth_assertion_builder_sign(b, &shared, NULL));
  shared_jws = jwtauth_assertion_jws(shared);

  pthread_t th[THREADS];
  for (int t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, verify_distinct, distinct[t]);
  for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
  CHECK(atomic_load(&accepted) == THREADS * PER_THREAD && atomic_load(&other) == 0,
        "distinct assertions: %d accepted, %d refused", atomic_load(&accepted), atomic_load(&other));

  atomic_store(&accepted, 0);
  for (int t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, verify_shared, NULL);
  atomic_store(&go, 1);
  for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
  CHECK(atomic_load(&accepted) == 1 && atomic_load(&replayed) == THREADS - 1 && atomic_load(&other) == 0,
        "one jti from %d threads: %d accepted, %d replayed, %d other", THREADS, atomic_load(&accepted),
        atomic_load(&replayed), atomic_load(&other));

  for (int t = 0; t < THREADS; t++)
    for (int i = 0; i < PER_THREAD; i++) jwtauth_assertion_free(distinct[t][i]);
  jwtauth_assertion_free(shared);
  jwtauth_assertion_builder_free(b);
  jwtauth_verifier_free(verifier);
  jwtauth_verifier_config_free(cfg);
  jwtauth_registry_free(registry);
  jwtauth_signing_key_free(key);
  jwtauth_string_free(jwk);
  jwtauth_clock_free(clock);
  return report("C threads");
}
