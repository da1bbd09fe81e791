// The log's memory against its length: entries appended (commits of 64, as
// a busy node), the process's resident set read at 10k, 100k, 1M and 10M
// entries (`log_memory_bench [MAX]`). The peer is the same process at 10k
// entries: the ratio RSS(n) / RSS(10k), target <= 2 at 10M (issue 14).
// Also printed: what the whole in-memory tree (merkle.h, unpruned) would
// hold at n, ~2 hashes per entry.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench/bench_fixtures.h"
#include "engine/crypto/wallet.h"
#include "engine/log/hashpath_log.h"

namespace {

using namespace hashpath;

using bench::resident_kib;
using bench::sample_log_entry;

}  // namespace

int main(int argc, char** argv) {
  uint64_t max = argc > 1 ? std::stoull(argv[1]) : 10000000;
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("hashpath-log-memory-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  LogOptions o;
  o.checkpoint_every = 100000;
  o.checkpoint_interval_ms = 0;
  HashpathLog log((dir / "log.db").string(), Wallet::generate(KeyType::kSecp256k1), o);
  std::printf("%-12s %12s %14s %22s\n", "entries", "RSS (MiB)", "vs 10k entries",
              "whole tree would hold");
  uint64_t at_10k = 0;
  for (uint64_t n = 0, report = 10000; n < max;) {
    uint64_t seq = log.append(sample_log_entry(n++));
    if (seq % 64 == 63) log.commit_through(seq);
    // A node signs every log-checkpoint-every entries (default 100,000) and
    // indexes continuously; appending in a tight loop would outrun the
    // indexer and measure its queue, not the log.
    if (n % 16384 == 0) log.checkpoint_now();
    if (n == report || n == max) {
      log.commit();
      log.checkpoint_now();  // indexes what is committed, so the tree prunes
      uint64_t rss = resident_kib();
      if (report == 10000) at_10k = rss;
      std::printf("%-12llu %12.1f %14.2f %19.1f MiB\n", static_cast<unsigned long long>(n),
                  rss / 1024.0, static_cast<double>(rss) / static_cast<double>(at_10k),
                  2.0 * 32 * static_cast<double>(n) / (1024 * 1024));
      std::fflush(stdout);
      report *= 10;
    }
  }
  fs::remove_all(dir);
  return 0;
}
