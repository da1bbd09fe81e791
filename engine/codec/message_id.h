// Message IDs and hashpaths (docs/wire-formats.md, "Message IDs"; docs/protocol.md §3).
//
//   id(M, kUnsigned)  the unsigned ID: HMAC-SHA256("ao", signature base of
//                     all keys), children linked by their kSigned IDs
//   id(M, kSigned)    the accumulated IDs of every committer-bearing
//                     (signed) commitment; for an unsigned message, the
//                     unsigned ID
//   id(M, kEveryCommitment)  every commitment, HMAC included (hashpaths)
//
// Hashpath's one departure from HyperBEAM's IDs: the unsigned ID of a map
// of more than kChunkedMapEntries entries is its chunked commitment
// (docs/log-format.md, "State commitments"), which a change to one key
// updates in O(log K)-sized work instead of rehashing all K keys. Smaller
// maps, and every signed ID, are HyperBEAM's.
//
// Hashpath computes the unsigned ID from the content every time (HyperBEAM
// returns a stored HMAC commitment ID unverified), so it cannot be forged by
// a sender. IDs are memoised on the message storage and cleared on change.
// The IDs live with the codecs, not in message/, because they are defined
// by the httpsig@1.0 encoding.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/message/message.h"

namespace hashpath {

enum class IdScope { kUnsigned, kSigned, kEveryCommitment };

// Maps with more entries than this are identified by their chunks; a chunk
// ends after a key whose FNV-1a 64-bit hash is 0 modulo kChunkDivisor, or
// after kChunkedMapEntries entries (so a chunk's ID is an ordinary one).
inline constexpr size_t kChunkedMapEntries = 1024;
inline constexpr uint64_t kChunkDivisor = 64;

// The chunked commitment of a map, whatever its size (message_id uses it
// above kChunkedMapEntries); tests compare the incremental path with it.
std::string chunked_map_id(const Message& m);

// How a map's chunked commitment cuts it, for stores that write large maps
// as their chunks (docs/store-format.md): each chunk's ID and last key, and
// each page's ID and its chunks' range [page_begin, page_end). Nullopt
// when the map's ID is not the chunked commitment of exactly its entries
// (it is small, or has keys IDs leave out, such as private keys). A view
// of what message_id remembered on the map: nothing is copied.
class MapChunking {
 public:
  explicit MapChunking(std::shared_ptr<const ChunkedIdMemo> memo) : memo_(std::move(memo)) {}
  size_t chunks() const;
  std::string chunk_id(size_t i) const;
  std::string_view last_key(size_t i) const;
  size_t pages() const;
  const std::string& page_id(size_t p) const;
  size_t page_begin(size_t p) const;
  size_t page_end(size_t p) const;

 private:
  std::shared_ptr<const ChunkedIdMemo> memo_;
};
std::optional<MapChunking> map_chunking(const Message& m);
// The entries of chunk `i` of `chunking`, `m`'s, as a message (its ID
// already known).
Message map_chunk(const Message& m, const MapChunking& chunking, size_t i);

std::string message_id(const Value& message, IdScope scope = IdScope::kUnsigned);  // 43-char
// The IDs of the commitments whose committers are in `committers`; CodecError
// if one of them has none.
std::string message_id_for(const Message& message, const std::vector<std::string>& committers);

// The unsigned ID by the general encoder only (tests compare it with the
// fast path message_id takes for flat messages).
std::string unsigned_id_general(const Message& message);

// The non-bundle TABM used for IDs and signatures: children replaced by
// `key+link: id(child, kSigned)`.
Message linked_tabm(const Value& message);

// Sum of 32-byte big-endian IDs mod 2^256 (docs/wire-formats.md, "Message IDs", step 3). Takes and
// returns 43-char IDs.
std::string accumulate_ids(const std::vector<std::string>& ids);

// Hashpath step (docs/protocol.md §3.2): from the current hashpath (an ID, or "P1/P2") and
// the request's ID to the new hashpath "base/id2", with sha-256-chain.
std::string hashpath_step(std::string_view current, std::string_view request_id);

}  // namespace hashpath
