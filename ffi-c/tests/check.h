/* Minimal test helpers for the C suites: counters, CHECK macros, and a
 * helper to print and free a jwtauth_error. */
#ifndef JWTAUTH_TEST_CHECK_H
#define JWTAUTH_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"

static int checks_passed = 0;
static int checks_failed = 0;

#define CHECK(cond, ...)                                                   \
  do {                                                                     \
    if (cond) {                                                            \
      checks_passed++;                                                     \
    } else {                                                               \
      checks_failed++;                                                     \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);      \
      fprintf(stderr, __VA_ARGS__);                                        \
      fputc('\n', stderr);                                                 \
    }                                                                      \
  } while (0)

/* Calls returning jwtauth_status that must succeed. */
#define OK(call)                                                           \
  do {                                                                     \
    jwtauth_error *ok_err_ = NULL;                                         \
    jwtauth_status ok_st_ = (call);                                        \
    (void)ok_err_;                                                         \
    CHECK(ok_st_ == JWTAUTH_OK, "%s -> %s", #call,                         \
          jwtauth_status_name((uint32_t)ok_st_));                          \
  } while (0)

#define S(lit) (lit), (sizeof(lit) - 1)
#define STR(p) (p), strlen(p)

static int report(const char *suite) {
  printf("%s: %d passed, %d failed\n", suite, checks_passed, checks_failed);
  return checks_failed == 0 ? 0 : 1;
}

#endif
