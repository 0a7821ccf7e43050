/* Exercises every function of the C API, success and error paths: keys,
 * signing, verification, the registry (memory and callback), token-request
 * authentication, credential validation, replay and remote-JWKS callbacks,
 * the error object, and the NULL / bad-argument conventions. */
#include <inttypes.h>
#include <stdbool.h>

#include "check.h"
#include "jwtauth.h" /* included twice on purpose: the include guard must hold */

#define ISSUER "https://as.example.com"
#define NOW 1800000000

static jwtauth_status st_of(jwtauth_status st, jwtauth_error **err, const char *what) {
  if (st != JWTAUTH_OK && err != NULL && *err != NULL) {
    /* touch every accessor of a real error */
    CHECK(jwtauth_error_status(*err) == st, "%s: status of error", what);
    CHECK(jwtauth_error_name(*err) != NULL && jwtauth_error_detail(*err) != NULL, "%s: name/detail", what);
    CHECK(jwtauth_error_oauth_error(*err) != NULL && jwtauth_error_description(*err) != NULL, "%s: oauth", what);
    CHECK(jwtauth_error_http_status(*err) >= 400 && jwtauth_error_response_body(*err) != NULL, "%s: response",
          what);
  }
  return st;
}

/* Expect `call` to fail with `want`, writing an error object. */
#define FAILS(want, call_with_err)                                                         \
  do {                                                                                     \
    jwtauth_error *err = NULL;                                                             \
    jwtauth_status st_ = st_of((call_with_err), &err, #call_with_err);                     \
    CHECK(st_ == (want), "%s -> %s, want %s (%s)", #call_with_err,                         \
          jwtauth_status_name((uint32_t)st_), jwtauth_status_name((uint32_t)(want)),       \
          err ? jwtauth_error_detail(err) : "no error object");                            \
    CHECK(err != NULL, "%s: no error object", #call_with_err);                             \
    jwtauth_error_free(err);                                                               \
  } while (0)

/* The request-level explanation: each step, and the response a refusal gets. */
static void test_authenticator_explain(void) {
  const char *doc = "{\"clients\":[{\"client_id\":\"web\",\"token_endpoint_auth_method\":\"client_secret_basic\","
                    "\"client_secret\":\"a-secret-of-enough-length\"}]}";
  jwtauth_registry *reg = NULL;
  jwtauth_verifier_config *cfg = NULL;
  jwtauth_authenticator *auth = NULL;
  OK(jwtauth_registry_from_json(STR(doc), NULL, NOW, &reg, NULL));
  OK(jwtauth_verifier_config_new(S(ISSUER), &cfg, NULL));
  OK(jwtauth_authenticator_new(cfg, reg, NULL, 0, &auth, NULL));
  char *why = NULL;
  /* web:nope */
  OK(jwtauth_authenticator_explain_json(auth, S("Basic d2ViOm5vcGU="), (const uint8_t *)"grant_type=client_credentials", 29,
                                        &why, NULL));
  CHECK(strstr(why, "\"error\":\"JWTAUTH_INVALID_SECRET\"") != NULL && strstr(why, "\"status\":401") != NULL &&
            strstr(why, "\"name\":\"secret\",\"rule\":9,\"status\":\"fail\"") != NULL,
        "request explain: %s", why);
  jwtauth_string_free(why);
  why = NULL;
  OK(jwtauth_authenticator_explain_json(auth, NULL, 0, (const uint8_t *)"client_id=web", 13, &why, NULL));
  CHECK(strstr(why, "\"verdict\":\"refused\"") != NULL, "no credentials: %s", why);
  jwtauth_string_free(why);
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_authenticator_explain_json(NULL, NULL, 0, NULL, 0, &why, &err));
  jwtauth_authenticator_free(auth);
  jwtauth_verifier_config_free(cfg);
  jwtauth_registry_free(reg);
}

/* The policy hook: what it answers decides, after every check. */
static int32_t hook_mode;
static char hook_seen[512];
static int32_t policy_hook(void *user_data, const char *context, size_t len, char *reason, size_t cap) {
  CHECK(user_data == &hook_mode, "user_data passed back");
  snprintf(hook_seen, sizeof hook_seen, "%.*s", (int)len, context);
  if (hook_mode == JWTAUTH_POLICY_REFUSE) snprintf(reason, cap, "%s", "tenant suspended");
  return hook_mode;
}

static void test_policy_hook(void) {
  const char *doc = "{\"clients\":[{\"client_id\":\"web\",\"token_endpoint_auth_method\":\"client_secret_basic\","
                    "\"client_secret\":\"a-secret-of-enough-length\"}]}";
  const char *basic = "Basic d2ViOmEtc2VjcmV0LW9mLWVub3VnaC1sZW5ndGg="; /* web:a-secret-of-enough-length */
  const uint8_t *body = (const uint8_t *)"grant_type=client_credentials";
  jwtauth_registry *reg = NULL;
  jwtauth_verifier_config *cfg = NULL;
  jwtauth_authenticator *auth = NULL;
  jwtauth_authenticated *a = NULL;
  jwtauth_error *err = NULL;
  OK(jwtauth_registry_from_json(STR(doc), NULL, NOW, &reg, NULL));
  OK(jwtauth_verifier_config_new(S(ISSUER), &cfg, NULL));
  OK(jwtauth_verifier_config_set_policy_hook(cfg, policy_hook, &hook_mode, NULL));
  OK(jwtauth_authenticator_new(cfg, reg, NULL, 0, &auth, NULL));
  hook_mode = JWTAUTH_POLICY_REFUSE;
  CHECK(jwtauth_authenticate(auth, STR(basic), body, 29, &a, &err) == JWTAUTH_POLICY_REFUSED && a == NULL, "refused");
  CHECK(strstr(jwtauth_error_detail(err), "tenant suspended") != NULL, "reason in the detail: %s", jwtauth_error_detail(err));
  CHECK(strstr(jwtauth_error_response_body(err), "tenant") == NULL, "the reason is not sent");
  CHECK(jwtauth_error_http_status(err) == 401, "401");
  jwtauth_error_free(err);
  err = NULL;
  CHECK(strstr(hook_seen, "\"client_id\":\"web\"") != NULL && strstr(hook_seen, "\"method\":\"client_secret_basic\"") != NULL,
        "context: %s", hook_seen);
  hook_mode = JWTAUTH_POLICY_ACCEPT;
  OK(jwtauth_authenticate(auth, STR(basic), body, 29, &a, NULL));
  jwtauth_authenticated_free(a);
  a = NULL;
  for (int32_t mode = JWTAUTH_POLICY_ERROR; mode <= 7; mode += 5) { /* ERROR, and an undocumented 7 */
    hook_mode = mode;
    CHECK(jwtauth_authenticate(auth, STR(basic), body, 29, &a, &err) == JWTAUTH_HOOK_FAILED, "fails closed on %d", mode);
    CHECK(jwtauth_error_http_status(err) == 503, "503");
    jwtauth_error_free(err);
    err = NULL;
  }
  /* NULL removes the hook. */
  OK(jwtauth_verifier_config_set_policy_hook(cfg, NULL, NULL, NULL));
  jwtauth_authenticator_free(auth);
  OK(jwtauth_authenticator_new(cfg, reg, NULL, 0, &auth, NULL));
  OK(jwtauth_authenticate(auth, STR(basic), body, 29, &a, NULL));
  jwtauth_authenticated_free(a);
  jwtauth_authenticator_free(auth);
  jwtauth_verifier_config_free(cfg);
  jwtauth_registry_free(reg);
}

/* The event hook: every outcome, accepted or refused, told once; what it
 * sees names the client and the method, never the secret. */
static int events_seen;
static char events_log[2048];
static void event_hook(void *user_data, const char *event, size_t len) {
  CHECK(user_data == &events_seen, "user_data passed back");
  events_seen++;
  size_t used = strlen(events_log);
  snprintf(events_log + used, sizeof events_log - used, "%.*s\n", (int)len, event);
}

/* A subject hook: batch-job only; "answer" says what else it returns. */
static int32_t subject_hook(void *user_data, const char *issuer, size_t issuer_len, const char *subject, size_t subject_len) {
  (void)issuer, (void)issuer_len;
  int32_t other = *(const int32_t *)user_data;
  return subject_len == 9 && memcmp(subject, "batch-job", 9) == 0 ? JWTAUTH_SUBJECT_ALLOWED : other;
}

/* JWT bearer grants: the trust table, the grant request's refusals (the
 * accepted ones run from tests/vectors/grants.json in vectors.c). */
static void test_grants(void) {
  const char *doc = "{\"clients\":[{\"client_id\":\"web\",\"token_endpoint_auth_method\":\"client_secret_basic\","
                    "\"client_secret\":\"a-secret-of-enough-length\"}]}";
  const char *basic = "Basic d2ViOmEtc2VjcmV0LW9mLWVub3VnaC1sZW5ndGg="; /* web:a-secret-of-enough-length */
  const char *trust = "{\"issuers\":[{\"issuer\":\"https://ci.example.com\",\"subjects\":[\"x\"],\"jwks\":{\"keys\":["
                      "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"D5_NU4zNBGVZtgEBsJrYUt3qrsqP85MiUbkK2N8FWNQ\"}]}}]}";
  const char *bad = "{\"issuers\":[{\"issuer\":\"https://ci.example.com\",\"jwks_uri\":\"http://ci.example.com/k\"}]}";
  const char *grant = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=e30.e30.AAAA";
  jwtauth_registry *reg = NULL;
  jwtauth_verifier_config *cfg = NULL;
  jwtauth_trust_table *table = NULL;
  jwtauth_authenticator *plain = NULL, *auth = NULL;
  jwtauth_grant_request *g = NULL;
  char *json = NULL;
  OK(jwtauth_registry_from_json(STR(doc), NULL, NOW, &reg, NULL));
  OK(jwtauth_verifier_config_new(S(ISSUER), &cfg, NULL));
  /* Without a trust table the call is a usage error. */
  OK(jwtauth_authenticator_new(cfg, reg, NULL, 0, &plain, NULL));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_authenticate_grant(plain, STR(basic), (const uint8_t *)grant, strlen(grant), NULL, &g, &err));
  /* A table with problems: every one, by JSON Pointer. */
  FAILS(JWTAUTH_INVALID_CLIENT_METADATA, jwtauth_trust_table_from_json(STR(bad), NULL, NOW, &table, &err));
  CHECK(table == NULL, "no table on failure");
  OK(jwtauth_trust_table_from_json(STR(trust), NULL, NOW, &table, NULL));
  CHECK(jwtauth_trust_table_len(table) == 1 && jwtauth_trust_table_len(NULL) == 0, "one issuer");
  OK(jwtauth_verifier_config_set_trust_table(cfg, table, NULL));
  jwtauth_trust_table_free(table); /* the configuration keeps its own reference */
  OK(jwtauth_authenticator_new(cfg, reg, NULL, 0, &auth, NULL));
  /* A bad grant: invalid_grant, 400, whatever the rule (here a header without alg). */
  jwtauth_error *e = NULL;
  CHECK(jwtauth_authenticate_grant(auth, STR(basic), (const uint8_t *)grant, strlen(grant), NULL, &g, &e) ==
                JWTAUTH_MALFORMED_HEADER &&
            g == NULL && jwtauth_error_http_status(e) == 400 &&
            strcmp(jwtauth_error_oauth_error(e), "invalid_grant") == 0 &&
            strstr(jwtauth_error_response_body(e), "\"error\":\"invalid_grant\"") != NULL &&
            jwtauth_error_www_authenticate(e) == NULL,
        "a refused grant: %s %s", jwtauth_error_name(e), jwtauth_error_response_body(e));
  jwtauth_error_free(e);
  /* No client authentication: the client's refusal, invalid_client. */
  FAILS(JWTAUTH_NO_CLIENT_AUTHENTICATION,
        jwtauth_authenticate_grant(auth, NULL, 0, (const uint8_t *)grant, strlen(grant), NULL, &g, &err));
  /* Another grant beside it: invalid_request. */
  const char *two = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c&code=x";
  FAILS(JWTAUTH_MULTIPLE_GRANTS, jwtauth_authenticate_grant(auth, STR(basic), (const uint8_t *)two, strlen(two), NULL, &g, &err));
  /* The explanation names the failed step. */
  OK(jwtauth_authenticator_explain_grant_json(auth, S("e30.e30.AAAA"), &json, NULL));
  CHECK(strstr(json, "\"verdict\":\"refused\"") != NULL && strstr(json, "\"error\":\"JWTAUTH_MALFORMED_HEADER\"") != NULL,
        "explain: %s", json);
  jwtauth_string_free(json);
  /* A grant the library signs (set_subject), accepted as a grant request. */
  {
    jwtauth_signing_key *key = NULL;
    jwtauth_assertion_builder *b = NULL;
    jwtauth_assertion *signed_grant = NULL;
    jwtauth_trust_table *t2 = NULL;
    jwtauth_authenticator *a2 = NULL;
    jwtauth_grant_request *ok = NULL;
    char *jwk = NULL, doc2[1024], body2[2048];
    OK(jwtauth_signing_key_generate(S("EdDSA"), 0, NULL, 0, &key, NULL));
    OK(jwtauth_signing_key_public_jwk(key, &jwk, NULL));
    snprintf(doc2, sizeof doc2, "{\"issuers\":[{\"issuer\":\"https://svc.example\",\"subjects\":[\"batch-job\"],"
             "\"jwks\":{\"keys\":[%s]}}]}", jwk);
    OK(jwtauth_trust_table_from_json(STR(doc2), NULL, 0, &t2, NULL));
    OK(jwtauth_verifier_config_set_trust_table(cfg, t2, NULL));
    OK(jwtauth_authenticator_new(cfg, reg, NULL, 0, &a2, NULL));
    OK(jwtauth_assertion_builder_new(key, S("https://svc.example"), S(ISSUER), &b, NULL));
    OK(jwtauth_assertion_builder_set_subject(b, S("batch-job"), NULL));
    OK(jwtauth_assertion_builder_sign(b, &signed_grant, NULL));
    const char *form = jwtauth_assertion_form_body(signed_grant);
    CHECK(strncmp(form, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=ey", 77) == 0,
          "a grant's form body: %s", form);
    snprintf(body2, sizeof body2, "%s&scope=batch", form);
    OK(jwtauth_authenticate_grant(a2, STR(basic), (const uint8_t *)body2, strlen(body2), NULL, &ok, NULL));
    CHECK(strcmp(jwtauth_grant_request_issuer(ok), "https://svc.example") == 0 &&
              strcmp(jwtauth_grant_request_subject(ok), "batch-job") == 0 && jwtauth_grant_request_jti(ok) != NULL &&
              strcmp(jwtauth_authenticated_client_id(jwtauth_grant_request_client(ok)), "web") == 0 &&
              strstr(jwtauth_grant_request_claims_json(ok), "\"sub\":\"batch-job\"") != NULL,
          "the grant request: %s", jwtauth_grant_request_claims_json(ok));
    jwtauth_grant_request_free(ok);
    FAILS(JWTAUTH_REPLAYED, jwtauth_authenticate_grant(a2, STR(basic), (const uint8_t *)body2, strlen(body2), NULL, &ok, &err));
    /* subjects "host": the hook decides; an answer that is neither fails closed. */
    char doc3[1024];
    snprintf(doc3, sizeof doc3, "{\"issuers\":[{\"issuer\":\"https://svc.example\",\"subjects\":\"host\","
             "\"jwks\":{\"keys\":[%s]}}]}", jwk);
    int32_t answers[2] = {JWTAUTH_SUBJECT_NOT_ALLOWED_BY_HOOK, 7};
    jwtauth_status wants[2] = {JWTAUTH_SUBJECT_NOT_ALLOWED, JWTAUTH_HOOK_FAILED};
    for (int i = 0; i < 2; i++) {
      jwtauth_trust_table *t3 = NULL;
      jwtauth_verifier_config *c3 = NULL;
      jwtauth_authenticator *a3 = NULL;
      jwtauth_assertion *g1 = NULL, *g2 = NULL;
      OK(jwtauth_trust_table_from_json(STR(doc3), NULL, 0, &t3, NULL));
      OK(jwtauth_trust_table_set_subject_hook(t3, subject_hook, &answers[i], NULL));
      OK(jwtauth_verifier_config_new(S(ISSUER), &c3, NULL));
      OK(jwtauth_verifier_config_set_trust_table(c3, t3, NULL));
      FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_trust_table_set_subject_hook(t3, NULL, NULL, &err)); /* shared now */
      OK(jwtauth_authenticator_new(c3, reg, NULL, 0, &a3, NULL));
      OK(jwtauth_assertion_builder_sign(b, &g1, NULL)); /* batch-job */
      snprintf(body2, sizeof body2, "%s", jwtauth_assertion_form_body(g1));
      OK(jwtauth_authenticate_grant(a3, STR(basic), (const uint8_t *)body2, strlen(body2), NULL, &ok, NULL));
      jwtauth_grant_request_free(ok);
      ok = NULL;
      OK(jwtauth_assertion_builder_set_subject(b, S("someone-else"), NULL));
      OK(jwtauth_assertion_builder_sign(b, &g2, NULL));
      OK(jwtauth_assertion_builder_set_subject(b, S("batch-job"), NULL));
      snprintf(body2, sizeof body2, "%s", jwtauth_assertion_form_body(g2));
      jwtauth_error *e3 = NULL;
      CHECK(jwtauth_authenticate_grant(a3, STR(basic), (const uint8_t *)body2, strlen(body2), NULL, &ok, &e3) == wants[i],
            "the hook answering %d: %s", (int)answers[i], jwtauth_error_name(e3));
      jwtauth_error_free(e3);
      jwtauth_assertion_free(g1);
      jwtauth_assertion_free(g2);
      jwtauth_authenticator_free(a3);
      jwtauth_verifier_config_free(c3);
      jwtauth_trust_table_free(t3);
    }
    jwtauth_string_free(jwk);
    jwtauth_assertion_free(signed_grant);
    jwtauth_assertion_builder_free(b);
    jwtauth_authenticator_free(a2);
    jwtauth_trust_table_free(t2);
    jwtauth_signing_key_free(key);
  }
  /* NULL conventions. */
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_authenticate_grant(auth, NULL, 0, (const uint8_t *)grant, strlen(grant), NULL, NULL, &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_config_set_trust_table(cfg, NULL, &err));
  CHECK(jwtauth_grant_request_issuer(NULL) == NULL && jwtauth_grant_request_client(NULL) == NULL, "NULL results");
  jwtauth_grant_request_free(NULL);
  jwtauth_trust_table_free(NULL);
  jwtauth_authenticator_free(plain);
  jwtauth_authenticator_free(auth);
  jwtauth_verifier_config_free(cfg);
  jwtauth_registry_free(reg);
}

