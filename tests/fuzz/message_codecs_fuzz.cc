// libFuzzer target: the text codecs that take bytes from outside (flat@1.0
// config/text, json@1.0 bodies) and the structured@1.0 decoding behind them.
// Invariants: no crash or sanitizer report; once decoded and re-encoded, a
// message is in canonical form: decoding and encoding it again changes
// nothing. (The first pass may legitimately drop keys: private and
// regenerated keys are never encoded.)
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/codec/flat.h"
#include "engine/codec/json.h"
#include "engine/error.h"

using namespace hashpath;

namespace {

template <typename Decode, typename Encode>
void check_canonical(std::string_view in, Decode decode, Encode encode) {
  std::string first;
  try {
    first = encode(decode(in));
  } catch (const CodecError&) {
    return;  // rejected input, or a message with no form in this codec
  }
  if (encode(decode(first)) != first) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  check_canonical(in, flat_decode, flat_encode);
  check_canonical(in, json_decode, json_encode);
  return 0;
}
