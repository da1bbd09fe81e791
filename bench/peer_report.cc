#include "bench/peer_report.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <vector>

namespace hashpath::bench {
namespace {

struct Comparison {
  std::string label, ours, peer;
  Metric metric;
};

std::vector<Comparison>& comparisons() {
  static std::vector<Comparison> c;
  return c;
}

// Remembers the rates of every run while the console reporter prints them.
class CapturingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      if (run.run_type != Run::RT_Iteration && run.aggregate_name != "mean") continue;
      Rates& r = rates[run.run_name.function_name +
                       (run.run_name.args.empty() ? "" : "/" + run.run_name.args)];
      auto items = run.counters.find("items_per_second");
      auto bytes = run.counters.find("bytes_per_second");
      if (items != run.counters.end()) r.items = items->second.value;
      if (bytes != run.counters.end()) r.bytes = bytes->second.value;
    }
  }
  struct Rates {
    double items = 0, bytes = 0;
  };
  std::map<std::string, Rates> rates;
};

std::string human(double v, Metric m) {
  char buf[64];
  if (m == Metric::kBytesPerSecond) {
    std::snprintf(buf, sizeof buf, "%.1f MB/s", v / 1e6);
  } else if (v >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.2f M/s", v / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f /s", v);
  }
  return buf;
}

}  // namespace

void compare(std::string label, std::string ours, std::string peer, Metric metric) {
  comparisons().push_back({std::move(label), std::move(ours), std::move(peer), metric});
}

int run_with_peer_report(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  CapturingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  std::printf("\n%-44s %16s %16s %8s\n", "comparison (same run)", "hashpath", "peer", "ratio");
  for (const auto& c : comparisons()) {
    auto o = reporter.rates.find(c.ours), p = reporter.rates.find(c.peer);
    if (o == reporter.rates.end() || p == reporter.rates.end()) continue;  // filtered out
    double ov = c.metric == Metric::kBytesPerSecond ? o->second.bytes : o->second.items;
    double pv = c.metric == Metric::kBytesPerSecond ? p->second.bytes : p->second.items;
    std::printf("%-44s %16s %16s %8.3f\n", c.label.c_str(), human(ov, c.metric).c_str(),
                human(pv, c.metric).c_str(), pv > 0 ? ov / pv : 0.0);
  }
  return 0;
}

}  // namespace hashpath::bench
