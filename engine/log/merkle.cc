#include "engine/log/merkle.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

#include "engine/crypto/hash.h"
#include "engine/error.h"

namespace hashpath {
namespace {

// The largest power of two strictly less than n (n >= 2): RFC 6962's split.
uint64_t split_point(uint64_t n) { return std::bit_floor(n - 1); }

}  // namespace

MerkleHash merkle_leaf_hash(std::string_view entry) {
  MerkleHash out;
  sha256_into({std::string_view("\0", 1), entry}, out.data());
  return out;
}

MerkleHash merkle_node_hash(const MerkleHash& left, const MerkleHash& right) {
  MerkleHash out;
  auto view = [](const MerkleHash& h) {
    return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
  };
  sha256_into({std::string_view("\x01", 1), view(left), view(right)}, out.data());
  return out;
}

MerkleHash merkle_empty_root() {
  MerkleHash out;
  sha256_into({}, out.data());
  return out;
}

std::string to_string(const MerkleHash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

std::optional<MerkleHash> merkle_hash_from(std::string_view raw32) {
  if (raw32.size() != 32) return std::nullopt;
  MerkleHash h;
  std::memcpy(h.data(), raw32.data(), 32);
  return h;
}

void MerkleTree::append(const MerkleHash& leaf) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf);
  // Each completed pair at level k completes one node at level k+1. (The
  // pruned prefix of a level is whole tiles: an even count of nodes, so
  // the parity of what is stored is the parity of the level.)
  for (size_t k = 0; levels_[k].size() % 2 == 0; ++k) {
    if (k + 1 == levels_.size()) levels_.emplace_back();
    const auto& level = levels_[k];
    levels_[k + 1].push_back(merkle_node_hash(level[level.size() - 2], level[level.size() - 1]));
  }
}

void MerkleTree::prune(uint64_t tiles) {
  uint64_t complete = size() >> kTileHeight;
  tiles = std::min(tiles, complete);
  if (tiles <= pruned_tiles_) return;
  if (!source_) throw LogError("a Merkle tree cannot prune without a leaf source");
  for (unsigned k = 0; k < kTileHeight && k < levels_.size(); ++k) {
    uint64_t drop = (tiles - pruned_tiles_) << (kTileHeight - k);
    levels_[k].erase(levels_[k].begin(), levels_[k].begin() + static_cast<std::ptrdiff_t>(drop));
    levels_[k].shrink_to_fit();
  }
  pruned_tiles_ = tiles;
}

const std::vector<std::vector<MerkleHash>>& MerkleTree::pruned_tile(uint64_t tile) const {
  constexpr size_t kCachedTiles = 16;
  if (auto it = tile_cache_.find(tile); it != tile_cache_.end()) return it->second;
  uint64_t first = tile << kTileHeight;
  std::vector<std::vector<MerkleHash>> levels(kTileHeight + 1);
  levels[0] = source_(first, first + (uint64_t{1} << kTileHeight));
  if (levels[0].size() != (size_t{1} << kTileHeight))
    throw LogError("the leaves of tile " + std::to_string(tile) + " could not be read back");
  for (unsigned k = 0; k < kTileHeight; ++k) {
    for (size_t i = 0; i + 1 < levels[k].size(); i += 2)
      levels[k + 1].push_back(merkle_node_hash(levels[k][i], levels[k][i + 1]));
  }
  if (levels[kTileHeight][0] != levels_[kTileHeight][tile])
    throw LogError("the leaves read back for tile " + std::to_string(tile) +
                   " do not hash to the tile's root");
  if (tile_cache_.size() >= kCachedTiles) {
    tile_cache_.erase(tile_cache_order_.front());
    tile_cache_order_.erase(tile_cache_order_.begin());
  }
  tile_cache_order_.push_back(tile);
  return tile_cache_[tile] = std::move(levels);
}