static void test_event_hook(void) {
  const char *doc = "{\"clients\":[{\"client_id\":\"web\",\"token_endpoint_auth_method\":\"client_secret_basic\","
                    "\"client_secret\":\"a-secret-of-enough-length\"}]}";
  const char *basic = "Basic d2ViOmEtc2VjcmV0LW9mLWVub3VnaC1sZW5ndGg="; /* web:a-secret-of-enough-length */
  const char *wrong = "Basic d2ViOm5vcGU=";                               /* web:nope */
  const uint8_t *body = (const uint8_t *)"grant_type=client_credentials";
  jwtauth_registry *reg = NULL;
  jwtauth_verifier_config *cfg = NULL;
  jwtauth_authenticator *auth = NULL;
  jwtauth_verifier *v = NULL;
  jwtauth_authenticated *a = NULL;
  jwtauth_verified *ok = NULL;
  OK(jwtauth_registry_from_json(STR(doc), NULL, NOW, &reg, NULL));
  OK(jwtauth_verifier_config_new(S(ISSUER), &cfg, NULL));
  OK(jwtauth_verifier_config_set_event_hook(cfg, event_hook, &events_seen, NULL));
  OK(jwtauth_authenticator_new(cfg, reg, NULL, 0, &auth, NULL));
  OK(jwtauth_verifier_new(cfg, &v, NULL));
  OK(jwtauth_authenticate(auth, STR(basic), body, 29, &a, NULL));
  jwtauth_authenticated_free(a);
  a = NULL;
  FAILS(JWTAUTH_INVALID_SECRET, jwtauth_authenticate(auth, STR(wrong), body, 29, &a, &err));
  FAILS(JWTAUTH_MALFORMED_JWS, jwtauth_verifier_verify(v, reg, S("not-a-jwt"), NULL, 0, &ok, &err));
  CHECK(events_seen == 3, "three calls, three events: %d\n%s", events_seen, events_log);
  char *second = strchr(events_log, '\n');
  CHECK(second != NULL && strstr(events_log, "\"outcome\":\"accepted\"") < second &&
            strstr(events_log, "\"client_id\":\"web\"") < second &&
            strstr(events_log, "\"method\":\"client_secret_basic\"") < second &&
            strstr(events_log, "\"profile\":\"compat\"") < second && strstr(events_log, "\"duration_us\":") < second,
        "accepted: %s", events_log);
  CHECK(strstr(second, "\"code\":\"JWTAUTH_INVALID_SECRET\"") != NULL && strstr(second, "\"status\":401") != NULL,
        "refused: %s", second);
  CHECK(strstr(second, "\"code\":\"JWTAUTH_MALFORMED_JWS\"") != NULL, "the verifier's refusal: %s", second);
  CHECK(strstr(events_log, "a-secret-of-enough-length") == NULL && strstr(events_log, "nope") == NULL,
        "no secret in an event");
  /* NULL removes the hook: a verifier made afterwards tells nothing. */
  OK(jwtauth_verifier_config_set_event_hook(cfg, NULL, NULL, NULL));
  jwtauth_verifier_free(v);
  OK(jwtauth_verifier_new(cfg, &v, NULL));
  FAILS(JWTAUTH_MALFORMED_JWS, jwtauth_verifier_verify(v, reg, S("not-a-jwt"), NULL, 0, &ok, &err));
  CHECK(events_seen == 3, "no hook, no event");
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_config_set_event_hook(NULL, event_hook, NULL, &err));
  jwtauth_verifier_free(v);
  jwtauth_authenticator_free(auth);
  jwtauth_verifier_config_free(cfg);
  jwtauth_registry_free(reg);
}

