/* Runs the shared vectors (tests/vectors/, flattened by flatten_vectors.py
 * into a record stream) through the C API: the same verdicts and error codes
 * as the Rust suite.
 *   ./vectors vectors.rec */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>

#include "check.h"

typedef struct {
  char name[64];
  char *value; /* NUL-terminated copy */
  size_t len;
} record;

static FILE *in;

static bool next(record *r) {
  size_t len;
  free(r->value);
  r->value = NULL;
  if (fscanf(in, "%63s %zu", r->name, &len) != 2) return false;
  if (fgetc(in) != '\n') abort();
  r->value = malloc(len + 1);
  if (r->value == NULL || fread(r->value, 1, len, in) != len) abort();
  r->value[len] = '\0';
  r->len = len;
  if (fgetc(in) != '\n') abort();
  return true;
}

static bool is(const record *r, const char *name) { return strcmp(r->name, name) == 0; }

static int64_t num(const record *r) { return strtoll(r->value, NULL, 10); }

static char *dup(const record *r) {
  char *s = malloc(r->len + 1);
  if (s == NULL) abort();
  memcpy(s, r->value, r->len + 1);
  return s;
}

/* A verifier configuration built from the cfg_* records. */
static bool config_record(jwtauth_verifier_config **cfg, record *r) {
  if (is(r, "cfg_issuer")) {
    OK(jwtauth_verifier_config_new(r->value, r->len, cfg, NULL));
  } else if (is(r, "cfg_token_endpoint")) {
    OK(jwtauth_verifier_config_set_token_endpoint(*cfg, r->value, r->len, NULL));
  } else if (is(r, "cfg_audience")) {
    OK(jwtauth_verifier_config_add_audience(*cfg, r->value, r->len, NULL));
  } else if (is(r, "cfg_audience_mode")) {
    OK(jwtauth_verifier_config_set_audience_mode(*cfg, r->value, r->len, NULL));
  } else if (is(r, "cfg_leeway")) {
    OK(jwtauth_verifier_config_set_limits(*cfg, num(r), -1, 0, NULL));
  } else if (is(r, "cfg_max_age")) {
    OK(jwtauth_verifier_config_set_limits(*cfg, -1, num(r), 0, NULL));
  } else if (is(r, "cfg_max_lifetime")) {
    OK(jwtauth_verifier_config_set_max_lifetime(*cfg, num(r), NULL));
  } else if (is(r, "cfg_max_len")) {
    OK(jwtauth_verifier_config_set_limits(*cfg, -1, -1, (size_t)num(r), NULL));
  } else if (is(r, "cfg_algorithms")) {
    OK(jwtauth_verifier_config_set_algorithms(*cfg, r->value, r->len, NULL));
  } else if (is(r, "cfg_endpoint")) {
    /* the URL record follows */
    char name[64];
    snprintf(name, sizeof name, "%s", r->value);
    next(r);
    OK(jwtauth_verifier_config_set_endpoint(*cfg, STR(name), r->value, r->len, NULL));
  } else if (is(r, "cfg_profile")) {
    OK(jwtauth_verifier_config_set_profile(*cfg, r->value, r->len, NULL));
  } else if (is(r, "cfg_report_profile")) {
    OK(jwtauth_verifier_config_set_report_profile(*cfg, r->value, r->len, NULL));
  } else if (is(r, "cfg_client_ca")) {
    OK(jwtauth_verifier_config_set_client_ca(*cfg, r->value, r->len, NULL));
  } else {
    return false;
  }
  return true;
}

static const char *name_of(jwtauth_status st) { return jwtauth_status_name((uint32_t)st); }

/* A report-only verdict against an `expect_would` record: "none" or "profile:CODE". */
static bool would_matches(jwtauth_status st, const char *profile, const char *expect) {
  if (expect == NULL) return true;
  if (strcmp(expect, "none") == 0) return st == JWTAUTH_OK && profile == NULL;
  char got[128];
  snprintf(got, sizeof got, "%s:%s", profile ? profile : "", st == JWTAUTH_OK ? "" : name_of(st));
  return strcmp(got, expect) == 0;
}

static int cases_run, steps_run, registrations_refused, keys_run, defaults_run;