MerkleHash MerkleTree::node(unsigned level, uint64_t index) const {
  if (index >= count(level))
    throw LogError("no node " + std::to_string(index) + " at level " + std::to_string(level));
  if (index >= offset(level)) return levels_[level][index - offset(level)];
  uint64_t tile = (index << level) >> kTileHeight;
  return pruned_tile(tile)[level][index - (tile << (kTileHeight - level))];
}

MerkleHash MerkleTree::range_hash(uint64_t begin, uint64_t end) const {
  uint64_t n = end - begin;
  if (std::has_single_bit(n) && begin % n == 0) {
    unsigned level = static_cast<unsigned>(std::countr_zero(n));
    return node(level, begin >> level);
  }
  uint64_t k = split_point(n);
  return merkle_node_hash(range_hash(begin, begin + k), range_hash(begin + k, end));
}

MerkleHash MerkleTree::root(uint64_t size) const {
  if (size > this->size()) throw LogError("tree size " + std::to_string(size) + " is past the log");
  if (size == 0) return merkle_empty_root();
  return range_hash(0, size);
}

void MerkleTree::path(uint64_t m, uint64_t begin, uint64_t end,
                      std::vector<MerkleHash>& out) const {
  uint64_t n = end - begin;
  if (n == 1) return;
  uint64_t k = split_point(n);
  if (m < k) {
    path(m, begin, begin + k, out);
    out.push_back(range_hash(begin + k, end));
  } else {
    path(m - k, begin + k, end, out);
    out.push_back(range_hash(begin, begin + k));
  }
}

std::vector<MerkleHash> MerkleTree::inclusion_proof(uint64_t index, uint64_t size) const {
  if (size > this->size() || index >= size) {
    throw LogError("no leaf " + std::to_string(index) + " in a tree of size " +
                   std::to_string(size));
  }
  std::vector<MerkleHash> out;
  path(index, 0, size, out);
  return out;
}

void MerkleTree::subproof(uint64_t m, uint64_t begin, uint64_t end, bool complete,
                          std::vector<MerkleHash>& out) const {
  uint64_t n = end - begin;
  if (m == n) {
    if (!complete) out.push_back(range_hash(begin, end));
    return;
  }
  uint64_t k = split_point(n);
  if (m <= k) {
    subproof(m, begin, begin + k, complete, out);
    out.push_back(range_hash(begin + k, end));
  } else {
    subproof(m - k, begin + k, end, false, out);
    out.push_back(range_hash(begin, begin + k));
  }
}

std::vector<MerkleHash> MerkleTree::consistency_proof(uint64_t first, uint64_t second) const {
  if (second > size() || first > second) {
    throw LogError("no consistency proof from " + std::to_string(first) + " to " +
                   std::to_string(second));
  }
  std::vector<MerkleHash> out;
  if (first == 0 || first == second) return out;
  subproof(first, 0, second, true, out);
  return out;
}

bool verify_inclusion(const MerkleHash& leaf, uint64_t index, uint64_t size,
                      const std::vector<MerkleHash>& proof, const MerkleHash& root) {
  if (index >= size) return false;
  uint64_t fn = index, sn = size - 1;
  MerkleHash r = leaf;
  for (const auto& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = merkle_node_hash(p, r);
      if (!(fn & 1)) {
        while (fn != 0 && !(fn & 1)) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = merkle_node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool verify_consistency(uint64_t first, uint64_t second, const MerkleHash& first_root,
                        const MerkleHash& second_root, const std::vector<MerkleHash>& proof) {
  if (first > second) return false;
  if (first == second) return proof.empty() && first_root == second_root;
  if (first == 0) return proof.empty();  // every tree extends the empty tree
  if (proof.empty()) return false;
  std::vector<MerkleHash> path;
  if (std::has_single_bit(first)) path.push_back(first_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = first - 1, sn = second - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  MerkleHash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const MerkleHash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = merkle_node_hash(c, fr);
      sr = merkle_node_hash(c, sr);
      if (!(fn & 1)) {
        while (fn != 0 && !(fn & 1)) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = merkle_node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == first_root && sr == second_root && sn == 0;
}

}  // namespace hashpath
