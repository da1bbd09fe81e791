// Prints Google Benchmark results as usual, then one line per registered
// comparison: our figure, the peer's figure from the same run, and the ratio.
//
//   compare("structured encode 20 keys", "BM_StructuredEncode/20keys",
//           "BM_Memcpy/20keys", Metric::kBytesPerSecond);
//   return run_with_peer_report(argc, argv);
#pragma once

#include <string>

namespace hashpath::bench {

enum class Metric { kItemsPerSecond, kBytesPerSecond };

void compare(std::string label, std::string ours, std::string peer, Metric metric);

int run_with_peer_report(int argc, char** argv);

}  // namespace hashpath::bench
