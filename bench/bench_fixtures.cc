#include "bench/bench_fixtures.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
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

uint64_t stored_bytes(const std::string& dir) {
  namespace fs = std::filesystem;
  uint64_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.ends_with("-wal") || name.ends_with("-shm")) continue;  // counted with their database
    if (!name.ends_with(".db")) {
      n += fs::file_size(e.path());
      continue;
    }
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(e.path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      throw std::runtime_error("cannot open " + e.path().string());
    }
    auto pragma = [&](const char* sql) {
      sqlite3_stmt* s = nullptr;
      int64_t v = 0;
      if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK &&
          sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
      sqlite3_finalize(s);
      return v;
    };
    n += static_cast<uint64_t>((pragma("PRAGMA page_count") - pragma("PRAGMA freelist_count")) *
                               pragma("PRAGMA page_size"));
    sqlite3_close(db);
  }
  return n;
}

PerfWindow::PerfWindow() {
  const char* ctl = std::getenv("PERF_CTL_FIFO");
  const char* ack = std::getenv("PERF_ACK_FIFO");
  if (ctl == nullptr || ack == nullptr) return;
  ctl_ = ::open(ctl, O_WRONLY);
  ack_ = ::open(ack, O_RDONLY);
  send("enable\n");
}

void PerfWindow::close() {
  if (ctl_ < 0) return;
  send("disable\n");
  ::close(ctl_);
  ::close(ack_);
  ctl_ = ack_ = -1;
}

void PerfWindow::send(const char* command) {
  if (ctl_ < 0 || ack_ < 0) return;
  if (::write(ctl_, command, std::strlen(command)) < 0) return;
  char reply[8];
  (void)::read(ack_, reply, sizeof reply);  // perf answers "ack\n" once it has acted
}

}  // namespace hashpath::bench