/* Mutual TLS arguments (the vectors run the method itself): a bad format is
 * the caller's error, a certificate that does not read is the request's. */
static void test_mtls_arguments(void) {
  const char *doc = "{\"clients\":[{\"client_id\":\"dev\",\"token_endpoint_auth_method\":\"tls_client_auth\","
                    "\"tls_client_auth_san_dns\":\"dev.example.com\"}]}";
  const uint8_t *body = (const uint8_t *)"grant_type=client_credentials&client_id=dev";
  jwtauth_registry *reg = NULL;
  jwtauth_verifier_config *cfg = NULL;
  jwtauth_authenticator *auth = NULL;
  jwtauth_authenticated *a = NULL;
  char *why = NULL;
  OK(jwtauth_registry_from_json(STR(doc), NULL, NOW, &reg, NULL));
  OK(jwtauth_verifier_config_new(S(ISSUER), &cfg, NULL));
  FAILS(JWTAUTH_INVALID_KEY, jwtauth_verifier_config_set_client_ca(cfg, S("not a CA bundle"), &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_config_set_client_ca(NULL, S("x"), &err));
  OK(jwtauth_authenticator_new(cfg, reg, NULL, 0, &auth, NULL));
  jwtauth_client_certificate bad_format = {(const uint8_t *)"x", 1, "p12", 3, false};
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_authenticate_tls(auth, NULL, 0, body, 43, &bad_format, &a, &err));
  jwtauth_client_certificate garbage = {(const uint8_t *)"not DER", 7, "der", 3, true};
  FAILS(JWTAUTH_MALFORMED_CLIENT_CERTIFICATE, jwtauth_authenticate_tls(auth, NULL, 0, body, 43, &garbage, &a, &err));
  FAILS(JWTAUTH_CLIENT_CERTIFICATE_REQUIRED, jwtauth_authenticate_tls(auth, NULL, 0, body, 43, NULL, &a, &err));
  OK(jwtauth_authenticator_explain_tls_json(auth, NULL, 0, body, 43, NULL, &why, NULL));
  CHECK(strstr(why, "\"name\":\"certificate\",\"rule\":10,\"status\":\"fail\"") != NULL, "explain: %s", why);
  jwtauth_string_free(why);
  CHECK(jwtauth_authenticated_certificate_thumbprint(NULL) == NULL, "NULL result, NULL thumbprint");
  jwtauth_authenticator_free(auth);
  jwtauth_verifier_config_free(cfg);
  jwtauth_registry_free(reg);
}

/* Profiles: a fapi2 server refuses Basic; a report-only fapi2 profile accepts
 * it, says what it would refuse, and counts it. */
static void test_profiles(void) {
  const char *doc = "{\"clients\":[{\"client_id\":\"web\",\"token_endpoint_auth_method\":\"client_secret_basic\","
                    "\"client_secret\":\"a-secret-of-enough-length\"}]}";
  const char *basic = "Basic d2ViOmEtc2VjcmV0LW9mLWVub3VnaC1sZW5ndGg="; /* web:a-secret-of-enough-length */
  const uint8_t *body = (const uint8_t *)"grant_type=client_credentials";
  jwtauth_registry *reg = NULL;
  jwtauth_verifier_config *cfg = NULL;
  jwtauth_authenticator *enforcing = NULL, *reporting = NULL;
  jwtauth_authenticated *a = NULL;
  OK(jwtauth_registry_from_json(STR(doc), NULL, NOW, &reg, NULL));
  OK(jwtauth_verifier_config_new(S(ISSUER), &cfg, NULL));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_config_set_profile(cfg, S("fapi3"), &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_config_set_report_profile(cfg, NULL, 0, &err));
  OK(jwtauth_verifier_config_set_profile(cfg, S("fapi2"), NULL));
  OK(jwtauth_authenticator_new(cfg, reg, NULL, 0, &enforcing, NULL));
  FAILS(JWTAUTH_AUTH_METHOD_MISMATCH, jwtauth_authenticate(enforcing, STR(basic), body, 29, &a, &err));
  CHECK(a == NULL, "refused: no result");
  OK(jwtauth_verifier_config_set_profile(cfg, S("compat"), NULL));
  OK(jwtauth_verifier_config_set_report_profile(cfg, S("fapi2"), NULL));
  OK(jwtauth_authenticator_new(cfg, reg, NULL, 0, &reporting, NULL));
  char *report = NULL;
  OK(jwtauth_authenticator_report_json(reporting, &report, NULL));
  CHECK(strcmp(report, "{\"counts\":[],\"dropped\":0,\"profile\":\"fapi2\"}") == 0, "empty report: %s", report);
  jwtauth_string_free(report);
  for (int i = 0; i < 2; i++) {
    OK(jwtauth_authenticate(reporting, STR(basic), body, 29, &a, NULL));
    const char *profile = NULL;
    CHECK(jwtauth_authenticated_would_refuse(a, &profile) == JWTAUTH_AUTH_METHOD_MISMATCH &&
              profile != NULL && strcmp(profile, "fapi2") == 0,
          "would refuse");
    CHECK(jwtauth_authenticated_would_refuse(a, NULL) == JWTAUTH_AUTH_METHOD_MISMATCH, "NULL profile pointer");
    jwtauth_authenticated_free(a);
    a = NULL;
  }
  OK(jwtauth_authenticator_report_json(reporting, &report, NULL));
  CHECK(strstr(report, "{\"client_id\":\"web\",\"code\":\"JWTAUTH_AUTH_METHOD_MISMATCH\",\"count\":2}") != NULL,
        "counted: %s", report);
  jwtauth_string_free(report);
  CHECK(jwtauth_authenticated_would_refuse(NULL, NULL) == JWTAUTH_OK, "NULL result");
  CHECK(jwtauth_verified_would_refuse(NULL, NULL) == JWTAUTH_OK, "NULL verified");
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_authenticator_report_json(NULL, &report, &err));
  /* Endpoint views: a bad name is a usage error; a view shares the counters. */
  jwtauth_authenticator *at = NULL;
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_config_set_endpoint(cfg, S("userinfo_endpoint"), S("https://x"), &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_authenticator_at(reporting, S("introspection"), &at, &err));
  OK(jwtauth_authenticator_at(reporting, S("introspection_endpoint"), &at, NULL));
  OK(jwtauth_authenticate(at, STR(basic), body, 29, &a, NULL));
  jwtauth_authenticated_free(a);
  a = NULL;
  OK(jwtauth_authenticator_report_json(reporting, &report, NULL));
  CHECK(strstr(report, "\"count\":3") != NULL, "a view counts into the same report: %s", report);
  jwtauth_string_free(report);
  OK(jwtauth_authenticator_metrics_json(reporting, &report, NULL));
  CHECK(strstr(report, "\"client_secret_basic\":3") != NULL, "metrics: %s", report);
  jwtauth_string_free(report);
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_metrics_json(NULL, &report, &err));
  jwtauth_authenticator_free(at);
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_report_json(NULL, &report, &err));
  jwtauth_authenticator_free(enforcing);
  jwtauth_authenticator_free(reporting);
  jwtauth_verifier_config_free(cfg);
  jwtauth_registry_free(reg);
}

static void test_version_and_table(void) {
  CHECK(strcmp(jwtauth_version(), JWTAUTH_VERSION) == 0, "version %s vs %s", jwtauth_version(), JWTAUTH_VERSION);
  CHECK(jwtauth_version_number() == JWTAUTH_VERSION_NUMBER, "packed version");
  /* The provider of this build: FIPS only in a `fips` build (tests/providers.sh sets JWTAUTH_EXPECT_FIPS=1). */
  const char *expect_fips = getenv("JWTAUTH_EXPECT_FIPS");
  bool fips = expect_fips != NULL && strcmp(expect_fips, "1") == 0;
  CHECK(jwtauth_fips_mode() == fips, "FIPS mode %d, expected %d", (int)jwtauth_fips_mode(), (int)fips);
  CHECK(strcmp(jwtauth_crypto_provider(), fips ? "aws-lc-rs (FIPS)" : "aws-lc-rs") == 0, "provider %s",
        jwtauth_crypto_provider());
  CHECK(strcmp(jwtauth_status_name(JWTAUTH_OK), "OK") == 0, "OK name");
  CHECK(strcmp(jwtauth_status_name(JWTAUTH_REPLAYED), "REPLAYED") == 0, "REPLAYED name");
  CHECK(JWTAUTH_REPLAYED == 500 && JWTAUTH_INVALID_ARGUMENT == 1 && JWTAUTH_WEAK_KEY == 601, "numbers are ABI");
  CHECK(strcmp(jwtauth_status_oauth_error(JWTAUTH_REPLAYED), "invalid_client") == 0, "oauth error");
  CHECK(jwtauth_status_http_status(JWTAUTH_REPLAY_STORE_UNAVAILABLE) == 503, "http status");
  CHECK(jwtauth_status_description(JWTAUTH_EXPIRED) != NULL, "description");
  CHECK(jwtauth_status_name(424242) == NULL && jwtauth_status_oauth_error(JWTAUTH_OK) == NULL, "unknown");
  CHECK(jwtauth_status_http_status(424242) == 0 && jwtauth_status_description(424242) == NULL, "unknown 2");
}

