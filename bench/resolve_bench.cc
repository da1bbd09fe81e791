// In-process resolution: one message@1.0 key read per step (hashpath
// included), with the store warm, against the lookups underneath it.
#include <benchmark/benchmark.h>

#include <spdlog/spdlog.h>
#include "bench/peer_report.h"
#include "devices/meta.h"
#include "engine/codec/message_id.h"
#include "engine/node/node.h"
#include "engine/resolve/resolver.h"
#include "engine/store/sqlite_store.h"

namespace hashpath {
namespace {

Message sample() {
  Message m;
  for (int i = 0; i < 20; ++i) m.set("key-" + std::to_string(i), "value " + std::to_string(i));
  return m;
}

void BM_ResolveKeyRead(benchmark::State& state) {
  DeviceRegistry devices;
  SqliteStore store(":memory:");
  Resolver resolver(devices, &store);
  Message base = sample();
  std::string id = store.put(base)[0];
  Message warm = store.get(id)->as_map();
  Message request{{"path", "key-7"}};
  message_id(Value(warm),
             IdScope::kEveryCommitment);  // the base's ID is memoised, as in a warm node
  for (auto _ : state) {
    ResolveResult r = resolver.step(warm, request);
    if (!r.is_ok()) state.SkipWithError("step failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

// A key whose value is a message: the result carries a hashpath.
void BM_ResolveMessageRead(benchmark::State& state) {
  DeviceRegistry devices;
  SqliteStore store(":memory:");
  Resolver resolver(devices, &store);
  Message base = sample();
  base.set("child", Message{{"x", "1"}});
  message_id(Value(base), IdScope::kEveryCommitment);
  Message request{{"path", "child"}};
  for (auto _ : state) {
    ResolveResult r = resolver.step(base, request);
    if (!r.is_ok() || !r.value.is_map()) state.SkipWithError("step failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_MessageFind(benchmark::State& state) {
  Message base = sample();
  for (auto _ : state) benchmark::DoNotOptimize(base.find("key-7"));
  state.SetItemsProcessed(state.iterations());
}

void BM_HashpathStep(benchmark::State& state) {
  std::string hp = message_id(Value(sample()), IdScope::kEveryCommitment);
  for (auto _ : state) benchmark::DoNotOptimize(hashpath_step(hp, "key-7"));
  state.SetItemsProcessed(state.iterations());
}

// One whole request through the node, without the network: decode, parse,
// resolve, encode.
void BM_NodeHandleInfoAddress(benchmark::State& state) {
  spdlog::set_level(spdlog::level::warn);
  auto node_state = std::make_shared<NodeState>(Wallet::generate(KeyType::kSecp256k1), Message{});
  auto devices = std::make_shared<DeviceRegistry>();
  devices->add(std::make_shared<MetaDevice>(node_state));
  Node node(node_state, std::make_shared<SqliteStore>(":memory:"), devices);
  HttpRequest request{
      "GET", "/~meta@1.0/info/address", {{"host", "127.0.0.1"}, {"user-agent", "wrk"}}, "", ""};
  for (auto _ : state) {
    HttpResponse r = node.handle(request);
    if (r.status != 200) state.SkipWithError("request failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_ResolveKeyRead);
BENCHMARK(BM_ResolveMessageRead);
BENCHMARK(BM_NodeHandleInfoAddress);
BENCHMARK(BM_MessageFind);
BENCHMARK(BM_HashpathStep);

}  // namespace
}  // namespace hashpath

int main(int argc, char** argv) {
  using hashpath::bench::compare;
  using hashpath::bench::Metric;
  compare("resolve step, message@1.0 key read", "BM_ResolveKeyRead", "BM_MessageFind",
          Metric::kItemsPerSecond);
  compare("resolve step with hashpath, message read", "BM_ResolveMessageRead", "BM_HashpathStep",
          Metric::kItemsPerSecond);
  return hashpath::bench::run_with_peer_report(argc, argv);
}
