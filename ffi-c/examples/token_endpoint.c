/* A token endpoint's client authentication in C: loads clients from a
 * registry document (JSON), reads one token request from stdin, and prints
 * the response a server would send (or the authenticated client).
 *
 *   token_endpoint clients.json < request.txt
 *
 * request.txt: the first line is the Authorization header value (empty when
 * the request has none), the rest is the application/x-www-form-urlencoded
 * body. Build: see README ("C: build and link"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jwtauth.h>

static char *read_all(FILE *f, size_t *len) {
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf != NULL && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (n + 1 == cap) buf = realloc(buf, cap *= 2);
  }
  if (buf != NULL) buf[n] = '\0';
  *len = n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s clients.json < request\n", argv[0]);
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (f == NULL) {
    perror(argv[1]);
    return 2;
  }
  size_t doc_len = 0, req_len = 0;
  char *doc = read_all(f, &doc_len);
  fclose(f);
  char *req = read_all(stdin, &req_len);
  if (doc == NULL || req == NULL) return 2;
  char *nl = strchr(req, '\n');
  char *body = nl ? nl + 1 : req + req_len;
  size_t auth_len = nl ? (size_t)(nl - req) : req_len;
  if (auth_len > 0 && req[auth_len - 1] == '\r') auth_len--;
  size_t body_len = strlen(body);
  while (body_len > 0 && (body[body_len - 1] == '\n' || body[body_len - 1] == '\r')) body_len--;

  jwtauth_error *err = NULL;
  jwtauth_registry *registry = NULL;
  jwtauth_verifier_config *config = NULL;
  jwtauth_authenticator *auth = NULL;
  jwtauth_authenticated *client = NULL;
  const char *issuer = "https://as.example.com";
  int rc = 1;
  if (jwtauth_registry_from_json(doc, doc_len, NULL, (int64_t)time(NULL), &registry, &err) != JWTAUTH_OK) {
    fprintf(stderr, "registry refused: %s\n", jwtauth_error_detail(err));
    for (size_t i = 0; i < jwtauth_error_problem_count(err); i++) {
      jwtauth_status code;
      const char *where, *msg;
      jwtauth_error_problem(err, i, &code, &where, &msg);
      fprintf(stderr, "  %s at %s: %s\n", jwtauth_status_name((uint32_t)code), where, msg);
    }
    goto out;
  }
  if (jwtauth_verifier_config_new(issuer, strlen(issuer), &config, &err) != JWTAUTH_OK ||
      jwtauth_verifier_config_set_token_endpoint(config, "https://as.example.com/token", 28, &err) != JWTAUTH_OK ||
      jwtauth_authenticator_new(config, registry, NULL, 0, &auth, &err) != JWTAUTH_OK) {
    fprintf(stderr, "setup: %s\n", jwtauth_error_detail(err));
    goto out;
  }
  if (jwtauth_authenticate(auth, auth_len ? req : NULL, auth_len, (const uint8_t *)body, body_len, &client, &err) ==
      JWTAUTH_OK) {
    printf("authenticated client %s (%s)\n", jwtauth_authenticated_client_id(client),
           jwtauth_authenticated_method(client));
    rc = 0;
  } else {
    /* What the server sends; the detail goes to the log only. */
    printf("HTTP/1.1 %u\r\n", jwtauth_error_http_status(err));
    printf("Content-Type: application/json\r\nCache-Control: no-store\r\n");
    if (jwtauth_error_www_authenticate(err) != NULL) printf("WWW-Authenticate: %s\r\n", jwtauth_error_www_authenticate(err));
    printf("\r\n%s\n", jwtauth_error_response_body(err));
    fprintf(stderr, "log: %s: %s\n", jwtauth_error_name(err), jwtauth_error_detail(err));
  }
out:
  jwtauth_authenticated_free(client);
  jwtauth_authenticator_free(auth);
  jwtauth_verifier_config_free(config);
  jwtauth_registry_free(registry);
  jwtauth_error_free(err);
  free(doc);
  free(req);
  return rc;
}
