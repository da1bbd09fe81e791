// libFuzzer target: the HyperPATH parser (request targets from the network).
// Invariant: any input either parses or raises PathError; nothing else.
#include <cstdint>
#include <string_view>

#include "engine/resolve/hyperpath.h"

using namespace hashpath;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    PathList list = parse_hyperpath(in);
    (void)describe(list);
  } catch (const PathError&) {
  }
  return 0;
}
