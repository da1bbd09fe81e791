#include "engine/log/sealed_tile.h"

#include <zlib.h>

#include "engine/codec/coding.h"
#include "engine/error.h"
#include "engine/log/entry_bundle.h"

namespace hashpath {
namespace {

// The inflated size a sealed blob may claim: 256 entries of < 64 KiB each.
constexpr uint64_t kMaxInflated = kSealedTileWidth * (2 + 65535);

std::string deflated(const std::string& bytes) {
  uLongf size = compressBound(static_cast<uLong>(bytes.size()));
  const uint32_t n = static_cast<uint32_t>(bytes.size());
  std::string out;
  put_be32(out, n);
  out.resize(4 + size);
  // Level 1: most of what a tile repeats is whole IDs and key names, which
  // the fastest level finds too; the indexer pays it once per tile.
  if (compress2(reinterpret_cast<Bytef*>(out.data() + 4), &size,
                reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uLong>(bytes.size()),
                1) != Z_OK) {
    throw LogFormatError("sealed tile: zlib could not compress " + std::to_string(n) + " bytes");
  }
  out.resize(4 + size);
  return out;
}

std::string inflated(uint64_t index, const std::string& blob, const char* what) {
  auto fail = [&](const std::string& why) -> LogFormatError {
    return LogFormatError("sealed tile " + std::to_string(index) + ": " + what + " " + why);
  };
  if (blob.size() < 4) throw fail("is shorter than its length prefix");
  const uint64_t n = get_be32(blob, 0);
  if (n > kMaxInflated) throw fail("claims " + std::to_string(n) + " bytes");
  std::string out(n, '\0');
  uLongf size = static_cast<uLongf>(n);
  int rc = uncompress(reinterpret_cast<Bytef*>(out.data()), &size,
                      reinterpret_cast<const Bytef*>(blob.data() + 4),
                      static_cast<uLong>(blob.size() - 4));
  if (rc != Z_OK || size != n) throw fail("does not inflate (zlib " + std::to_string(rc) + ")");
  return out;
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
