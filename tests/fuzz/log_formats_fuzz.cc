// Log formats a verifier receives from other nodes: log entries (CBOR),
// entry bundles, signed notes and checkpoint bodies, and its own saved
// tree edge (MerkleFrontier). Each must either parse to something
// that re-encodes to the same bytes or fail with LogFormatError; nothing
// else may escape. (Fixture files are JSON: message_codecs_fuzz covers the
// decoder.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/log/checkpoint.h"
#include "engine/log/entry_bundle.h"
#include "engine/log/log_entry.h"
#include "engine/log/merkle_frontier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hashpath;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    LogEntry e = LogEntry::decode(in);
    if (e.encode() != in) std::abort();  // decode accepts canonical bytes only
  } catch (const LogFormatError&) {
  }
  try {
    if (encode_entry_bundle(decode_entry_bundle(in)) != in) std::abort();
  } catch (const LogFormatError&) {
  }
  try {
    MerkleFrontier f = MerkleFrontier::decode(in);
    if (f.encode() != in) std::abort();
  } catch (const LogFormatError&) {
  }
  try {
    SignedNote note = SignedNote::parse(in);
    SignedNote again = SignedNote::parse(note.text());
    if (again.body != note.body || again.signatures.size() != note.signatures.size()) std::abort();
    try {
      Checkpoint c = Checkpoint::parse_body(note.body);
      if (c.body() != note.body) std::abort();
    } catch (const LogFormatError&) {
    }
  } catch (const LogFormatError&) {
  }
  return 0;
}
