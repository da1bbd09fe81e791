// AOS handler messages per second through Hashpath's Lua runtime, the flow
// of shared/interop/clients/aos-eval.mjs: boot (spawn), Eval `return 1+1`,
// an Eval installing a Ping handler, N Pings each answered by one Pong,
// Eval `return Count` == N. Every message is computed through process@1.0
// (assignment verified, stack [lua@5.3a, patch@1.0], state stored) with
// every step written to the hashpath log and committed per message.
//
// Scheduling (two RSA-4096 signatures per message: the sender's and the
// node's assignment) happens before the clock starts, as aos-eval.mjs
// hands prepared messages to handle(). bench/aos_bench.sh runs this and
// aos-eval.mjs (the AOS WASM module under Node/V8) in the same run and
// prints the ratio.
//
// To profile only the Pings: mkfifo ctl ack; PERF_CTL_FIFO=ctl PERF_ACK_FIFO=ack
//   perf record -D -1 --control fifo:ctl,ack build/bench/aos_bench N
//
//   aos_bench [N]     prints "aos-bench messages/s <figure>" and details
//   AOS_BENCH_WASM=aos2_0_6.wasm aos_bench [N]   the same flow on a WASM
//                     process (genesis-wasm@1.0, the emscripten AOS module)
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "bench/aos_bench_node.h"
#include "bench/bench_fixtures.h"
#include "engine/codec/commitments.h"
#include "engine/crypto/wallet.h"

namespace hashpath {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

using bench::fail;

int run(int n) {
  fs::path dir = fs::temp_directory_path() / ("hashpath-aos-bench-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path shared(HASHPATH_SHARED_DIR);
  Wallet node_wallet = Wallet::from_jwk(read_text(shared / "interop/keys/key-1.json"));
  Wallet user = Wallet::from_jwk(read_text(shared / "interop/keys/key-2.json"));

  const char* wasm_path = getenv("AOS_BENCH_WASM");
  bench::AosBenchNode node(dir, node_wallet, getenv("AOS_BENCH_NO_LOG") == nullptr,
                           wasm_path != nullptr ? read_text(wasm_path) : std::string());
  // Where an Eval's answer is: the Lua runtime's output, json-iface's data.
  const std::vector<const char*> answer =
      node.wasm() ? std::vector<const char*>{"results", "data"}
                  : std::vector<const char*>{"results", "output", "data"};
  auto schedule = [&](const Message& m) { node.schedule(m); };
  auto eval = [&](const std::string& code) { return node.eval(code); };
  // Slot 0 the spawn, 1 `return 1+1`, 2 the handler, 3..N+2 pings, N+3 `return Count`.
  schedule(node.definition());
  schedule(eval("return 1+1"));
  schedule(
      eval("Count = Count or 0\n"
           "Handlers.add('Ping', Handlers.utils.hasMatchingTag('Action', 'Ping'), function(msg)\n"
           "  Count = Count + 1\n"
           "  ao.send({ Target = msg.From, Action = 'Pong', Data = 'Pong ' .. tostring(Count) })\n"
           "end)\nreturn 'installed'"));
  auto t0 = Clock::now();
  for (int i = 1; i <= n; ++i) {
    schedule(commit_httpsig(
        Message{{"action", "Ping"}, {"data", Value("ping " + std::to_string(i))}}, user));
  }
  double schedule_s = std::chrono::duration<double>(Clock::now() - t0).count();
  schedule(eval("return Count"));

  auto compute = [&](int64_t slot) { return node.compute(slot); };
  auto text_at = [](const Message& m, const std::vector<const char*>& path) {
    Value v(m);
    for (const char* k : path) {
      if (!v.is_map() || v.as_map().find(k) == nullptr) return std::string();
      v = v.as_map().at(k);
    }
    return v.is_binary() ? std::string(v.as_binary()) : std::string();
  };

  auto tb = Clock::now();
  compute(0);
  double boot_ms = std::chrono::duration<double, std::milli>(Clock::now() - tb).count();
  if (text_at(compute(1), answer) != "2") fail("Eval 'return 1+1' is not 2");
  if (text_at(compute(2), answer) != "installed") fail("handler install");

  node.log().checkpoint_now();  // the log indexed: bytes below are what the Pings add
  const uint64_t bytes_before = bench::stored_bytes(dir.string());
  bench::PerfWindow perf_window;  // profiles only the Pings when run under `perf --control`
  auto tp = Clock::now();
  for (int i = 1; i <= n; ++i) {
    Message st = compute(2 + i);
    if (text_at(st, {"results", "outbox", "1", "data"}) != "Pong " + std::to_string(i))
      fail("ping " + std::to_string(i) + " did not give Pong " + std::to_string(i));
    if (text_at(st, {"results", "outbox", "2", "data"}) != "") fail("more than one outbox message");
  }
  double ping_s = std::chrono::duration<double>(Clock::now() - tp).count();
  perf_window.close();
  node.log().checkpoint_now();
  const double bytes_per_ping =
      static_cast<double>(bench::stored_bytes(dir.string()) - bytes_before) / n;
  if (text_at(compute(3 + n), answer) != std::to_string(n))
    fail("Count is not " + std::to_string(n));
  node.log().checkpoint_now();
  uint64_t entries = node.log().committed_size();

  double per_s = n / ping_s;
  std::cout << "[boot] " << boot_ms << " ms\n"
            << "[ping x" << n << "] " << ping_s * 1000 << " ms, mean " << ping_s * 1000 / n
            << " ms -> " << per_s << " msgs/s (" << entries << " log entries in all)\n"
            << "[schedule x" << n << ", untimed in the figure] " << n / schedule_s
            << " msgs/s (two RSA-4096 signatures each)\n"
            << "[bytes] " << bytes_per_ping << " stored per Ping (store + log)\n"
            << "aos-bench messages/s " << per_s << "\n";
  if (getenv("AOS_BENCH_KEEP") != nullptr)
    std::cout << "[kept] " << dir.string() << "\n";
  else
    fs::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace hashpath

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 1000;
  if (n <= 0) {
    std::cerr << "usage: aos_bench [N > 0]\n";
    return 2;
  }
  return hashpath::run(n);
}
