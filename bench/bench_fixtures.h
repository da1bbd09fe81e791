// What several benchmark programs share: a typical log entry, the
// process's resident memory, and the project's own test wallets
// (tests/data/wallets, tests/data/PROVENANCE.md).
#pragma once

#include <cstdint>
#include <string>

#include "engine/crypto/wallet.h"
#include "engine/log/log_entry.h"

namespace hashpath::bench {

// A message@1.0 key read's entry, the `i`th (its request and time vary).
LogEntry sample_log_entry(uint64_t i);
// VmRSS of this process, KiB.
uint64_t resident_kib();
// tests/data/wallets/<name>, e.g. "test-rsa-1.json".
Wallet test_wallet(const std::string& name);
// What a data directory holds: for each SQLite database in `dir` the pages
// in use (page_count − freelist_count, WAL included: what a reader sees),
// plus every other file's size. Not the files' sizes, which a WAL or a
// freelist inflates and a checkpoint shrinks whatever was stored.
uint64_t stored_bytes(const std::string& dir);

// A window of a benchmark to profile: when run under
// `perf record -D -1 --control fifo:$PERF_CTL_FIFO,$PERF_ACK_FIFO`, perf
// samples from construction to close() only. Without those variables set,
// it does nothing.
class PerfWindow {
 public:
  PerfWindow();
  ~PerfWindow() { close(); }
  PerfWindow(const PerfWindow&) = delete;
  PerfWindow& operator=(const PerfWindow&) = delete;
  void close();

 private:
  void send(const char* command);
  int ctl_ = -1;
  int ack_ = -1;
};

}  // namespace hashpath::bench
