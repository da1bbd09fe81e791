// A sealed tile of log.db (docs/log-format.md §6, "Sealed tiles"): the 256
// entries [256·N, 256·N + 256) of a full tile kept as one row, compressed,
// instead of 256 rows. Entries of a log repeat most of their bytes (key
// names, the base, request and result IDs of similar steps), so a tile
// compresses to a fraction of its rows; the leaf hashes do not, and are
// kept raw so proofs read them without inflating anything.
//
//   entries  = deflated(entry bundle of the 256 entries)      (entry_bundle.h)
//   leaves   = the 256 leaf hashes, 32 bytes each, in order
//   receipts = NULL if no entry has one, else deflated(the receipts in the
//              entry-bundle form: u16 length || bytes; length 0 = none)
//   deflated(b) = u32 big-endian length of b || zlib stream of b
//
// Promise: open_sealed_tile(N, seal_tile(rows)) == rows for any 256
// consecutive rows starting at 256·N; any other bytes are refused with a
// LogFormatError naming the tile and what is wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/log/log_database.h"

namespace hashpath {

inline constexpr uint64_t kSealedTileWidth = 256;

struct SealedTile {
  std::string entries;                  // deflated entry bundle
  std::string leaves;                   // 256 × 32 bytes
  std::optional<std::string> receipts;  // deflated receipt bundle, if any
};

// `rows` are the 256 entries of one tile, in seq order.
SealedTile seal_tile(const std::vector<StoredEntry>& rows);
// The rows of tile `index` back; LogFormatError if the bytes are not a
// sealed tile of 256 entries (a corrupt or truncated blob).
std::vector<StoredEntry> open_sealed_tile(uint64_t index, const SealedTile& tile);

}  // namespace hashpath
