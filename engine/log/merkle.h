// The RFC 6962 / RFC 9162 Merkle tree over log entries, kept incrementally.
//
//   leaf hash  = SHA-256(0x00 || entry bytes)
//   node hash  = SHA-256(0x01 || left || right)
//   empty tree = SHA-256("")
//
// MerkleTree stores every complete subtree's hash (level k holds the hashes
// of the aligned 2^k-leaf ranges), so appending hashes at most log2(n)
// nodes, never recomputes, and any root or proof costs O(log n) lookups.
// The verify functions are RFC 9162 §2.1.3.2 and §2.1.4.2 and need no tree.
#pragma once

#include <array>
#include <cstdint>
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
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  void append(const MerkleHash& leaf);

  // Tree heads and proofs for any size up to size(); LogError
  // if a size or index is past the tree.
  MerkleHash root() const { return root(size()); }
  MerkleHash root(uint64_t size) const;
  std::vector<MerkleHash> inclusion_proof(uint64_t index, uint64_t size) const;
  // Empty when first == 0 or first == second.
  std::vector<MerkleHash> consistency_proof(uint64_t first, uint64_t second) const;

  // The complete subtree at `level` (2^level leaves), position `index`.
  const MerkleHash& node(unsigned level, uint64_t index) const {
    return levels_.at(level).at(index);
  }
  uint64_t nodes_at(unsigned level) const {
    return level < levels_.size() ? levels_[level].size() : 0;
  }

 private:
  MerkleHash range_hash(uint64_t begin, uint64_t end) const;  // MTH(D[begin:end])
  void path(uint64_t m, uint64_t begin, uint64_t end, std::vector<MerkleHash>& out) const;
  void subproof(uint64_t m, uint64_t begin, uint64_t end, bool complete,
                std::vector<MerkleHash>& out) const;

  std::vector<std::vector<MerkleHash>> levels_;
};

bool verify_inclusion(const MerkleHash& leaf, uint64_t index, uint64_t size,
                      const std::vector<MerkleHash>& proof, const MerkleHash& root);
bool verify_consistency(uint64_t first, uint64_t second, const MerkleHash& first_root,
                        const MerkleHash& second_root, const std::vector<MerkleHash>& proof);

}  // namespace hashpath
