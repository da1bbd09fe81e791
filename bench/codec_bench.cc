// structured@1.0 encode/decode throughput, with memcpy of the same number of
// bytes as the physical reference.
//
// "bytes" of a message = the bytes of its TABM's keys and values: what any
// encoder must at least touch once.
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "bench/peer_report.h"
#include "engine/codec/structured.h"

namespace hashpath {
namespace {

// A typical AO request: 20 keys, a mix of IDs, short strings and typed values.
Message twenty_key_message() {
  Message m;
  m.set("action", "Transfer");
  m.set("data-protocol", "ao");
  m.set("variant", "ao.TN.1");
  m.set("type", "Message");
  m.set("target", "VnYnaoOvankqXk13s502zpiq9PIaqFHDRcIrTNhyqKQ");
  m.set("recipient", "vcaPe4JWnrSOCktDHBgXge-zWUb6JRkqbom5w9t7i-4");
  m.set("from-process", "J-j0jyZ1YWhMBXtJMWHz-dl-mDcksoJSQo_Fq5loHUs");
  m.set("quantity", Value::integer(1000000000000));
  m.set("slot", Value::integer(4242));
  m.set("timestamp", Value::integer(1732000000000));
  m.set("block-height", Value::integer(1543210));
  m.set("ratio", Value::floating(0.125));
  m.set("cast", Value::boolean(false));
  m.set("reference", "17");
  m.set("x-note", "forwarded by the relay");
  m.set("content-type", "application/json");
  m.set("device", "process@1.0");
  m.set("path", "schedule");
  m.set("method", "POST");
  m.set("body", R"({"Target":"x","Quantity":"1000"})");
  return m;
}

Message one_mib_body_message() {
  Message m;
  m.set("body", std::string(1 << 20, 'b'));
  m.set("content-type", "application/octet-stream");
  return m;
}

size_t tabm_bytes(const Message& tabm) {
  size_t n = 0;
  for (const auto& [k, v] : tabm) n += k.size() + (v.is_binary() ? v.as_binary().size() : 0);
  return n;
}

void run_encode(benchmark::State& state, const Message& m) {
  size_t bytes = tabm_bytes(structured_to_tabm(Value(m)));
  for (auto _ : state) benchmark::DoNotOptimize(structured_to_tabm(Value(m)));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

void run_decode(benchmark::State& state, const Message& m) {
  Message tabm = structured_to_tabm(Value(m));
  size_t bytes = tabm_bytes(tabm);
  for (auto _ : state) benchmark::DoNotOptimize(structured_from_tabm(tabm));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

void run_memcpy(benchmark::State& state, const Message& m) {
  size_t bytes = tabm_bytes(structured_to_tabm(Value(m)));
  std::vector<char> src(bytes, 'x'), dst(bytes);
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), bytes);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

void BM_StructuredEncode_20Keys(benchmark::State& s) { run_encode(s, twenty_key_message()); }
void BM_StructuredDecode_20Keys(benchmark::State& s) { run_decode(s, twenty_key_message()); }
void BM_Memcpy_20Keys(benchmark::State& s) { run_memcpy(s, twenty_key_message()); }
void BM_StructuredEncode_1MiB(benchmark::State& s) { run_encode(s, one_mib_body_message()); }
void BM_StructuredDecode_1MiB(benchmark::State& s) { run_decode(s, one_mib_body_message()); }
void BM_Memcpy_1MiB(benchmark::State& s) { run_memcpy(s, one_mib_body_message()); }

BENCHMARK(BM_StructuredEncode_20Keys);
BENCHMARK(BM_StructuredDecode_20Keys);
BENCHMARK(BM_Memcpy_20Keys);
BENCHMARK(BM_StructuredEncode_1MiB);
BENCHMARK(BM_StructuredDecode_1MiB);
BENCHMARK(BM_Memcpy_1MiB);

}  // namespace
}  // namespace hashpath

int main(int argc, char** argv) {
  using hashpath::bench::compare;
  using hashpath::bench::Metric;
  compare("structured encode, 20 keys (msg/s)", "BM_StructuredEncode_20Keys", "BM_Memcpy_20Keys",
          Metric::kItemsPerSecond);
  compare("structured decode, 20 keys (msg/s)", "BM_StructuredDecode_20Keys", "BM_Memcpy_20Keys",
          Metric::kItemsPerSecond);
  compare("structured encode, 1 MiB body (MB/s)", "BM_StructuredEncode_1MiB", "BM_Memcpy_1MiB",
          Metric::kBytesPerSecond);
  compare("structured decode, 1 MiB body (MB/s)", "BM_StructuredDecode_1MiB", "BM_Memcpy_1MiB",
          Metric::kBytesPerSecond);
  return hashpath::bench::run_with_peer_report(argc, argv);
}
