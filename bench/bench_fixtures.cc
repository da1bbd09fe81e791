#include "bench/bench_fixtures.h"

#include <fstream>
#include <sstream>

namespace hashpath::bench {

LogEntry sample_log_entry(uint64_t i) {
  LogEntry e;
  e.base = std::string(32, '\x01');
  e.req = std::string(32, static_cast<char>(i & 0xff));
  e.result = std::string(32, '\x03');
  e.prev = std::string(43, 'p');
  e.hashpath = std::string(43, 'p') + "/" + std::string(43, 'q');
  e.device = "message@1.0";
  e.key = "greeting";
  e.route = "function";
  e.status = "ok";
  e.time = 1763700000000 + i;
  return e;
}

uint64_t resident_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

Wallet test_wallet(const std::string& name) {
  std::ifstream in(std::string(HASHPATH_TEST_DATA_DIR) + "/wallets/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return Wallet::from_jwk(text.str());
}

}  // namespace hashpath::bench
