// The RFC 6962 / RFC 9162 Merkle tree over log entries, kept incrementally.
//
//   leaf hash  = SHA-256(0x00 || entry bytes)
//   node hash  = SHA-256(0x01 || left || right)
//   empty tree = SHA-256("")
//
// MerkleTree stores every complete subtree's hash (level k holds the hashes
// of the aligned 2^k-leaf ranges), so appending hashes at most log2(n)
// nodes, never recomputes, and any root or proof costs O(log n) lookups.
// A tree may prune: for the first T complete 256-leaf tiles it then keeps
// only their roots (level 8 and up, 2/256 of the hashes) and reads their
// leaves back from a LeafSource when a node below level 8 is asked for
// (one range read per tile, a few tiles cached). Memory is then one hash
// per 128 leaves plus the unpruned tail, not ~2 hashes per leaf.
// The verify functions are RFC 9162 §2.1.3.2 and §2.1.4.2 and need no tree.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashpath {

using MerkleHash = std::array<uint8_t, 32>;

MerkleHash merkle_leaf_hash(std::string_view entry);
MerkleHash merkle_node_hash(const MerkleHash& left, const MerkleHash& right);
MerkleHash merkle_empty_root();
std::string to_string(const MerkleHash& h);  // the 32 raw bytes
std::optional<MerkleHash> merkle_hash_from(std::string_view raw32);

class MerkleTree {
 public:
  // Leaf hashes [from, to) of leaves the tree has pruned; must return
  // exactly to - from hashes (an Error otherwise propagates).
  using LeafSource = std::function<std::vector<MerkleHash>(uint64_t from, uint64_t to)>;
  static constexpr unsigned kTileHeight = 8;  // 256-leaf tiles, as C2SP tlog-tiles

  uint64_t size() const { return count(0); }
  void append(const MerkleHash& leaf);
  // Sets where pruned leaves are read from (before the first prune()).
  void set_leaf_source(LeafSource source) { source_ = std::move(source); }
  // Drops levels 0..7 of the first `tiles` complete tiles (never fewer
  // than already pruned; at most the complete tiles). Needs a leaf source.
  void prune(uint64_t tiles);
  uint64_t pruned_tiles() const { return pruned_tiles_; }

  // Tree heads and proofs for any size up to size(); LogError
  // if a size or index is past the tree.
  MerkleHash root() const { return root(size()); }
  MerkleHash root(uint64_t size) const;
  std::vector<MerkleHash> inclusion_proof(uint64_t index, uint64_t size) const;
  // Empty when first == 0 or first == second.
  std::vector<MerkleHash> consistency_proof(uint64_t first, uint64_t second) const;

  // The complete subtree at `level` (2^level leaves), position `index`.
  MerkleHash node(unsigned level, uint64_t index) const;
  uint64_t nodes_at(unsigned level) const { return count(level); }

 private:
  // Nodes at `level` the tree has (stored or pruned), and the first index
  // levels_[level] still stores.
  uint64_t count(unsigned level) const {
    return level < levels_.size() ? offset(level) + levels_[level].size() : 0;
  }
  uint64_t offset(unsigned level) const {
    return level < kTileHeight ? pruned_tiles_ << (kTileHeight - level) : 0;
  }
  // Levels 0..8 of pruned tile `tile`, from its leaves (cached).
  const std::vector<std::vector<MerkleHash>>& pruned_tile(uint64_t tile) const;

  MerkleHash range_hash(uint64_t begin, uint64_t end) const;  // MTH(D[begin:end])
  void path(uint64_t m, uint64_t begin, uint64_t end, std::vector<MerkleHash>& out) const;
  void subproof(uint64_t m, uint64_t begin, uint64_t end, bool complete,
                std::vector<MerkleHash>& out) const;

  std::vector<std::vector<MerkleHash>> levels_;  // level k from offset(k)
  uint64_t pruned_tiles_ = 0;
  LeafSource source_;
  // A few pruned tiles rebuilt from their leaves: tile → levels 0..8.
  mutable std::map<uint64_t, std::vector<std::vector<MerkleHash>>> tile_cache_;
  mutable std::vector<uint64_t> tile_cache_order_;  // oldest first
};

bool verify_inclusion(const MerkleHash& leaf, uint64_t index, uint64_t size,
                      const std::vector<MerkleHash>& proof, const MerkleHash& root);
bool verify_consistency(uint64_t first, uint64_t second, const MerkleHash& first_root,
                        const MerkleHash& second_root, const std::vector<MerkleHash>& proof);

}  // namespace hashpath