static void test_null_conventions(void) {
  /* _free(NULL) is a no-op for every type */
  jwtauth_error_free(NULL);
  jwtauth_string_free(NULL);
  jwtauth_signing_key_free(NULL);
  jwtauth_verifying_key_free(NULL);
  jwtauth_jwks_free(NULL);
  jwtauth_clock_free(NULL);
  jwtauth_assertion_builder_free(NULL);
  jwtauth_assertion_free(NULL);
  jwtauth_verifier_config_free(NULL);
  jwtauth_verifier_free(NULL);
  jwtauth_verified_free(NULL);
  jwtauth_policy_free(NULL);
  jwtauth_client_free(NULL);
  jwtauth_registry_free(NULL);
  jwtauth_authenticator_free(NULL);
  jwtauth_authenticated_free(NULL);
  jwtauth_replay_store_free(NULL);
  jwtauth_remote_jwks_config_free(NULL);
  jwtauth_remote_jwks_free(NULL);
  /* accessors of NULL */
  CHECK(jwtauth_error_status(NULL) == JWTAUTH_INTERNAL && jwtauth_error_name(NULL) == NULL, "error NULL");
  CHECK(jwtauth_error_detail(NULL) == NULL && jwtauth_error_http_status(NULL) == 0, "error NULL 2");
  CHECK(jwtauth_error_oauth_error(NULL) == NULL && jwtauth_error_description(NULL) == NULL, "error NULL 3");
  CHECK(jwtauth_error_response_body(NULL) == NULL && jwtauth_error_www_authenticate(NULL) == NULL, "error NULL 4");
  CHECK(jwtauth_error_problem_count(NULL) == 0, "problems NULL");
  CHECK(jwtauth_error_problem(NULL, 0, NULL, NULL, NULL) == JWTAUTH_INVALID_ARGUMENT, "problem NULL");
  CHECK(jwtauth_signing_key_alg(NULL) == NULL && jwtauth_jwks_len(NULL) == 0, "key NULL");
  CHECK(jwtauth_assertion_jws(NULL) == NULL && jwtauth_assertion_jti(NULL) == NULL, "assertion NULL");
  CHECK(jwtauth_assertion_form_body(NULL) == NULL, "assertion NULL 2");
  jwtauth_assertion_times(NULL, NULL, NULL);
  CHECK(jwtauth_verified_client_id(NULL) == NULL && jwtauth_verified_replay_until(NULL) == 0, "verified NULL");
  CHECK(jwtauth_verified_jti(NULL) == NULL && jwtauth_verified_claims_json(NULL) == NULL, "verified NULL 2");
  CHECK(jwtauth_verified_alg(NULL) == NULL && jwtauth_verified_key_thumbprint(NULL) == NULL, "verified NULL 3");
  CHECK(jwtauth_authenticated_client_id(NULL) == NULL && jwtauth_authenticated_method(NULL) == NULL, "auth NULL");
  CHECK(jwtauth_authenticated_assertion(NULL) == NULL && jwtauth_registry_len(NULL) == 0, "auth NULL 2");
  /* NULL outputs, NULL handles, (NULL, n) strings, bad UTF-8, NUL bytes */
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_config_new(S(ISSUER), NULL, &err));
  jwtauth_verifier_config *cfg = NULL;
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_config_new(NULL, 5, &cfg, &err));
  CHECK(cfg == NULL, "output untouched on failure");
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_config_new("\xff\xfe", 2, &cfg, &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_config_new("a\0b", 3, &cfg, &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_new(NULL, NULL, &err));
  jwtauth_verifier *v = NULL;
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_new(NULL, &v, &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_clock_set(NULL, 1, &err));
  CHECK(jwtauth_clock_fixed_new(1, NULL) == JWTAUTH_INVALID_ARGUMENT, "clock NULL out");
  CHECK(jwtauth_replay_store_memory_new(0, NULL) == JWTAUTH_INVALID_ARGUMENT, "store NULL out");
  CHECK(jwtauth_registry_new(NULL) == JWTAUTH_INVALID_ARGUMENT, "registry NULL out");
  CHECK(jwtauth_policy_new(NULL) == JWTAUTH_INVALID_ARGUMENT, "policy NULL out");
  CHECK(jwtauth_remote_jwks_config_new(NULL) == JWTAUTH_INVALID_ARGUMENT, "remote NULL out");
  /* A failure without an error pointer still returns the status. */
  CHECK(jwtauth_verifier_new(NULL, &v, NULL) == JWTAUTH_INVALID_ARGUMENT, "no err pointer");
}

static jwtauth_signing_key *es256_key;
static char *es256_jwk;

static void test_keys(void) {
  jwtauth_signing_key *k = NULL, *k2 = NULL;
  char *pem = NULL, *pub_pem = NULL, *jwk = NULL, *tp = NULL, *tp2 = NULL, *tp3 = NULL, *tp4 = NULL;
  OK(jwtauth_signing_key_generate(S("ES256"), 0, S("key-1"), &k, NULL));
  CHECK(strcmp(jwtauth_signing_key_alg(k), "ES256") == 0, "alg");
  OK(jwtauth_signing_key_private_pem(k, &pem, NULL));
  CHECK(strstr(pem, "BEGIN PRIVATE KEY") != NULL, "PKCS#8");
  OK(jwtauth_signing_key_from_pem(STR(pem), NULL, 0, S("key-1"), &k2, NULL));
  jwtauth_signing_key *k3 = NULL;
  FAILS(JWTAUTH_KEY_USAGE_MISMATCH, jwtauth_signing_key_from_pem(STR(pem), S("ES384"), NULL, 0, &k3, &err));
  OK(jwtauth_signing_key_from_pem(STR(pem), S("ES256"), NULL, 0, &k3, NULL));
  CHECK(strcmp(jwtauth_signing_key_alg(k3), "ES256") == 0, "alg given");
  jwtauth_signing_key_free(k3);
  OK(jwtauth_signing_key_thumbprint(k, &tp, NULL));
  OK(jwtauth_signing_key_thumbprint(k2, &tp2, NULL));
  CHECK(strcmp(tp, tp2) == 0, "PEM round trip keeps the key");
  OK(jwtauth_signing_key_public_pem(k, &pub_pem, NULL));
  OK(jwtauth_signing_key_public_jwk(k, &jwk, NULL));
  CHECK(strstr(jwk, "\"kid\":\"key-1\"") != NULL && strstr(jwk, "\"d\"") == NULL, "public JWK %s", jwk);
  jwtauth_verifying_key *vk = NULL, *vk2 = NULL;
  OK(jwtauth_verifying_key_from_pem(STR(pub_pem), S("key-1"), &vk, NULL));
  OK(jwtauth_verifying_key_from_jwk(STR(jwk), &vk2, NULL));
  OK(jwtauth_verifying_key_thumbprint(vk, &tp3, NULL));
  OK(jwtauth_verifying_key_thumbprint(vk2, &tp4, NULL));
  CHECK(strcmp(tp, tp3) == 0 && strcmp(tp, tp4) == 0, "thumbprints agree");
  char *vk_jwk = NULL;
  OK(jwtauth_verifying_key_to_jwk(vk2, &vk_jwk, NULL));
  CHECK(strstr(vk_jwk, "\"crv\":\"P-256\"") != NULL, "to_jwk");
  int64_t not_after = 0;
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifying_key_certificate(vk, &not_after, NULL, NULL, &err));
  FAILS(JWTAUTH_PRIVATE_KEY_MATERIAL, jwtauth_verifying_key_from_pem(STR(pem), NULL, 0, &vk, &err));
  FAILS(JWTAUTH_INVALID_KEY, jwtauth_verifying_key_from_certificate_der((const uint8_t *)"junk", 4, NULL, 0, &vk, &err));
  FAILS(JWTAUTH_INVALID_KEY, jwtauth_verifying_key_from_jwk(S("{\"kty\":\"EC\"}"), &vk, &err));
  /* JWKS */
  char doc[2048];
  snprintf(doc, sizeof doc, "{\"keys\":[%s]}", jwk);
  jwtauth_jwks *set = NULL;
  OK(jwtauth_jwks_from_json(STR(doc), &set, NULL));
  CHECK(jwtauth_jwks_len(set) == 1, "jwks len");
  char *set_json = NULL;
  OK(jwtauth_jwks_to_json(set, &set_json, NULL));
  CHECK(strstr(set_json, "key-1") != NULL, "jwks to_json");
  FAILS(JWTAUTH_INVALID_KEY, jwtauth_jwks_from_json(S("{}"), &set, &err));
  /* secrets, algorithms, generation errors */
  jwtauth_signing_key *h = NULL;
  FAILS(JWTAUTH_WEAK_KEY, jwtauth_signing_key_from_secret((const uint8_t *)"short", 5, S("HS256"), &h, &err));
  FAILS(JWTAUTH_UNSUPPORTED_ALGORITHM, jwtauth_signing_key_from_secret((const uint8_t *)"x", 1, S("none"), &h, &err));
  FAILS(JWTAUTH_UNSUPPORTED_ALGORITHM, jwtauth_signing_key_generate(S("XX999"), 0, NULL, 0, &h, &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_signing_key_generate(S("ES256"), 2048, NULL, 0, &h, &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_signing_key_generate(S("RS256"), 1024, NULL, 0, &h, &err));
  OK(jwtauth_signing_key_generate(S("HS256"), 0, NULL, 0, &h, NULL));
  char *none = NULL;
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_signing_key_public_jwk(h, &none, &err));
  CHECK(none == NULL, "no output on failure");
  jwtauth_signing_key_free(h);
  jwtauth_signing_key *ed = NULL, *from_jwk = NULL;
  OK(jwtauth_signing_key_generate(S("EdDSA"), 0, NULL, 0, &ed, NULL));
  FAILS(JWTAUTH_INVALID_KEY, jwtauth_signing_key_from_jwk(S("{}"), &from_jwk, &err));
  FAILS(JWTAUTH_INVALID_KEY, jwtauth_signing_key_from_pem(S("not a pem"), NULL, 0, NULL, 0, &from_jwk, &err));
  jwtauth_signing_key_free(ed);

  es256_key = k;
  es256_jwk = jwk;
  jwtauth_signing_key_free(k2);
  jwtauth_verifying_key_free(vk);
  jwtauth_verifying_key_free(vk2);
  jwtauth_jwks_free(set);
  jwtauth_string_free(pem);
  jwtauth_string_free(pub_pem);
  jwtauth_string_free(tp);
  jwtauth_string_free(tp2);
  jwtauth_string_free(tp3);
  jwtauth_string_free(tp4);
  jwtauth_string_free(vk_jwk);
  jwtauth_string_free(set_json);
}

