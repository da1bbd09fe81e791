// Deflate, in the two framings the project stores. A length-prefixed zlib
// stream: u32 big-endian inflated length, then the bytes as one zlib (RFC
// 1950) stream. Sealed log tiles
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

// Appends `bytes` (under 4 GiB) to `out` as one raw deflate stream (RFC
// 1951: no zlib header or checksum) at level 1, compressed with
// `dictionary` (its last 32 KiB count) preset: what the two share costs a
// few bytes of back references (store delta records, docs/store-format.md).
void deflate_raw_with_dictionary(std::string_view bytes, std::string_view dictionary,
                                 std::string& out);

// Inflates the raw stream into `out`, which must already have the length
// the result must have; true if the stream ends exactly there. Else false,
// with zlib's status in `zlib_status`.
bool inflate_raw_with_dictionary(std::string_view stream, std::string_view dictionary,
                                 std::string& out, int* zlib_status);

// The bytes `blob` holds; nullopt, with `why` saying what is wrong, when it
// is shorter than its prefix, claims more than `max_bytes`, or does not
// inflate to exactly the length it claims.
std::optional<std::string> inflate_with_length(std::string_view blob, uint64_t max_bytes,
                                               std::string* why);

}  // namespace hashpath