/* assertions.json: one case, from after its "case" record to "end_case". */
static void assertion_case(record *r, const char *id) {
  jwtauth_verifier_config *cfg = NULL;
  jwtauth_clock *clock = NULL;
  jwtauth_replay_store *store = NULL;
  jwtauth_verifier *verifier = NULL;
  jwtauth_registry *registry = NULL;
  jwtauth_client *client = NULL;
  /* credential being built */
  jwtauth_verifying_key *key = NULL;
  jwtauth_jwks *jwks = NULL;
  char *secret = NULL;
  int64_t expires_at = 0;
  bool has_expiry = false, from_cert = false;
  /* step */
  char *assertion = NULL, *step_client = NULL, *expect_error = NULL, *expect_client = NULL, *expect_would = NULL;
  int step = 0;

  OK(jwtauth_registry_new(&registry));
  OK(jwtauth_replay_store_memory_new(0, &store));
  while (next(r) && !is(r, "end_case")) {
    if (config_record(&cfg, r)) continue;
    if (is(r, "now")) {
      OK(jwtauth_clock_fixed_new(num(r), &clock));
    } else if (is(r, "begin")) {
      OK(jwtauth_verifier_config_set_clock(cfg, clock, NULL));
      OK(jwtauth_verifier_config_set_replay_store(cfg, store, NULL));
      OK(jwtauth_verifier_new(cfg, &verifier, NULL));
      if (r->len > 0) { /* the endpoint that receives the assertions */
        jwtauth_verifier *at = NULL;
        OK(jwtauth_verifier_at(verifier, r->value, r->len, &at, NULL));
        jwtauth_verifier_free(verifier);
        verifier = at;
      }
    } else if (is(r, "client")) {
      /* the method record follows */
      char *cid = dup(r);
      next(r);
      OK(jwtauth_client_new(STR(cid), r->value, r->len, &client, NULL));
      free(cid);
    } else if (is(r, "signing_alg")) {
      OK(jwtauth_client_set_signing_alg(client, r->value, r->len, NULL));
    } else if (is(r, "client_audience_mode")) {
      if (r->len > 0) OK(jwtauth_client_set_overrides(client, r->value, r->len, -1, NULL));
    } else if (is(r, "client_max_age")) {
      OK(jwtauth_client_set_overrides(client, NULL, 0, num(r), NULL));
    } else if (is(r, "client_profile")) {
      OK(jwtauth_client_set_profile(client, r->value, r->len, NULL));
    } else if (is(r, "cred_jwk")) {
      OK(jwtauth_verifying_key_from_jwk(r->value, r->len, &key, NULL));
    } else if (is(r, "cred_pem")) {
      OK(jwtauth_verifying_key_from_pem(r->value, r->len, NULL, 0, &key, NULL));
    } else if (is(r, "cred_jwks")) {
      OK(jwtauth_jwks_from_json(r->value, r->len, &jwks, NULL));
    } else if (is(r, "cred_secret")) {
      secret = dup(r);
    } else if (is(r, "cred_expires_at")) {
      expires_at = num(r);
      has_expiry = true;
    } else if (is(r, "cred_expiry_from_cert")) {
      from_cert = num(r) == 1;
    } else if (is(r, "end_cred")) {
      const int64_t *exp = has_expiry ? &expires_at : NULL;
      if (key != NULL) OK(jwtauth_client_add_key(client, key, exp, from_cert, NULL));
      if (jwks != NULL) OK(jwtauth_client_add_jwks(client, jwks, exp, NULL));
      if (secret != NULL) OK(jwtauth_client_set_secret(client, (const uint8_t *)secret, strlen(secret), exp, NULL));
      jwtauth_verifying_key_free(key);
      jwtauth_jwks_free(jwks);
      free(secret);
      key = NULL, jwks = NULL, secret = NULL, has_expiry = false, from_cert = false;
    } else if (is(r, "end_client")) {
      OK(jwtauth_registry_insert(registry, client, NULL));
      jwtauth_client_free(client);
      client = NULL;
    } else if (is(r, "step_now")) {
      OK(jwtauth_clock_set(clock, num(r), NULL));
    } else if (is(r, "assertion")) {
      assertion = dup(r);
    } else if (is(r, "step_client_id")) {
      step_client = dup(r);
    } else if (is(r, "expect_error")) {
      expect_error = dup(r);
    } else if (is(r, "expect_client")) {
      expect_client = dup(r);
    } else if (is(r, "expect_would")) {
      expect_would = dup(r);
    } else if (is(r, "end_step")) {
      jwtauth_verified *v = NULL;
      jwtauth_error *err = NULL;
      jwtauth_status st = jwtauth_verifier_verify(verifier, registry, STR(assertion), step_client,
                                                  step_client ? strlen(step_client) : 0, &v, &err);
      if (expect_error != NULL) {
        CHECK(st != JWTAUTH_OK && strcmp(name_of(st), expect_error) == 0 && v == NULL,
              "%s step %d: got %s, want %s", id, step, name_of(st), expect_error);
        CHECK(err != NULL && jwtauth_error_status(err) == st && strcmp(jwtauth_error_name(err), expect_error) == 0,
              "%s step %d: error object", id, step);
      } else {
        CHECK(st == JWTAUTH_OK && v != NULL && strcmp(jwtauth_verified_client_id(v), expect_client) == 0,
              "%s step %d: got %s (%s), want client %s", id, step, name_of(st),
              err ? jwtauth_error_detail(err) : "", expect_client);
        CHECK(err == NULL, "%s: err written on success", id);
        const char *profile = NULL;
        jwtauth_status would = jwtauth_verified_would_refuse(v, &profile);
        CHECK(would_matches(would, profile, expect_would), "%s step %d: would refuse %s %s, want %s", id, step,
              profile ? profile : "-", name_of(would), expect_would);
      }
      jwtauth_verified_free(v);
      jwtauth_error_free(err);
      free(assertion), free(step_client), free(expect_error), free(expect_client), free(expect_would);
      assertion = step_client = expect_error = expect_client = expect_would = NULL;
      step++;
      steps_run++;
    } else {
      CHECK(false, "%s: unknown record %s", id, r->name);
    }
  }
  cases_run++;
  jwtauth_verifier_free(verifier);
  jwtauth_verifier_config_free(cfg);
  jwtauth_registry_free(registry);
  jwtauth_replay_store_free(store);
  jwtauth_clock_free(clock);
}