static jwtauth_verifier_config *config_at(jwtauth_clock *clock) {
  jwtauth_verifier_config *cfg = NULL;
  OK(jwtauth_verifier_config_new(S(ISSUER), &cfg, NULL));
  OK(jwtauth_verifier_config_set_token_endpoint(cfg, S(ISSUER "/token"), NULL));
  OK(jwtauth_verifier_config_add_audience(cfg, S(ISSUER "/par"), NULL));
  OK(jwtauth_verifier_config_set_audience_mode(cfg, S("compat"), NULL));
  OK(jwtauth_verifier_config_set_limits(cfg, 30, 300, 8192, NULL));
  OK(jwtauth_verifier_config_set_algorithms(cfg, S("ES256, EdDSA,HS256,RS256"), NULL));
  OK(jwtauth_verifier_config_set_clock(cfg, clock, NULL));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_config_set_audience_mode(cfg, S("loose"), &err));
  FAILS(JWTAUTH_UNSUPPORTED_ALGORITHM, jwtauth_verifier_config_set_algorithms(cfg, S("ES256,none"), &err));
  return cfg;
}

static jwtauth_assertion *sign(jwtauth_clock *clock, const char *client_id, const char *jti) {
  jwtauth_assertion_builder *b = NULL;
  jwtauth_assertion *a = NULL;
  OK(jwtauth_assertion_builder_new(es256_key, STR(client_id), S(ISSUER), &b, NULL));
  OK(jwtauth_assertion_builder_set_clock(b, clock, NULL));
  if (jti != NULL) OK(jwtauth_assertion_builder_set_jti(b, STR(jti), NULL));
  OK(jwtauth_assertion_builder_sign(b, &a, NULL));
  jwtauth_assertion_builder_free(b);
  return a;
}

static void test_sign_and_verify(void) {
  jwtauth_clock *clock = NULL;
  OK(jwtauth_clock_fixed_new(NOW, &clock));
  jwtauth_assertion_builder *b = NULL;
  OK(jwtauth_assertion_builder_new(es256_key, S("client-1"), S(ISSUER), &b, NULL));
  OK(jwtauth_assertion_builder_set_clock(b, clock, NULL));
  OK(jwtauth_assertion_builder_set_lifetime(b, 600, false, NULL));
  jwtauth_assertion *a = NULL;
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_assertion_builder_sign(b, &a, &err));
  OK(jwtauth_assertion_builder_set_lifetime(b, 120, false, NULL));
  OK(jwtauth_assertion_builder_set_not_before(b, true, NULL));
  OK(jwtauth_assertion_builder_set_typ(b, NULL, 0, NULL));
  OK(jwtauth_assertion_builder_set_typ(b, S("client-authentication+jwt"), NULL));
  OK(jwtauth_assertion_builder_set_kid(b, S("key-1"), NULL));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_assertion_builder_add_claim(b, S("exp"), S("1"), &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_assertion_builder_add_claim(b, S("x"), S("{oops"), &err));
  OK(jwtauth_assertion_builder_add_claim(b, S("tenant"), S("\"acme\""), NULL));
  OK(jwtauth_assertion_builder_sign(b, &a, NULL));
  int64_t iat = 0, exp = 0;
  jwtauth_assertion_times(a, &iat, &exp);
  CHECK(iat == NOW && exp == NOW + 120, "times %" PRId64 " %" PRId64, iat, exp);
  CHECK(strncmp(jwtauth_assertion_form_body(a), "client_id=client-1&client_assertion_type=", 41) == 0, "form %s",
        jwtauth_assertion_form_body(a));
  CHECK(strlen(jwtauth_assertion_jti(a)) >= 16, "fresh jti");

  jwtauth_verifier_config *cfg = config_at(clock);
  jwtauth_verifier *v = NULL;
  OK(jwtauth_verifier_new(cfg, &v, NULL));
  jwtauth_client *c = NULL;
  jwtauth_verifying_key *vk = NULL;
  OK(jwtauth_verifying_key_from_jwk(STR(es256_jwk), &vk, NULL));
  OK(jwtauth_client_new(S("client-1"), S("private_key_jwt"), &c, NULL));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_client_new(S("x"), S("magic"), &c, &err));
  OK(jwtauth_client_add_key(c, vk, NULL, false, NULL));
  OK(jwtauth_client_set_signing_alg(c, S("ES256"), NULL));
  OK(jwtauth_client_set_overrides(c, S("compat"), 300, NULL));
  char *cid = NULL;
  OK(jwtauth_client_id(c, &cid, NULL));
  CHECK(strcmp(cid, "client-1") == 0, "client id");
  jwtauth_string_free(cid);
  jwtauth_registry *reg = NULL;
  OK(jwtauth_registry_new(&reg));
  OK(jwtauth_registry_insert(reg, c, NULL));
  CHECK(jwtauth_registry_len(reg) == 1, "registry len");

  jwtauth_verified *ok = NULL;
  const char *jws = jwtauth_assertion_jws(a);
  /* Explaining records nothing: twice "accepted", and verify still accepts after. */
  for (int i = 0; i < 2; i++) {
    char *why = NULL;
    OK(jwtauth_verifier_explain_json(v, reg, STR(jws), NULL, 0, &why, NULL));
    CHECK(strstr(why, "\"verdict\":\"accepted\"") != NULL && strstr(why, "\"client_id\":\"client-1\"") != NULL,
          "explain: %s", why);
    jwtauth_string_free(why);
  }
  {
    char *why = NULL;
    OK(jwtauth_verifier_explain_json(v, reg, STR(jws), S("client-2"), &why, NULL));
    CHECK(strstr(why, "\"error\":\"JWTAUTH_CLIENT_ID_MISMATCH\"") != NULL && strstr(why, "\"fix\":\"send the same") != NULL,
          "explain refusal: %s", why);
    jwtauth_string_free(why);
    FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_explain_json(v, reg, STR(jws), NULL, 0, NULL, &err));
  }
  FAILS(JWTAUTH_CLIENT_ID_MISMATCH, jwtauth_verifier_verify(v, reg, STR(jws), S("client-2"), &ok, &err));
  OK(jwtauth_verifier_verify(v, reg, STR(jws), S("client-1"), &ok, NULL));
  CHECK(strcmp(jwtauth_verified_client_id(ok), "client-1") == 0, "client");
  CHECK(strcmp(jwtauth_verified_jti(ok), jwtauth_assertion_jti(a)) == 0, "jti");
  CHECK(strstr(jwtauth_verified_claims_json(ok), "\"tenant\":\"acme\"") != NULL, "claims %s",
        jwtauth_verified_claims_json(ok));
  CHECK(strcmp(jwtauth_verified_alg(ok), "ES256") == 0, "alg");
  CHECK(jwtauth_verified_replay_until(ok) >= NOW + 120, "replay until");
  char *tp = NULL;
  OK(jwtauth_signing_key_thumbprint(es256_key, &tp, NULL));
  CHECK(strcmp(tp, jwtauth_verified_key_thumbprint(ok)) == 0, "key thumbprint");
  jwtauth_string_free(tp);
  jwtauth_verified_free(ok);
  ok = NULL;
  /* The same assertion again: a replay. */
  FAILS(JWTAUTH_REPLAYED, jwtauth_verifier_verify(v, reg, STR(jws), NULL, 0, &ok, &err));
  CHECK(ok == NULL, "no output on failure");
  /* Several results alive at once, freed out of order (the library keeps
   * one freed result's allocation per thread for the next): each keeps its
   * own values, and later results are intact (valgrind and ASan watch). */
  {
    jwtauth_assertion *as[3];
    jwtauth_verified *rs[3];
    for (int i = 0; i < 3; i++) {
      as[i] = sign(clock, "client-1", NULL);
      rs[i] = NULL;
      OK(jwtauth_verifier_verify(v, reg, STR(jwtauth_assertion_jws(as[i])), NULL, 0, &rs[i], NULL));
    }
    for (int i = 0; i < 3; i++)
      CHECK(strcmp(jwtauth_verified_jti(rs[i]), jwtauth_assertion_jti(as[i])) == 0, "jti of result %d", i);
    jwtauth_verified_free(rs[1]);
    jwtauth_verified_free(rs[0]);
    CHECK(strcmp(jwtauth_verified_client_id(rs[2]), "client-1") == 0, "survivor");
    jwtauth_verified_free(rs[2]);
    jwtauth_assertion *again = sign(clock, "client-1", NULL);
    jwtauth_verified *r = NULL;
    OK(jwtauth_verifier_verify(v, reg, STR(jwtauth_assertion_jws(again)), NULL, 0, &r, NULL));
    CHECK(strcmp(jwtauth_verified_client_id(r), "client-1") == 0, "reused allocation: client");
    CHECK(strcmp(jwtauth_verified_jti(r), jwtauth_assertion_jti(again)) == 0, "reused allocation: jti");
    jwtauth_verified_free(r);
    jwtauth_verified_free(NULL);
    for (int i = 0; i < 3; i++) jwtauth_assertion_free(as[i]);
    jwtauth_assertion_free(again);
  }
  /* Assertion bytes are request content: UTF-8 or not, a failing one is
   * refused by the rule it breaks (401), never as an argument error. */
  FAILS(JWTAUTH_INVALID_BASE64, jwtauth_verifier_verify(v, reg, S("eyJhbGciOiJIUzI1NiJ9.\xff\xfe.c2ln"), NULL, 0, &ok, &err));
  FAILS(JWTAUTH_INVALID_BASE64, jwtauth_verifier_verify(v, reg, S("eyJhbGciOiJIUzI1NiJ9.\xc3\xa9.c2ln"), NULL, 0, &ok, &err));
  CHECK(ok == NULL, "no output on failure");
  /* Unknown client; expired after the clock moves; garbage. */
  jwtauth_assertion *other = sign(clock, "nobody", NULL);
  FAILS(JWTAUTH_UNKNOWN_CLIENT, jwtauth_verifier_verify(v, reg, STR(jwtauth_assertion_jws(other)), NULL, 0, &ok, &err));
  jwtauth_assertion *later = sign(clock, "client-1", NULL);
  OK(jwtauth_clock_set(clock, NOW + 3600, NULL));
  FAILS(JWTAUTH_EXPIRED, jwtauth_verifier_verify(v, reg, STR(jwtauth_assertion_jws(later)), NULL, 0, &ok, &err));
  FAILS(JWTAUTH_MALFORMED_JWS, jwtauth_verifier_verify(v, reg, S("a.b"), NULL, 0, &ok, &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_verifier_verify(v, NULL, S("a.b.c"), NULL, 0, &ok, &err));
  /* Registry maintenance. */
  bool removed = false;
  OK(jwtauth_registry_remove(reg, S("client-1"), &removed, NULL));
  CHECK(removed, "removed");
  OK(jwtauth_registry_remove(reg, S("client-1"), &removed, NULL));
  CHECK(!removed && jwtauth_registry_len(reg) == 0, "removed twice");

  jwtauth_assertion_free(a);
  jwtauth_assertion_free(other);
  jwtauth_assertion_free(later);
  jwtauth_assertion_builder_free(b);
  jwtauth_verifying_key_free(vk);
  jwtauth_client_free(c);
  jwtauth_registry_free(reg);
  jwtauth_verifier_free(v);
  jwtauth_verifier_config_free(cfg);
  jwtauth_clock_free(clock);
}

