// A message record kept as its difference from another, whole record
// (docs/store-format.md, "Delta records", kind 6):
//
//   blob = u32 big-endian record length
//          || the 32-byte hash of the base record (a kind 0 or 4 row)
//          || the record as one raw deflate stream (RFC 1951) compressed
//             with the base record as its preset dictionary
//
// So what the record shares with its base — the keys and values of a
// process state that one step changed in two places, the public key every
// one of a signer's messages carries — costs a few bytes of back
// references instead of being stored again. Decoding needs the base record
// and checks the length; the store also checks the record against its hash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hashpath {

// The most of a base a delta can refer to: deflate's 32 KiB window.
constexpr size_t kMaxDeltaBase = 32 * 1024;

// `record` (under 4 GiB) as a delta against `base_record` (at most
// kMaxDeltaBase bytes), whose SHA-256 is `base_hash`.
std::string encode_record_delta(std::string_view record, std::string_view base_hash,
                                std::string_view base_record);

// The base hash a delta blob names; nullopt, with `why`, if the blob is
// shorter than its header.
std::optional<std::string> record_delta_base(std::string_view blob, std::string* why);

// The record `blob` holds, given its base record; nullopt, with `why`
// saying what is wrong, when the blob is truncated, claims more than
// `max_bytes`, or does not inflate to exactly the length it claims.
std::optional<std::string> decode_record_delta(std::string_view blob, std::string_view base_record,
                                               uint64_t max_bytes, std::string* why);

}  // namespace hashpath
