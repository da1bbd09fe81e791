// libFuzzer target: the store's record decoder (engine/store/
// message_record.h), which reads bytes back from disk: a damaged or hostile
// store file must give CodecError, never a crash. A record that decodes
// re-encodes to the same bytes (the format has one encoding per message).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/error.h"
#include "engine/store/message_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hashpath;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    Message m = decode_record(in);
    if (encode_record(m) != in) std::abort();
  } catch (const CodecError&) {
  }
  return 0;
}