#define MAX_PARAMS 32

/* requests.json: one case. */
static void request_case(record *r, const char *id) {
  jwtauth_verifier_config *cfg = NULL;
  jwtauth_clock *clock = NULL;
  jwtauth_policy *policy = NULL;
  jwtauth_registry *registry = NULL;
  jwtauth_authenticator *auth = NULL;
  char *realm = NULL, *registry_json = NULL, *problems = NULL;
  char *authorization = NULL, *body = NULL;
  char *expect_error = NULL, *expect_body = NULL, *expect_client = NULL, *expect_method = NULL, *expect_would = NULL;
  char *expect_thumbprint = NULL, *cert_format = NULL, *cert_data = NULL;
  size_t cert_len = 0;
  bool cert_verified = false;
  int64_t now = 0, expect_status = 0, expect_www = 0;
  char *names[MAX_PARAMS], *values[MAX_PARAMS];
  size_t nparams = 0;
  bool has_form = false;
  int step = 0;

  while (next(r) && !is(r, "end_case")) {
    if (config_record(&cfg, r)) continue;
    if (is(r, "realm")) {
      realm = dup(r);
    } else if (is(r, "now")) {
      now = num(r);
      OK(jwtauth_clock_fixed_new(now, &clock));
    } else if (is(r, "policy")) {
      OK(jwtauth_policy_from_json(r->value, r->len, &policy, NULL));
    } else if (is(r, "registry")) {
      registry_json = dup(r);
    } else if (is(r, "problems")) {
      problems = dup(r);
    } else if (is(r, "begin")) {
      jwtauth_error *err = NULL;
      jwtauth_status st = jwtauth_registry_from_json(STR(registry_json), policy, now, &registry, &err);
      if (problems != NULL) {
        /* Registration must fail with exactly these problem codes, in order. */
        char got[512] = "";
        size_t n = jwtauth_error_problem_count(err);
        for (size_t i = 0; i < n; i++) {
          jwtauth_status code;
          const char *loc, *msg;
          OK(jwtauth_error_problem(err, i, &code, &loc, &msg));
          if (i > 0) strncat(got, ",", sizeof got - strlen(got) - 1);
          strncat(got, name_of(code), sizeof got - strlen(got) - 1);
          CHECK(msg != NULL && strlen(msg) > 0 && loc != NULL, "%s: problem %zu message", id, i);
        }
        CHECK(st != JWTAUTH_OK && registry == NULL && strcmp(got, problems) == 0,
              "%s: registration problems %s, want %s", id, got, problems);
        if (n > 0) {
          jwtauth_status first;
          const char *loc, *msg;
          OK(jwtauth_error_problem(err, 0, &first, &loc, &msg));
          CHECK(st == first, "%s: status is the first problem", id);
        }
        if (st != JWTAUTH_OK) registrations_refused++;
      } else {
        CHECK(st == JWTAUTH_OK, "%s: registration refused: %s", id, err ? jwtauth_error_detail(err) : "");
        OK(jwtauth_verifier_config_set_clock(cfg, clock, NULL));
        OK(jwtauth_authenticator_new(cfg, registry, STR(realm), &auth, NULL));
      }
      jwtauth_error_free(err);
    } else if (is(r, "step_now")) {
      OK(jwtauth_clock_set(clock, num(r), NULL));
    } else if (is(r, "authorization")) {
      authorization = dup(r);
    } else if (is(r, "body")) {
      body = dup(r);
    } else if (is(r, "form_name")) {
      if (nparams < MAX_PARAMS) names[nparams] = dup(r);
    } else if (is(r, "form_value")) {
      if (nparams < MAX_PARAMS) values[nparams++] = dup(r);
    } else if (is(r, "form_end")) {
      has_form = true;
    } else if (is(r, "expect_error")) {
      expect_error = dup(r);
    } else if (is(r, "expect_status")) {
      expect_status = num(r);
    } else if (is(r, "expect_www")) {
      expect_www = num(r);
    } else if (is(r, "expect_body")) {
      expect_body = dup(r);
    } else if (is(r, "expect_client")) {
      expect_client = dup(r);
    } else if (is(r, "expect_method")) {
      expect_method = dup(r);
    } else if (is(r, "expect_would")) {
      expect_would = dup(r);
    } else if (is(r, "expect_thumbprint")) {
      expect_thumbprint = dup(r);
    } else if (is(r, "cert_format")) {
      cert_format = dup(r);
    } else if (is(r, "cert_verified")) {
      cert_verified = num(r) == 1;
    } else if (is(r, "cert_data")) {
      cert_data = dup(r); /* DER may hold NUL bytes: the length is kept */
      cert_len = r->len;
    } else if (is(r, "end_step")) {
      jwtauth_param params[MAX_PARAMS];
      for (size_t i = 0; i < nparams; i++) {
        params[i].name = names[i], params[i].name_len = strlen(names[i]);
        params[i].value = values[i], params[i].value_len = strlen(values[i]);
      }
      for (int api = 0; api < (has_form ? 2 : 1); api++) {
        jwtauth_authenticated *a = NULL;
        jwtauth_error *err = NULL;
        size_t alen = authorization ? strlen(authorization) : 0;
        jwtauth_client_certificate cert = {(const uint8_t *)cert_data, cert_len, cert_format,
                                           cert_format ? strlen(cert_format) : 0, cert_verified};
        jwtauth_status st =
            cert_format != NULL
                ? jwtauth_authenticate_tls(auth, authorization, alen, (const uint8_t *)body, strlen(body), &cert, &a, &err)
            : api == 0 ? jwtauth_authenticate(auth, authorization, alen, (const uint8_t *)body, strlen(body), &a, &err)
                       : jwtauth_authenticate_form(auth, authorization, alen, params, nparams, &a, &err);
        const char *api_name = api == 0 ? "body" : "form";
        if (expect_error != NULL) {
          const char *www = jwtauth_error_www_authenticate(err);
          CHECK(st != JWTAUTH_OK && a == NULL && strcmp(name_of(st), expect_error) == 0,
                "%s step %d (%s): got %s, want %s", id, step, api_name, name_of(st), expect_error);
          CHECK(jwtauth_error_http_status(err) == expect_status, "%s step %d (%s): status %u, want %" PRId64, id,
                step, api_name, jwtauth_error_http_status(err), expect_status);
          CHECK((www != NULL) == (expect_www == 1), "%s step %d (%s): WWW-Authenticate", id, step, api_name);
          CHECK(www == NULL || strstr(www, "realm=\"as.example.com\"") != NULL, "%s: realm in %s", id, www);
          CHECK(strcmp(jwtauth_error_response_body(err), expect_body) == 0, "%s step %d (%s): body %s, want %s",
                id, step, api_name, jwtauth_error_response_body(err), expect_body);
        } else {
          const char *method = jwtauth_authenticated_method(a);
          CHECK(st == JWTAUTH_OK && strcmp(jwtauth_authenticated_client_id(a), expect_client) == 0 &&
                    strcmp(method, expect_method) == 0,
                "%s step %d (%s): got %s (%s), want %s", id, step, api_name, name_of(st),
                err ? jwtauth_error_detail(err) : "", expect_client);
          bool jwt = strstr(method ? method : "", "_jwt") != NULL;
          CHECK((jwtauth_authenticated_assertion(a) != NULL) == jwt, "%s: assertion present iff JWT", id);
          const char *profile = NULL;
          jwtauth_status would = jwtauth_authenticated_would_refuse(a, &profile);
          CHECK(would_matches(would, profile, expect_would), "%s step %d (%s): would refuse %s %s, want %s", id,
                step, api_name, profile ? profile : "-", name_of(would), expect_would);
          const char *thumb = jwtauth_authenticated_certificate_thumbprint(a);
          CHECK(strcmp(thumb ? thumb : "", expect_thumbprint ? expect_thumbprint : "") == 0,
                "%s step %d (%s): thumbprint %s, want %s", id, step, api_name, thumb ? thumb : "-",
                expect_thumbprint ? expect_thumbprint : "-");
        }
        jwtauth_authenticated_free(a);
        jwtauth_error_free(err);
      }
      for (size_t i = 0; i < nparams; i++) free(names[i]), free(values[i]);
      nparams = 0, has_form = false;
      free(authorization), free(body), free(expect_error), free(expect_body), free(expect_client),
          free(expect_method), free(expect_would), free(expect_thumbprint), free(cert_format), free(cert_data);
      authorization = body = expect_error = expect_body = expect_client = expect_method = expect_would = NULL;
      expect_thumbprint = cert_format = cert_data = NULL;
      cert_len = 0, cert_verified = false;
      step++;
      steps_run++;
    } else {
      CHECK(false, "%s: unknown record %s", id, r->name);
    }
  }
  cases_run++;
  free(realm), free(registry_json), free(problems);
  jwtauth_authenticator_free(auth);
  jwtauth_registry_free(registry);
  jwtauth_policy_free(policy);
  jwtauth_verifier_config_free(cfg);
  jwtauth_clock_free(clock);
}

