// Writes versions of a large map (5,000 holders, one balance changed per
// version, so versions share all but one chunk and their lists) to a
// SQLite store, aliasing each `version/N` and printing "ack N" once the
// write has returned, until it is killed. The crash test SIGKILLs it and
// reads every acknowledged version back.
//   usage: store_crash_harness DIR
#include <unistd.h>

#include <cstdio>
#include <string>

#include "engine/store/sqlite_store.h"
#include "tests/crash/store_crash_versions.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: store_crash_harness DIR\n");
    return 2;
  }
  using namespace hashpath;
  SqliteStore store(std::string(argv[1]) + "/store.db");
  int64_t next = 0;
  while (store.contains("version/" + std::to_string(next))) ++next;
  std::string ready = "ready " + std::to_string(next) + "\n";
  (void)!::write(1, ready.data(), ready.size());
  Message version = crash_test_version(next);
  for (int64_t n = next;; ++n) {
    if (n > next) version = crash_test_next(version, n);
    std::vector<std::string> ids = store.put(version);
    store.alias("version/" + std::to_string(n), ids.back());
    std::string ack = "ack " + std::to_string(n) + "\n";
    (void)!::write(1, ack.data(), ack.size());
  }
}