/* A host registry: two clients in an array, a flag to simulate an outage. */
struct host_registry {
  jwtauth_client *clients[2];
  bool down;
  int calls;
};

static int32_t host_lookup(void *user_data, const char *id, size_t len, const jwtauth_client **out) {
  struct host_registry *h = user_data;
  h->calls++;
  if (h->down) return JWTAUTH_LOOKUP_ERROR;
  for (int i = 0; i < 2; i++) {
    char *cid = NULL;
    if (jwtauth_client_id(h->clients[i], &cid, NULL) != JWTAUTH_OK) return JWTAUTH_LOOKUP_ERROR;
    bool same = strlen(cid) == len && memcmp(cid, id, len) == 0;
    jwtauth_string_free(cid);
    if (same) {
      *out = h->clients[i];
      return JWTAUTH_LOOKUP_FOUND;
    }
  }
  return JWTAUTH_LOOKUP_NOT_FOUND;
}

/* A careless host lookup (say, case-insensitive): answers its first client
 * for any id. */
static int32_t sloppy_lookup(void *user_data, const char *id, size_t len, const jwtauth_client **out) {
  (void)id;
  (void)len;
  *out = ((struct host_registry *)user_data)->clients[0];
  return JWTAUTH_LOOKUP_FOUND;
}

/* A host replay store: remembers one jti; can fail. */
struct host_replay {
  char seen[16][64];
  int n;
  bool down;
};

static int32_t host_replay(void *user_data, const char *client_id, size_t client_id_len, const char *jti,
                           size_t jti_len, int64_t expires_at, int64_t now) {
  struct host_replay *h = user_data;
  (void)client_id, (void)client_id_len;
  if (h->down || expires_at < now || jti_len >= 64) return JWTAUTH_REPLAY_ERROR;
  for (int i = 0; i < h->n; i++)
    if (strlen(h->seen[i]) == jti_len && memcmp(h->seen[i], jti, jti_len) == 0) return JWTAUTH_REPLAY_SEEN;
  if (h->n == 16) return JWTAUTH_REPLAY_ERROR;
  memcpy(h->seen[h->n], jti, jti_len);
  h->seen[h->n++][jti_len] = '\0';
  return JWTAUTH_REPLAY_FRESH;
}

static void test_authenticate_and_callbacks(void) {
  jwtauth_clock *clock = NULL;
  OK(jwtauth_clock_fixed_new(NOW, &clock));
  struct host_registry hr = {{NULL, NULL}, false, 0};
  char meta[2048];
  snprintf(meta, sizeof meta,
           "{\"client_id\":\"client-1\",\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks\":{\"keys\":[%s]}}",
           es256_jwk);
  OK(jwtauth_client_from_json(NULL, STR(meta), NOW, &hr.clients[0], NULL));
  OK(jwtauth_client_from_json(NULL,
                              S("{\"client_id\":\"basic-1\",\"token_endpoint_auth_method\":\"client_secret_basic\","
                                "\"client_secret\":\"correct horse battery staple\"}"),
                              NOW, &hr.clients[1], NULL));
  jwtauth_registry *reg = NULL;
  OK(jwtauth_registry_from_callback(host_lookup, &hr, &reg, NULL));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_registry_from_callback(NULL, NULL, &reg, &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_registry_insert(reg, hr.clients[0], &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_registry_add_json(reg, STR(meta), NULL, NOW, &err));
  CHECK(jwtauth_registry_len(reg) == 0, "callback registry has no len");

  struct host_replay rep;
  memset(&rep, 0, sizeof rep);
  jwtauth_replay_store *store = NULL;
  OK(jwtauth_replay_store_callback_new(host_replay, &rep, &store, NULL));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_replay_store_callback_new(NULL, NULL, &store, &err));
  jwtauth_verifier_config *cfg = config_at(clock);
  OK(jwtauth_verifier_config_set_replay_store(cfg, store, NULL));
  jwtauth_authenticator *auth = NULL;
  OK(jwtauth_authenticator_new(cfg, reg, S("as.example.com"), &auth, NULL));

  /* private_key_jwt through the raw body */
  jwtauth_assertion *a = sign(clock, "client-1", "jti-1");
  char body[4096];
  snprintf(body, sizeof body, "grant_type=client_credentials&%s", jwtauth_assertion_form_body(a));
  jwtauth_authenticated *ok = NULL;
  OK(jwtauth_authenticate(auth, NULL, 0, (const uint8_t *)body, strlen(body), &ok, NULL));
  CHECK(strcmp(jwtauth_authenticated_client_id(ok), "client-1") == 0, "client");
  CHECK(strcmp(jwtauth_authenticated_method(ok), "private_key_jwt") == 0, "method");
  const jwtauth_verified *va = jwtauth_authenticated_assertion(ok);
  CHECK(va != NULL && strcmp(jwtauth_verified_jti(va), "jti-1") == 0, "assertion");
  jwtauth_authenticated_free(ok);
  ok = NULL;
  CHECK(rep.n == 1, "host replay store recorded the jti");
  /* replayed: the host store said SEEN */
  {
    jwtauth_error *err = NULL;
    jwtauth_status st = jwtauth_authenticate(auth, NULL, 0, (const uint8_t *)body, strlen(body), &ok, &err);
    CHECK(st == JWTAUTH_REPLAYED && jwtauth_error_http_status(err) == 401, "replay");
    CHECK(jwtauth_error_www_authenticate(err) == NULL, "no WWW-Authenticate without the header");
    CHECK(strcmp(jwtauth_error_response_body(err),
                 "{\"error\":\"invalid_client\",\"error_description\":\"The client assertion has already been "
                 "used.\"}") == 0,
          "body %s", jwtauth_error_response_body(err));
    jwtauth_error_free(err);
  }
  /* host store down: fail closed with a server error */
  rep.down = true;
  jwtauth_assertion *a2 = sign(clock, "client-1", "jti-2");
  snprintf(body, sizeof body, "grant_type=client_credentials&%s", jwtauth_assertion_form_body(a2));
  {
    jwtauth_error *err = NULL;
    jwtauth_status st = jwtauth_authenticate(auth, NULL, 0, (const uint8_t *)body, strlen(body), &ok, &err);
    CHECK(st == JWTAUTH_REPLAY_STORE_UNAVAILABLE && jwtauth_error_http_status(err) == 503, "store down");
    CHECK(strstr(jwtauth_error_response_body(err), "server_error") != NULL, "server_error");
    jwtauth_error_free(err);
  }
  rep.down = false;
  /* client_secret_basic through decoded pairs; wrong secret gets the header */
  jwtauth_param params[1] = {{S("grant_type"), S("client_credentials")}};
  const char *good = "Basic YmFzaWMtMTpjb3JyZWN0K2hvcnNlK2JhdHRlcnkrc3RhcGxl"; /* basic-1:correct+horse+... */
  OK(jwtauth_authenticate_form(auth, STR(good), params, 1, &ok, NULL));
  CHECK(ok && strcmp(jwtauth_authenticated_method(ok), "client_secret_basic") == 0, "basic");
  CHECK(jwtauth_authenticated_assertion(ok) == NULL, "no assertion for basic");
  jwtauth_authenticated_free(ok);
  ok = NULL;
  {
    jwtauth_error *err = NULL;
    const char *bad = "Basic YmFzaWMtMTp3cm9uZw=="; /* basic-1:wrong */
    jwtauth_status st = jwtauth_authenticate_form(auth, STR(bad), params, 1, &ok, &err);
    CHECK(st == JWTAUTH_INVALID_SECRET && jwtauth_error_http_status(err) == 401, "wrong secret");
    const char *www = jwtauth_error_www_authenticate(err);
    CHECK(www != NULL && strcmp(www, "Basic realm=\"as.example.com\", charset=\"UTF-8\"") == 0, "www %s", www);
    CHECK(strstr(jwtauth_error_detail(err), "correct") == NULL, "no secret in the detail");
    jwtauth_error_free(err);
  }
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_authenticate_form(auth, NULL, 0, NULL, 3, &ok, &err));
  /* Whatever bytes a request holds, the answer is the request's (400/401),
   * with WWW-Authenticate when the header was used. */
  {
    static const struct {
      const char *p;
      size_t n;
    } headers[] = {{S("Basic \xff\xfe")}, {S("Basic YmFzaWMtMTp3cm9uZw\0==")}, {S("\xc3\x28 x")}, {S("Basic \xed\xa0\x80")}};
    for (size_t i = 0; i < 4; i++) {
      jwtauth_error *e = NULL;
      jwtauth_status st = jwtauth_authenticate(auth, headers[i].p, headers[i].n, (const uint8_t *)"grant_type=x", 12, &ok, &e);
      CHECK((st == JWTAUTH_MALFORMED_AUTHORIZATION || st == JWTAUTH_UNSUPPORTED_AUTH_SCHEME) &&
                jwtauth_error_http_status(e) == 401 && jwtauth_error_www_authenticate(e) != NULL,
            "header bytes %zu: %u", i, (unsigned)st);
      jwtauth_error_free(e);
    }
    jwtauth_param bad_value[2] = {{S("client_id"), S("basic-1")}, {S("client_secret"), "\xff\xfe", 2}};
    FAILS(JWTAUTH_MALFORMED_REQUEST, jwtauth_authenticate_form(auth, NULL, 0, bad_value, 2, &ok, &err));
    static const uint8_t bad_body[] = "client_id=basic-1&client_secret=\xff";
    FAILS(JWTAUTH_MALFORMED_REQUEST, jwtauth_authenticate(auth, NULL, 0, bad_body, sizeof bad_body - 1, &ok, &err));
    /* Every header given: attacker-named ones are only headers; two
     * Authorization headers are refused. */
    jwtauth_param hs[4] = {{S("get"), S("x")}, {S("Entries"), S("y")}, {S("AUTHORIZATION"), STR(good)}, {"\xff", 1, "\xfe", 1}};
    OK(jwtauth_authenticate_headers(auth, hs, 4, (const uint8_t *)"grant_type=x", 12, &ok, NULL));
    CHECK(strcmp(jwtauth_authenticated_client_id(ok), "basic-1") == 0, "headers: client");
    jwtauth_authenticated_free(ok);
    ok = NULL;
    jwtauth_param two[2] = {{S("authorization"), STR(good)}, {S("Authorization"), STR(good)}};
    FAILS(JWTAUTH_MALFORMED_AUTHORIZATION, jwtauth_authenticate_headers(auth, two, 2, NULL, 0, &ok, &err));
    FAILS(JWTAUTH_NO_CLIENT_AUTHENTICATION, jwtauth_authenticate_headers(auth, hs, 2, NULL, 0, &ok, &err));
    FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_authenticate_headers(auth, NULL, 2, NULL, 0, &ok, &err));
  }
  FAILS(JWTAUTH_NO_CLIENT_AUTHENTICATION, jwtauth_authenticate(auth, NULL, 0, NULL, 0, &ok, &err));
  /* registry outage and unknown clients */
  jwtauth_assertion *stranger = sign(clock, "stranger", NULL);
  snprintf(body, sizeof body, "%s", jwtauth_assertion_form_body(stranger));
  FAILS(JWTAUTH_UNKNOWN_CLIENT, jwtauth_authenticate(auth, NULL, 0, (const uint8_t *)body, strlen(body), &ok, &err));
  /* A registry answering another client than the one asked for is not trusted. */
  {
    jwtauth_registry *sloppy = NULL;
    jwtauth_authenticator *sloppy_auth = NULL;
    OK(jwtauth_registry_from_callback(sloppy_lookup, &hr, &sloppy, NULL));
    OK(jwtauth_authenticator_new(cfg, sloppy, NULL, 0, &sloppy_auth, NULL));
    FAILS(JWTAUTH_UNKNOWN_CLIENT,
          jwtauth_authenticate(sloppy_auth, NULL, 0, (const uint8_t *)body, strlen(body), &ok, &err));
    jwtauth_authenticator_free(sloppy_auth);
    jwtauth_registry_free(sloppy);
  }
  hr.down = true;
  FAILS(JWTAUTH_REGISTRY_UNAVAILABLE,
        jwtauth_authenticate(auth, NULL, 0, (const uint8_t *)body, strlen(body), &ok, &err));
  hr.down = false;
  CHECK(hr.calls >= 4, "host lookup was called");

  jwtauth_assertion_free(a);
  jwtauth_assertion_free(a2);
  jwtauth_assertion_free(stranger);
  jwtauth_authenticator_free(auth);
  jwtauth_verifier_config_free(cfg);
  jwtauth_replay_store_free(store);
  jwtauth_registry_free(reg);
  jwtauth_client_free(hr.clients[0]);
  jwtauth_client_free(hr.clients[1]);
  jwtauth_clock_free(clock);
}