/* grants.json: one case. Two authenticators from one configuration share
 * its replay store ("second" runs a step on the other one). */
static int grant_steps, tables_refused;
static void grant_case(record *r, const char *id) {
  jwtauth_verifier_config *cfg = NULL;
  jwtauth_clock *clock = NULL;
  jwtauth_replay_store *store = NULL;
  jwtauth_registry *registry = NULL;
  jwtauth_trust_table *table = NULL;
  jwtauth_authenticator *auth[2] = {NULL, NULL};
  char *realm = NULL, *registry_json = NULL, *trust_json = NULL, *problems = NULL;
  char *authorization = NULL, *body = NULL, *expect_error = NULL, *expect_oauth = NULL;
  char *expect_client = NULL, *expect_method = NULL, *expect_issuer = NULL, *expect_subject = NULL;
  int64_t now = 0, expect_status = 0, expect_www = 0;
  int on = 0, step = 0;
  while (next(r) && !is(r, "end_case")) {
    if (config_record(&cfg, r)) continue;
    if (is(r, "realm")) realm = dup(r);
    else if (is(r, "now")) {
      now = num(r);
      OK(jwtauth_clock_fixed_new(now, &clock));
    }
    else if (is(r, "registry")) registry_json = dup(r);
    else if (is(r, "trust")) trust_json = dup(r);
    else if (is(r, "trust_problems")) problems = dup(r);
    else if (is(r, "begin")) {
      jwtauth_error *err = NULL;
      jwtauth_status st = jwtauth_trust_table_from_json(STR(trust_json), NULL, now, &table, &err);
      if (problems != NULL) {
        /* Refused with a problem at each of these JSON Pointers (sorted). */
        size_t n = jwtauth_error_problem_count(err);
        const char *locs[32];
        for (size_t i = 0; i < n && i < 32; i++) {
          jwtauth_status code;
          const char *msg;
          OK(jwtauth_error_problem(err, i, &code, &locs[i], &msg));
        }
        for (size_t i = 1; i < n && i < 32; i++)
          for (size_t j = i; j > 0 && strcmp(locs[j - 1], locs[j]) > 0; j--) {
            const char *t = locs[j];
            locs[j] = locs[j - 1], locs[j - 1] = t;
          }
        char got[512] = "";
        for (size_t i = 0; i < n && i < 32; i++) {
          if (i > 0) strncat(got, ",", sizeof got - strlen(got) - 1);
          strncat(got, locs[i], sizeof got - strlen(got) - 1);
        }
        CHECK(st != JWTAUTH_OK && table == NULL && strcmp(got, problems) == 0, "%s: problems at %s, want %s", id,
              got, problems);
        if (st != JWTAUTH_OK) tables_refused++;
      } else {
        CHECK(st == JWTAUTH_OK && jwtauth_trust_table_len(table) > 0, "%s: trust table refused: %s", id,
              err ? jwtauth_error_detail(err) : "");
        OK(jwtauth_registry_from_json(STR(registry_json), NULL, now, &registry, NULL));
        OK(jwtauth_replay_store_memory_new(1024, &store));
        OK(jwtauth_verifier_config_set_clock(cfg, clock, NULL));
        OK(jwtauth_verifier_config_set_replay_store(cfg, store, NULL));
        OK(jwtauth_verifier_config_set_trust_table(cfg, table, NULL));
        for (int i = 0; i < 2; i++) OK(jwtauth_authenticator_new(cfg, registry, STR(realm), &auth[i], NULL));
      }
      jwtauth_error_free(err);
    } else if (is(r, "authorization")) authorization = dup(r);
    else if (is(r, "second")) on = 1;
    else if (is(r, "body")) body = dup(r);
    else if (is(r, "expect_error")) expect_error = dup(r);
    else if (is(r, "expect_status")) expect_status = num(r);
    else if (is(r, "expect_oauth")) expect_oauth = dup(r);
    else if (is(r, "expect_www")) expect_www = num(r);
    else if (is(r, "expect_client")) expect_client = dup(r);
    else if (is(r, "expect_method")) expect_method = dup(r);
    else if (is(r, "expect_issuer")) expect_issuer = dup(r);
    else if (is(r, "expect_subject")) expect_subject = dup(r);
    else if (is(r, "end_step")) {
      jwtauth_grant_request *g = NULL;
      jwtauth_error *err = NULL;
      jwtauth_status st = jwtauth_authenticate_grant(auth[on], authorization, authorization ? strlen(authorization) : 0,
                                                     (const uint8_t *)body, strlen(body), NULL, &g, &err);
      if (expect_error != NULL) {
        CHECK(st != JWTAUTH_OK && g == NULL && strcmp(name_of(st), expect_error) == 0, "%s step %d: got %s, want %s",
              id, step, name_of(st), expect_error);
        CHECK(jwtauth_error_http_status(err) == expect_status && strcmp(jwtauth_error_oauth_error(err), expect_oauth) == 0,
              "%s step %d: %u %s, want %" PRId64 " %s", id, step, jwtauth_error_http_status(err),
              jwtauth_error_oauth_error(err), expect_status, expect_oauth);
        char want_body[96];
        snprintf(want_body, sizeof want_body, "\"error\":\"%s\"", expect_oauth);
        CHECK(strstr(jwtauth_error_response_body(err), want_body) != NULL, "%s step %d: body %s", id, step,
              jwtauth_error_response_body(err));
        CHECK((jwtauth_error_www_authenticate(err) != NULL) == (expect_www == 1), "%s step %d: WWW-Authenticate", id,
              step);
      } else {
        const jwtauth_authenticated *c = jwtauth_grant_request_client(g);
        CHECK(st == JWTAUTH_OK && strcmp(jwtauth_grant_request_issuer(g), expect_issuer) == 0 &&
                  strcmp(jwtauth_grant_request_subject(g), expect_subject) == 0,
              "%s step %d: got %s (%s)", id, step, name_of(st), err ? jwtauth_error_detail(err) : "");
        CHECK(st != JWTAUTH_OK || (c == NULL ? strlen(expect_client) == 0
                                             : strcmp(jwtauth_authenticated_client_id(c), expect_client) == 0 &&
                                                   strcmp(jwtauth_authenticated_method(c), expect_method) == 0),
              "%s step %d: client", id, step);
        CHECK(st != JWTAUTH_OK || jwtauth_grant_request_claims_json(g)[0] == '{', "%s: claims", id);
      }
      jwtauth_grant_request_free(g);
      jwtauth_error_free(err);
      free(authorization), free(body), free(expect_error), free(expect_oauth), free(expect_client),
          free(expect_method), free(expect_issuer), free(expect_subject);
      authorization = body = expect_error = expect_oauth = expect_client = expect_method = expect_issuer =
          expect_subject = NULL;
      on = 0, step++, grant_steps++;
    } else {
      CHECK(false, "%s: unknown record %s", id, r->name);
    }
  }
  free(realm), free(registry_json), free(trust_json), free(problems);
  for (int i = 0; i < 2; i++) jwtauth_authenticator_free(auth[i]);
  jwtauth_trust_table_free(table);
  jwtauth_registry_free(registry);
  jwtauth_replay_store_free(store);
  jwtauth_verifier_config_free(cfg);
  jwtauth_clock_free(clock);
}

