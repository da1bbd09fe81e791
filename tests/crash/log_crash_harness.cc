// Appends to a hashpath log as fast as it can from two threads, printing
// "ack <seq>" once each entry is committed, until it is killed. The crash
// test SIGKILLs it at random moments and checks what survived.
//   usage: log_crash_harness DIR WALLET.json
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "engine/log/hashpath_log.h"
#include "engine/node/wallet_file.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: log_crash_harness DIR WALLET.json\n");
    return 2;
  }
  using namespace hashpath;
  LogOptions options;
  options.checkpoint_every = 64;
  options.checkpoint_interval_ms = 20;
  HashpathLog log(std::string(argv[1]) + "/log.db", load_wallet_file(argv[2]), options);
  std::string ready = "ready " + std::to_string(log.committed_size()) + "\n";
  (void)!::write(1, ready.data(), ready.size());
  auto work = [&log](int thread) {
    for (uint64_t i = 0;; ++i) {
      LogEntry e;
      e.base = std::string(32, static_cast<char>(thread));
      e.req = std::string(32, static_cast<char>(i & 0xff));
      e.result = std::string(32, '\x07');
      e.prev = "p";
      e.hashpath = "h" + std::to_string(i);
      e.device = "crash@1.0";
      e.key = "k";
      e.route = "function";
      e.status = "ok";
      uint64_t seq = log.append(e);
      log.commit_through(seq);
      // Acknowledged only once durable, as the node answers a request.
      std::string ack = "ack " + std::to_string(seq) + "\n";
      (void)!::write(1, ack.data(), ack.size());
    }
  };
  std::thread a(work, 1), b(work, 2);
  a.join();
  b.join();
}
