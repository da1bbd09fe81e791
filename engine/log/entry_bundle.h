// C2SP tlog-tiles entry bundles and tile paths (docs/log-format.md §5): how
// a log's entries travel to verifiers and mirrors.
//
//   bundle = for each entry: u16 length (big-endian) || entry bytes
//   tile/entries/<N>[.p/<W>]: N in groups of three digits, all but the last
//   prefixed with 'x' (1234067 → x001/x234/067); W (1–255) for a partial
//   bundle of the first W entries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hashpath {

inline constexpr uint64_t kEntryBundleWidth = 256;

// LogFormatError for an entry of 64 KiB or more (a bundle cannot carry it).
std::string encode_entry_bundle(const std::vector<std::string>& entries);
// LogFormatError naming the problem for bytes that are not a bundle; the
// result re-encodes to exactly `bytes`.
std::vector<std::string> decode_entry_bundle(std::string_view bytes);

// "x001/x234/067" for 1234067.
std::string tile_index_path(uint64_t index);
// "tile/entries/<N>", with ".p/<W>" when width < 256.
std::string entry_bundle_path(uint64_t index, uint64_t width);

}  // namespace hashpath