/* key_loading.json: one case. */
static void key_case(record *r, const char *id) {
  char *format = NULL, *input = NULL, *expect_error = NULL;
  char *expect_thumbprint = NULL, *expect_x5t = NULL;
  int64_t expect_not_after = -1, expect_count = -1;
  while (next(r) && !is(r, "end_case")) {
    if (is(r, "format")) format = dup(r);
    else if (is(r, "input")) input = dup(r);
    else if (is(r, "expect_error")) expect_error = dup(r);
    else if (is(r, "expect_thumbprint")) expect_thumbprint = dup(r);
    else if (is(r, "expect_x5t")) expect_x5t = dup(r);
    else if (is(r, "expect_not_after")) expect_not_after = num(r);
    else if (is(r, "expect_count")) expect_count = num(r);
    else CHECK(false, "%s: unknown record %s", id, r->name);
  }
  jwtauth_status st;
  jwtauth_error *err = NULL;
  char *thumbprint = NULL, *x5t = NULL;
  int64_t not_after = -1, count = -1;
  if (strcmp(format, "jwk") == 0 || strcmp(format, "pem") == 0) {
    jwtauth_verifying_key *k = NULL;
    st = strcmp(format, "jwk") == 0 ? jwtauth_verifying_key_from_jwk(STR(input), &k, &err)
                                    : jwtauth_verifying_key_from_pem(STR(input), NULL, 0, &k, &err);
    if (st == JWTAUTH_OK) {
      OK(jwtauth_verifying_key_thumbprint(k, &thumbprint, NULL));
      if (jwtauth_verifying_key_certificate(k, &not_after, &x5t, NULL, NULL) != JWTAUTH_OK) not_after = -1;
    }
    jwtauth_verifying_key_free(k);
  } else if (strcmp(format, "private_pem") == 0) {
    jwtauth_signing_key *k = NULL;
    st = jwtauth_signing_key_from_pem(STR(input), NULL, 0, NULL, 0, &k, &err);
    if (st == JWTAUTH_OK) OK(jwtauth_signing_key_thumbprint(k, &thumbprint, NULL));
    jwtauth_signing_key_free(k);
  } else if (strcmp(format, "secret") == 0) {
    /* An HMAC credential: what client_secret_jwt registers. */
    jwtauth_client *c = NULL;
    OK(jwtauth_client_new(S("c"), S("client_secret_jwt"), &c, NULL));
    st = jwtauth_client_set_secret(c, (const uint8_t *)input, strlen(input), NULL, &err);
    jwtauth_client_free(c);
  } else {
    jwtauth_jwks *s = NULL;
    st = jwtauth_jwks_from_json(STR(input), &s, &err);
    if (st == JWTAUTH_OK) count = (int64_t)jwtauth_jwks_len(s);
    jwtauth_jwks_free(s);
  }
  if (expect_error != NULL) {
    CHECK(st != JWTAUTH_OK && strcmp(name_of(st), expect_error) == 0, "%s: got %s, want %s", id, name_of(st),
          expect_error);
  } else {
    CHECK(st == JWTAUTH_OK, "%s: got %s (%s)", id, name_of(st), err ? jwtauth_error_detail(err) : "");
    if (expect_thumbprint) CHECK(thumbprint && strcmp(thumbprint, expect_thumbprint) == 0, "%s: thumbprint", id);
    if (expect_x5t) CHECK(x5t && strcmp(x5t, expect_x5t) == 0, "%s: x5t", id);
    if (expect_not_after >= 0) CHECK(not_after == expect_not_after, "%s: not_after", id);
    if (expect_count >= 0) CHECK(count == expect_count, "%s: count", id);
  }
  keys_run++;
  jwtauth_error_free(err);
  jwtauth_string_free(thumbprint);
  jwtauth_string_free(x5t);
  free(format), free(input), free(expect_error), free(expect_thumbprint), free(expect_x5t);
}

