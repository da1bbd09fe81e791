// A token process with K holders, as a new user writes one: a handler
// moves a quantity between two balances and patches the whole `balances`
// table into the state on every message (`Send({ device = 'patch@1.0',
// balances = Balances })`), computed through process@1.0 with every step
// logged (aos_bench's flow). For K = 0, 10, 1,000, 10,000 and 100,000 it
// prints the time per message and the bytes the store and the log grew by
// per message; the peer is the same process at K = 10, same run: the ratio
// at K is (cost at K) / (cost at 10), target <= 2 at K = 100,000.
//
//   token_state_bench [MESSAGES] [K ...]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <vector>

#include "bench/aos_bench_node.h"
#include "bench/bench_fixtures.h"
#include "engine/codec/commitments.h"
#include "engine/crypto/wallet.h"

namespace hashpath {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

using bench::fail;

struct Figure {
  double ms_per_message = 0;
  double bytes_per_message = 0;
};

Figure run(int k, int messages, const Wallet& node_wallet, const Wallet& user) {
  fs::path dir = fs::temp_directory_path() /
                 ("hashpath-token-bench-" + std::to_string(::getpid()) + "-" + std::to_string(k));
  fs::remove_all(dir);
  fs::create_directories(dir);
  bench::AosBenchNode node(dir, node_wallet);
  node.schedule(node.definition());
  node.schedule(
      node.eval("Balances = {}\n"
                "for i = 1, " +
                std::to_string(k) +
                " do Balances['holder' .. i] = 1000 end\n"
                "Handlers.add('Transfer', Handlers.utils.hasMatchingTag('Action', 'Transfer'),\n"
                "  function(msg)\n"
                "    local q = tonumber(msg.Quantity)\n"
                "    Balances[msg.From] = (Balances[msg.From] or 0) - q\n"
                "    Balances[msg.Recipient] = (Balances[msg.Recipient] or 0) + q\n"
                "    Send({ device = 'patch@1.0', balances = Balances })\n"
                "  end)\n"
                "Send({ device = 'patch@1.0', balances = Balances })\n"
                "return 'ready'"));
  for (int i = 0; i < messages; ++i) {
    node.schedule(commit_httpsig(Message{{"action", "Transfer"},
                                         {"recipient", Value("holder" + std::to_string(1 + i % 7))},
                                         {"quantity", "1"}},
                                 user));
  }
  node.compute(0);
  node.compute(1);
  uint64_t before = bench::stored_bytes(dir.string());
  // Under `perf record --control` (bench_fixtures.h), only the messages
  // of the runs other than the K = 10 peer are profiled.
  std::optional<bench::PerfWindow> perf_window;
  if (k != 10) perf_window.emplace();
  auto t = Clock::now();
  for (int i = 0; i < messages; ++i) {
    Message st = node.compute(2 + i);
    const Value* b = st.find("balances");
    if (b == nullptr || !b->is_map() || b->as_map().size() < static_cast<size_t>(k))
      fail("slot " + std::to_string(2 + i) + ": balances not patched into the state");
  }
  double s = std::chrono::duration<double>(Clock::now() - t).count();
  perf_window.reset();
  node.log().checkpoint_now();
  uint64_t after = bench::stored_bytes(dir.string());
  fs::remove_all(dir);
  return Figure{s * 1000 / messages, static_cast<double>(after - before) / messages};
}

}  // namespace
}  // namespace hashpath

int main(int argc, char** argv) {
  using namespace hashpath;
  int messages = argc > 1 ? std::atoi(argv[1]) : 20;
  std::vector<int> ks;
  for (int i = 2; i < argc; ++i) ks.push_back(std::atoi(argv[i]));
  if (ks.empty()) ks = {0, 10, 1000, 10000, 100000};
  if (messages <= 0) {
    std::cerr << "usage: token_state_bench [MESSAGES > 0] [K ...]\n";
    return 2;
  }
  // The project's own test wallets (tests/data/PROVENANCE.md): no key
  // generation in the figures' way.
  Wallet node_wallet = bench::test_wallet("test-rsa-1.json");
  Wallet user = bench::test_wallet("test-rsa-2.json");
  Figure at10 = run(10, messages, node_wallet, user);
  std::printf("%-10s %14s %16s %12s %12s\n", "holders", "ms/message", "bytes/message",
              "time vs K=10", "bytes vs K=10");
  for (int k : ks) {
    Figure f = k == 10 ? at10 : run(k, messages, node_wallet, user);
    std::printf("%-10d %14.2f %16.0f %12.2f %12.2f\n", k, f.ms_per_message, f.bytes_per_message,
                f.ms_per_message / at10.ms_per_message,
                f.bytes_per_message / at10.bytes_per_message);
    std::fflush(stdout);
  }
  return 0;
}