/* A host fetcher serving the client's JWKS, or failing. */
struct host_fetch {
  const char *body;
  int calls;
  bool fail;
};

static int32_t host_fetch(void *user_data, const char *uri, size_t uri_len, jwtauth_fetch_response *response) {
  struct host_fetch *h = user_data;
  h->calls++;
  if (h->fail || uri_len != strlen("https://keys.example.com/jwks") ||
      memcmp(uri, "https://keys.example.com/jwks", uri_len) != 0)
    return 1;
  if (jwtauth_fetch_response_set_body(response, (const uint8_t *)h->body, strlen(h->body), NULL) != JWTAUTH_OK)
    return 1;
  return jwtauth_fetch_response_set_max_age(response, 300, NULL) == JWTAUTH_OK ? 0 : 1;
}

static void test_remote_jwks(void) {
  jwtauth_clock *clock = NULL;
  OK(jwtauth_clock_fixed_new(NOW, &clock));
  char doc[2048];
  snprintf(doc, sizeof doc, "{\"keys\":[%s]}", es256_jwk);
  struct host_fetch hf = {doc, 0, false};
  jwtauth_remote_jwks_config *rc = NULL;
  OK(jwtauth_remote_jwks_config_new(&rc));
  OK(jwtauth_remote_jwks_config_set_ttl(rc, 600, 60, 3600, NULL));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_remote_jwks_config_set_ttl(rc, 10, 60, 3600, &err));
  OK(jwtauth_remote_jwks_config_set_cooldown(rc, 30, NULL));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_remote_jwks_config_set_cooldown(rc, -1, &err));
  OK(jwtauth_remote_jwks_config_set_limits(rc, 2000, 65536, NULL));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_remote_jwks_config_set_limits(rc, 0, 65536, &err));
  OK(jwtauth_remote_jwks_config_set_url_rules(rc, false, false, NULL));
  OK(jwtauth_remote_jwks_config_set_fetcher(rc, host_fetch, &hf, NULL));
  jwtauth_remote_jwks *remote = NULL;
  OK(jwtauth_remote_jwks_new(rc, &remote, NULL));
  jwtauth_remote_jwks_config_free(rc);

  jwtauth_registry *reg = NULL;
  OK(jwtauth_registry_new(&reg));
  OK(jwtauth_registry_add_json(reg,
                               S("{\"client_id\":\"remote-1\",\"token_endpoint_auth_method\":\"private_key_jwt\","
                                 "\"jwks_uri\":\"https://keys.example.com/jwks\"}"),
                               NULL, NOW, NULL));
  jwtauth_verifier_config *cfg = config_at(clock);
  OK(jwtauth_verifier_config_set_remote_jwks(cfg, remote, NULL));
  jwtauth_verifier *v = NULL;
  OK(jwtauth_verifier_new(cfg, &v, NULL));
  jwtauth_assertion *a = sign(clock, "remote-1", NULL);
  jwtauth_verified *ok = NULL;
  OK(jwtauth_verifier_verify(v, reg, STR(jwtauth_assertion_jws(a)), NULL, 0, &ok, NULL));
  jwtauth_verified_free(ok);
  ok = NULL;
  uint64_t fetches = 0;
  OK(jwtauth_remote_jwks_fetch_count(remote, S("https://keys.example.com/jwks"), &fetches, NULL));
  CHECK(fetches == 1 && hf.calls == 1, "one fetch (%" PRIu64 ", %d)", fetches, hf.calls);
  /* a second assertion uses the cache */
  jwtauth_assertion *b = sign(clock, "remote-1", NULL);
  OK(jwtauth_verifier_verify(v, reg, STR(jwtauth_assertion_jws(b)), NULL, 0, &ok, NULL));
  jwtauth_verified_free(ok);
  ok = NULL;
  CHECK(hf.calls == 1, "cached");
  /* remote disabled: the client's keys cannot be had */
  jwtauth_verifier *no_remote = NULL;
  OK(jwtauth_verifier_config_set_remote_jwks(cfg, NULL, NULL));
  OK(jwtauth_verifier_new(cfg, &no_remote, NULL));
  jwtauth_assertion *c = sign(clock, "remote-1", NULL);
  FAILS(JWTAUTH_JWKS_UNAVAILABLE, jwtauth_verifier_verify(no_remote, reg, STR(jwtauth_assertion_jws(c)), NULL, 0, &ok, &err));
  /* a failing host fetcher on a fresh cache */
  jwtauth_remote_jwks_config *rc2 = NULL;
  OK(jwtauth_remote_jwks_config_new(&rc2));
  OK(jwtauth_remote_jwks_config_set_fetcher(rc2, host_fetch, &hf, NULL));
  jwtauth_remote_jwks *failing = NULL;
  OK(jwtauth_remote_jwks_new(rc2, &failing, NULL));
  jwtauth_remote_jwks_config_free(rc2);
  hf.fail = true;
  OK(jwtauth_verifier_config_set_remote_jwks(cfg, failing, NULL));
  jwtauth_verifier *v2 = NULL;
  OK(jwtauth_verifier_new(cfg, &v2, NULL));
  FAILS(JWTAUTH_JWKS_UNAVAILABLE, jwtauth_verifier_verify(v2, reg, STR(jwtauth_assertion_jws(c)), NULL, 0, &ok, &err));

  jwtauth_assertion_free(a);
  jwtauth_assertion_free(b);
  jwtauth_assertion_free(c);
  jwtauth_verifier_free(v);
  jwtauth_verifier_free(v2);
  jwtauth_verifier_free(no_remote);
  jwtauth_verifier_config_free(cfg);
  jwtauth_remote_jwks_free(remote);
  jwtauth_remote_jwks_free(failing);
  jwtauth_registry_free(reg);
  jwtauth_clock_free(clock);
}