/* defaults.json: the settings a verifier with only an issuer and the
 * default policy report, as the other faces report them. */
static void defaults_case(record *r, const char *issuer) {
  char *expect_verifier = NULL, *expect_policy = NULL;
  while (next(r) && !is(r, "end_case")) {
    if (is(r, "expect_verifier")) expect_verifier = dup(r);
    else if (is(r, "expect_policy")) expect_policy = dup(r);
    else CHECK(false, "defaults: unknown record %s", r->name);
  }
  jwtauth_verifier_config *cfg = NULL;
  jwtauth_verifier *v = NULL;
  jwtauth_policy *policy = NULL;
  char *verifier_json = NULL, *policy_json = NULL;
  OK(jwtauth_verifier_config_new(STR(issuer), &cfg, NULL));
  OK(jwtauth_verifier_new(cfg, &v, NULL));
  OK(jwtauth_verifier_settings_json(v, &verifier_json, NULL));
  OK(jwtauth_policy_new(&policy));
  OK(jwtauth_policy_settings_json(policy, &policy_json, NULL));
  CHECK(expect_verifier && strcmp(verifier_json, expect_verifier) == 0, "defaults: verifier reports %s",
        verifier_json);
  CHECK(expect_policy && strcmp(policy_json, expect_policy) == 0, "defaults: policy reports %s", policy_json);
  defaults_run++;
  jwtauth_string_free(verifier_json);
  jwtauth_string_free(policy_json);
  jwtauth_policy_free(policy);
  jwtauth_verifier_free(v);
  jwtauth_verifier_config_free(cfg);
  free(expect_verifier), free(expect_policy);
}

