// libFuzzer target: the Structured Fields parser (it reads header values
// straight from the network). Invariants: no crash or sanitizer report on
// any input; whatever parses serialises to something that parses back to
// the same value.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/codec/structured_fields.h"
#include "engine/error.h"

using namespace hashpath;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    sf::Dictionary d = sf::parse_dictionary(in);
    if (sf::parse_dictionary(sf::serialize_dictionary(d)) != d) std::abort();
  } catch (const CodecError&) {
  }
  try {
    sf::List l = sf::parse_list(in);
    if (sf::parse_list(sf::serialize_list(l)) != l) std::abort();
  } catch (const CodecError&) {
  }
  try {
    sf::Item i = sf::parse_item(in);
    if (sf::parse_item(sf::serialize_item(i)) != i) std::abort();
  } catch (const CodecError&) {
  }
  return 0;
}