static void test_policy(void) {
  jwtauth_policy *p = NULL, *strict = NULL;
  OK(jwtauth_policy_new(&p));
  OK(jwtauth_policy_from_json(S("{\"min_rsa_bits\":3072}"), &strict, NULL));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_policy_from_json(S("{\"no_such_member\":1}"), &strict, &err));
  /* acceptable credentials */
  OK(jwtauth_policy_check_credential(p, JWTAUTH_CREDENTIAL_JWK, (const uint8_t *)es256_jwk, strlen(es256_jwk),
                                     S("private_key_jwt"), NULL, 0, NULL, 0, NULL, false, NOW, NULL));
  int64_t later = NOW + 86400;
  OK(jwtauth_policy_check_credential(p, JWTAUTH_CREDENTIAL_JWKS_URI, (const uint8_t *)"https://keys.example.com/jwks",
                                     29, S("private_key_jwt"), NULL, 0, NULL, 0, &later, false, NOW, NULL));
  OK(jwtauth_policy_check_credential(p, JWTAUTH_CREDENTIAL_SECRET,
                                     (const uint8_t *)"0123456789abcdef0123456789abcdef", 32,
                                     S("client_secret_jwt"), S("HS256"), NULL, 0, NULL, false, NOW, NULL));
  /* refused, every problem listed with code, location and message */
  char priv[2048];
  const char *d = strrchr(es256_jwk, '}');
  snprintf(priv, sizeof priv, "{\"keys\":[%.*s,\"d\":\"AAAA\"}]}", (int)(d - es256_jwk), es256_jwk);
  jwtauth_error *err = NULL;
  jwtauth_status st = jwtauth_policy_check_credential(p, JWTAUTH_CREDENTIAL_JWKS, (const uint8_t *)priv,
                                                      strlen(priv), S("private_key_jwt"), NULL, 0, NULL, 0, NULL,
                                                      false, NOW, &err);
  CHECK(st == JWTAUTH_PRIVATE_KEY_MATERIAL, "private member: %s", jwtauth_status_name((uint32_t)st));
  CHECK(jwtauth_error_problem_count(err) >= 1, "problems listed");
  jwtauth_status code;
  const char *loc = NULL, *msg = NULL;
  OK(jwtauth_error_problem(err, 0, &code, &loc, &msg));
  CHECK(code == JWTAUTH_PRIVATE_KEY_MATERIAL && strstr(msg, "private") != NULL && strstr(msg, "AAAA") == NULL,
        "message %s at %s", msg, loc);
  CHECK(jwtauth_error_problem(err, 99, &code, &loc, &msg) == JWTAUTH_INVALID_ARGUMENT, "index out of range");
  CHECK(strcmp(jwtauth_error_oauth_error(err), "invalid_client_metadata") == 0, "invalid_client_metadata");
  jwtauth_error_free(err);
  FAILS(JWTAUTH_INVALID_JWKS_URI,
        jwtauth_policy_check_credential(p, JWTAUTH_CREDENTIAL_JWKS_URI, (const uint8_t *)"http://10.0.0.1/jwks", 20,
                                        S("private_key_jwt"), NULL, 0, NULL, 0, NULL, false, NOW, &err));
  FAILS(JWTAUTH_WEAK_KEY,
        jwtauth_policy_check_credential(p, JWTAUTH_CREDENTIAL_SECRET, (const uint8_t *)"short", 5,
                                        S("client_secret_jwt"), NULL, 0, NULL, 0, NULL, false, NOW, &err));
  int64_t past = NOW - 1;
  FAILS(JWTAUTH_INVALID_EXPIRY,
        jwtauth_policy_check_credential(p, JWTAUTH_CREDENTIAL_JWK, (const uint8_t *)es256_jwk, strlen(es256_jwk),
                                        S("private_key_jwt"), NULL, 0, NULL, 0, &past, false, NOW, &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT,
        jwtauth_policy_check_credential(p, 77, (const uint8_t *)"x", 1, S("private_key_jwt"), NULL, 0, NULL, 0,
                                        NULL, false, NOW, &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT,
        jwtauth_policy_check_credential(p, JWTAUTH_CREDENTIAL_PEM, (const uint8_t *)"x", 1, S("bogus"), NULL, 0,
                                        NULL, 0, NULL, false, NOW, &err));
  /* client metadata refused as a whole */
  jwtauth_client *c = NULL;
  err = NULL;
  st = jwtauth_client_from_json(strict, S("{\"client_id\":\"\",\"token_endpoint_auth_method\":\"private_key_jwt\"}"),
                                NOW, &c, &err);
  CHECK(st != JWTAUTH_OK && c == NULL && jwtauth_error_problem_count(err) >= 1, "bad metadata: %s",
        jwtauth_status_name((uint32_t)st));
  jwtauth_error_free(err);
  jwtauth_registry *reg = NULL;
  FAILS(JWTAUTH_INVALID_CLIENT_METADATA, jwtauth_registry_from_json(S("[]"), NULL, NOW, &reg, &err));
  jwtauth_policy_free(p);
  jwtauth_policy_free(strict);
}

/* The Redis store: argument checks; fail closed (a server error, never an
 * acceptance) when nothing listens; with JWTAUTH_REDIS_URL, exactly once. */
static void test_redis_store(void) {
  jwtauth_replay_store *store = NULL;
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_replay_store_redis_new(S("http://example.com"), NULL, 0, 0, 0, 0, &store, &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_replay_store_redis_new(S("redis://127.0.0.1/"), S(""), 0, 0, 0, &store, &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_replay_store_redis_new(S("redis://127.0.0.1/"), NULL, 0, 0, 0, 0, NULL, &err));
  FAILS(JWTAUTH_INVALID_ARGUMENT, jwtauth_replay_store_redis_new(NULL, 5, NULL, 0, 0, 0, 0, &store, &err));
  CHECK(store == NULL, "no store on failure");

  jwtauth_clock *clock = NULL;
  OK(jwtauth_clock_fixed_new(NOW, &clock));
  jwtauth_client *c = NULL;
  jwtauth_verifying_key *vk = NULL;
  OK(jwtauth_verifying_key_from_jwk(STR(es256_jwk), &vk, NULL));
  OK(jwtauth_client_new(S("client-1"), S("private_key_jwt"), &c, NULL));
  OK(jwtauth_client_add_key(c, vk, NULL, false, NULL));
  jwtauth_registry *reg = NULL;
  OK(jwtauth_registry_new(&reg));
  OK(jwtauth_registry_insert(reg, c, NULL));

  /* Nothing listens on port 1: every check fails closed, within the timeouts. */
  OK(jwtauth_replay_store_redis_new(S("redis://:a-password@127.0.0.1:1/"), S("jwtauth-c-test"), 2, 200, 200, &store,
                                    NULL));
  jwtauth_verifier_config *cfg = config_at(clock);
  OK(jwtauth_verifier_config_set_replay_store(cfg, store, NULL));
  jwtauth_verifier *v = NULL;
  OK(jwtauth_verifier_new(cfg, &v, NULL));
  jwtauth_assertion *a = sign(clock, "client-1", NULL);
  jwtauth_verified *ok = NULL;
  {
    jwtauth_error *e = NULL;
    jwtauth_status st = jwtauth_verifier_verify(v, reg, STR(jwtauth_assertion_jws(a)), NULL, 0, &ok, &e);
    CHECK(st == JWTAUTH_REPLAY_STORE_UNAVAILABLE && ok == NULL, "redis down: %d", (int)st);
    CHECK(jwtauth_error_http_status(e) == 503, "503");
    CHECK(strstr(jwtauth_error_response_body(e), "server_error") != NULL, "server_error");
    CHECK(strstr(jwtauth_error_detail(e), "a-password") == NULL, "no password in the detail");
    jwtauth_error_free(e);
  }
  jwtauth_verifier_free(v);
  jwtauth_verifier_config_free(cfg);
  jwtauth_replay_store_free(store);

  /* One server, a Redis Cluster, a Sentinel-managed primary (CI starts all three). */
  const char *deployments[] = {"JWTAUTH_REDIS_URL", "JWTAUTH_REDIS_CLUSTER_URL", "JWTAUTH_REDIS_SENTINEL_URL"};
  for (size_t d = 0; d < sizeof deployments / sizeof deployments[0]; d++) {
    const char *url = getenv(deployments[d]);
    if (url == NULL || url[0] == '\0') {
      printf("redis store: %s not set, that part skipped\n", deployments[d]);
      continue;
    }
    /* A fresh jti per run: runs sharing the prefix do not meet. */
    OK(jwtauth_replay_store_redis_new(STR(url), S("jwtauth-c-test"), 0, 0, 0, &store, NULL));
    cfg = config_at(clock);
    OK(jwtauth_verifier_config_set_replay_store(cfg, store, NULL));
    OK(jwtauth_verifier_new(cfg, &v, NULL));
    jwtauth_verifier *v2 = NULL; /* a second "node" on the same Redis */
    OK(jwtauth_verifier_new(cfg, &v2, NULL));
    OK(jwtauth_verifier_verify(v, reg, STR(jwtauth_assertion_jws(a)), NULL, 0, &ok, NULL));
    jwtauth_verified_free(ok);
    ok = NULL;
    FAILS(JWTAUTH_REPLAYED, jwtauth_verifier_verify(v2, reg, STR(jwtauth_assertion_jws(a)), NULL, 0, &ok, &err));
    jwtauth_verifier_free(v);
    jwtauth_verifier_free(v2);
    jwtauth_verifier_config_free(cfg);
    jwtauth_replay_store_free(store);
  }
  jwtauth_assertion_free(a);
  jwtauth_registry_free(reg);
  jwtauth_verifying_key_free(vk);
  jwtauth_client_free(c);
  jwtauth_clock_free(clock);
}

int main(void) {
  test_version_and_table();
  test_null_conventions();
  test_keys();
  test_sign_and_verify();
  test_authenticate_and_callbacks();
  test_authenticator_explain();
  test_profiles();
  test_policy_hook();
  test_event_hook();
  test_grants();
  test_mtls_arguments();
  test_remote_jwks();
  test_policy();
  test_redis_store();
  jwtauth_signing_key_free(es256_key);
  jwtauth_string_free(es256_jwk);
  return report("C API");
}
