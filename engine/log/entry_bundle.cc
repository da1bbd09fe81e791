#include "engine/log/entry_bundle.h"

#include <cstdio>

#include "engine/codec/coding.h"
#include "engine/error.h"

namespace hashpath {

std::string encode_entry_bundle(const std::vector<std::string>& entries) {
  std::string out;
  for (const std::string& e : entries) {
    if (e.size() > 0xffff) {
      throw LogFormatError("an entry of " + std::to_string(e.size()) +
                           " bytes does not fit an entry bundle");
    }
    put_be16(out, static_cast<uint16_t>(e.size()));
    out += e;
  }
  return out;
}

std::vector<std::string> decode_entry_bundle(std::string_view bytes) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < bytes.size()) {
    if (bytes.size() - at < 2) throw LogFormatError("entry bundle: it ends inside a length");
    size_t n = static_cast<size_t>(get_be(bytes, at, 2));
    at += 2;
    if (bytes.size() - at < n) {
      throw LogFormatError("entry bundle: an entry runs past the end of the bundle");
    }
    if (out.size() == kEntryBundleWidth) {
      throw LogFormatError("entry bundle: more than " + std::to_string(kEntryBundleWidth) +
                           " entries");
    }
    out.emplace_back(bytes.substr(at, n));
    at += n;
  }
  return out;
}

std::string tile_index_path(uint64_t index) {
  std::string out;
  do {
    char group[5];
    std::snprintf(group, sizeof group, "%03u", static_cast<unsigned>(index % 1000));
    out = (out.empty() ? std::string(group) : "x" + std::string(group) + "/" + out);
    index /= 1000;
  } while (index > 0);
  return out;
}

std::string entry_bundle_path(uint64_t index, uint64_t width) {
  std::string out = "tile/entries/" + tile_index_path(index);
  if (width < kEntryBundleWidth) out += ".p/" + std::to_string(width);
  return out;
}

}  // namespace hashpath
