// libFuzzer target: ANS-104 data items and bundles (request bodies from the
// network). Invariants: no crash or sanitizer report; a parsed item
// re-serialises to the same bytes; mapping it to a message never crashes,
// and its commitment check never throws.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/codec/ans104.h"
#include "engine/codec/ans104_item.h"
#include "engine/codec/commitments.h"
#include "engine/error.h"

using namespace hashpath;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    DataItem item = DataItem::parse(in);
    if (item.serialize() != in) std::abort();
    (void)item.verify();
    try {
      Message tabm = ans104_tabm_from_item(item);
      (void)check_commitments(tabm);
    } catch (const CodecError&) {
    }
  } catch (const CodecError&) {
  }
  try {
    (void)parse_bundle(in);
  } catch (const CodecError&) {
  }
  return 0;
}