int main(int argc, char **argv) {
  if (argc != 2 || (in = fopen(argv[1], "rb")) == NULL) {
    fprintf(stderr, "usage: %s vectors.rec (%s)\n", argv[0], strerror(errno));
    return 2;
  }
  record r = {{0}, NULL, 0};
  while (next(&r)) {
    char *id = dup(&r);
    if (is(&r, "case")) assertion_case(&r, id);
    else if (is(&r, "rcase")) request_case(&r, id);
    else if (is(&r, "kcase")) key_case(&r, id);
    else if (is(&r, "defaults")) defaults_case(&r, id);
    else if (is(&r, "gcase")) grant_case(&r, id);
    else CHECK(false, "unknown top-level record %s", r.name);
    free(id);
  }
  free(r.value);
  fclose(in);
  printf("vectors: %d cases, %d steps, %d refused registrations, %d key cases\n", cases_run, steps_run,
         registrations_refused, keys_run);
  printf("vectors: %d grant steps, %d refused trust tables\n", grant_steps, tables_refused);
  CHECK(cases_run > 150 && steps_run > 200 && registrations_refused >= 15 && keys_run > 50 && defaults_run == 1 &&
            grant_steps >= 30 && tables_refused == 1,
        "the vector stream looks truncated");
  return report("C vectors");
}
