// The header compiles as C++ (cpp_compat: extern "C"), twice included.
#include "jwtauth.h"
#include "jwtauth.h"

#include <cstdio>
#include <cstring>

int main() {
  jwtauth_clock *clock = nullptr;
  if (jwtauth_clock_fixed_new(1, &clock) != JWTAUTH_OK) return 1;
  jwtauth_clock_free(clock);
  std::printf("C++: header OK, libjwtauth %s\n", jwtauth_version());
  return std::strcmp(jwtauth_version(), JWTAUTH_VERSION) == 0 ? 0 : 1;
}
