// A length-prefixed zlib stream: u32 big-endian inflated length, then the
// bytes as one zlib (RFC 1950) stream. Sealed log tiles
// (docs/log-format.md §6) and deflated store records (docs/store-format.md)
// are written in it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hashpath {

// `bytes` (under 4 GiB) deflated at zlib `level` (1 = fastest).
std::string deflate_with_length(std::string_view bytes, int level = 1);

// The bytes `blob` holds; nullopt, with `why` saying what is wrong, when it
// is shorter than its prefix, claims more than `max_bytes`, or does not
// inflate to exactly the length it claims.
std::optional<std::string> inflate_with_length(std::string_view blob, uint64_t max_bytes,
                                               std::string* why);

}  // namespace hashpath
