#define DOCTEST_CONFIG_IMPLEMENT
#include <csignal>

#include <doctest/doctest.h>

// Tests talk to servers that close connections on purpose (limits, stops): a
// write to such a socket is an error to check, not a reason to die.
int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  return doctest::Context(argc, argv).run();
}
