// A node's memory against the number of live Lua processes: P AOS
// processes spawned and each given one Eval, through process@1.0 with the
// log on; the resident set read at P = 1, 10, 100, 256, 1,000 (or up to
// argv[1]). lua@5.3a keeps at most `lua-live-processes` (argv[2], default
// 256) live states; the peer is the same process at P = 10, same run.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "bench/bench_fixtures.h"
#include "devices/lua/aos_library.h"
#include "devices/node_devices.h"
#include "engine/codec/commitments.h"
#include "engine/crypto/wallet.h"
#include "engine/log/hashpath_log.h"
#include "engine/node/node.h"
#include "engine/store/sqlite_store.h"

namespace {

using namespace hashpath;

using bench::resident_kib;

}  // namespace

int main(int argc, char** argv) {
  int max = argc > 1 ? std::atoi(argv[1]) : 1000;
  int live = argc > 2 ? std::atoi(argv[2]) : 256;
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("hashpath-lua-memory-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  Wallet wallet = bench::test_wallet("test-rsa-1.json");
  auto state =
      std::make_shared<NodeState>(wallet, Message{{"lua-live-processes", Value::integer(live)}});
  auto store = std::make_shared<SqliteStore>((dir / "store.db").string());
  auto log = std::make_shared<HashpathLog>((dir / "log.db").string(), wallet, LogOptions{});
  Node node(state, store, node_devices(state, nullptr), log);
  Resolver& resolver = node.resolver();
  std::string aos = store->put(aos_library_module()).back();
  std::printf("%-10s %12s %14s   (lua-live-processes %d)\n", "processes", "RSS (MiB)",
              "vs 10 processes", live);
  uint64_t at10 = 0;
  for (int p = 1; p <= max; ++p) {
    Message d = aos_process_definition(wallet.address(), List{Value(aos)});
    d.set("instance", Value::integer(p));
    Message definition = commit_httpsig(d, wallet);
    for (const Message& m :
         {definition, commit_httpsig(Message{{"action", "Eval"},
                                             {"data", Value("Count = " + std::to_string(p))}},
                                     wallet)}) {
      if (!resolver
               .resolve(definition,
                        Message{{"path", "schedule"}, {"method", "POST"}, {"body", Value(m)}})
               .is_ok()) {
        std::fprintf(stderr, "scheduling failed\n");
        return 1;
      }
    }
    ResolveResult r =
        resolver.resolve(definition, Message{{"path", "compute"}, {"slot", Value::integer(1)}});
    if (!r.is_ok()) {
      std::fprintf(stderr, "compute failed for process %d\n", p);
      return 1;
    }
    log->commit();
    if (p == 1 || p == 10 || p == 100 || p == 256 || p % 1000 == 0 || p == max) {
      uint64_t rss = resident_kib();
      if (p == 10) at10 = rss;
      std::printf(
          "%-10d %12.1f %14s\n", p, rss / 1024.0,
          at10 == 0 ? "—" : std::to_string(static_cast<double>(rss) / at10).substr(0, 4).c_str());
      std::fflush(stdout);
    }
  }
  fs::remove_all(dir);
  return 0;
}
