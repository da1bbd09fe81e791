#include "engine/log/sealed_tile.h"

#include "engine/codec/deflated.h"
#include "engine/error.h"
#include "engine/log/entry_bundle.h"

namespace hashpath {
namespace {

// The inflated size a sealed blob may claim: 256 entries of < 64 KiB each.
constexpr uint64_t kMaxInflated = kSealedTileWidth * (2 + 65535);

// Level 1: most of what a tile repeats is whole IDs and key names, which
// the fastest level finds too; the indexer pays it once per tile.
std::string deflated(const std::string& bytes) {
  try {
    return deflate_with_length(bytes, 1);
  } catch (const std::exception& e) {
    throw LogFormatError(std::string("sealed tile: ") + e.what());
  }
}

std::string inflated(uint64_t index, const std::string& blob, const char* what) {
  std::string why;
  std::optional<std::string> out = inflate_with_length(blob, kMaxInflated, &why);
  if (!out) throw LogFormatError("sealed tile " + std::to_string(index) + ": " + what + " " + why);
  return std::move(*out);
}

}  // namespace

SealedTile seal_tile(const std::vector<StoredEntry>& rows) {
  if (rows.size() != kSealedTileWidth)
    throw LogFormatError("sealed tile: " + std::to_string(rows.size()) + " rows, not 256");
  std::vector<std::string> entries, receipts;
  SealedTile tile;
  tile.leaves.reserve(kSealedTileWidth * 32);
  bool any_receipt = false;
  for (const StoredEntry& r : rows) {
    entries.push_back(r.entry);
    receipts.push_back(r.receipt);
    any_receipt = any_receipt || !r.receipt.empty();
    if (r.leaf.size() != 32) throw LogFormatError("sealed tile: a leaf hash is not 32 bytes");
    tile.leaves += r.leaf;
  }
  tile.entries = deflated(encode_entry_bundle(entries));
  if (any_receipt) tile.receipts = deflated(encode_entry_bundle(receipts));
  return tile;
}

std::vector<StoredEntry> open_sealed_tile(uint64_t index, const SealedTile& tile) {
  auto fail = [&](const std::string& why) {
    return LogFormatError("sealed tile " + std::to_string(index) + ": " + why);
  };
  std::vector<std::string> entries = decode_entry_bundle(inflated(index, tile.entries, "entries"));
  if (entries.size() != kSealedTileWidth)
    throw fail("holds " + std::to_string(entries.size()) + " entries, not 256");
  if (tile.leaves.size() != kSealedTileWidth * 32) throw fail("leaves are not 256 × 32 bytes");
  std::vector<std::string> receipts;
  if (tile.receipts) {
    receipts = decode_entry_bundle(inflated(index, *tile.receipts, "receipts"));
    if (receipts.size() != kSealedTileWidth)
      throw fail("holds " + std::to_string(receipts.size()) + " receipts, not 256");
  }
  std::vector<StoredEntry> rows(kSealedTileWidth);
  for (size_t i = 0; i < kSealedTileWidth; ++i) {
    rows[i].seq = index * kSealedTileWidth + i;
    rows[i].entry = std::move(entries[i]);
    rows[i].leaf = tile.leaves.substr(i * 32, 32);
    if (tile.receipts) rows[i].receipt = std::move(receipts[i]);
  }
  return rows;
}

}  // namespace hashpath
