// The right edge of an RFC 6962 tree: what a verifier keeps to extend a
// tree it has checked without holding its leaves.
//
// A tree of n leaves is the perfect subtrees of n's binary decomposition,
// largest first; its root is their hashes folded from the right:
// MTH = H(s1, H(s2, … H(s(k-1), sk))). MerkleFrontier keeps those k ≤ 64
// hashes, so appending a leaf costs O(log n) node hashes and the root
// O(log n), whatever the tree's size — the same root MerkleTree computes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/log/merkle.h"

namespace hashpath {

class MerkleFrontier {
 public:
  uint64_t size() const { return size_; }
  void append(const MerkleHash& leaf);
  MerkleHash root() const;

  // u64 size (big-endian) then the subtree hashes, largest first: the
  // verifier's saved state. decode: LogFormatError unless the byte count
  // matches the size's decomposition.
  std::string encode() const;
  static MerkleFrontier decode(std::string_view bytes);

 private:
  uint64_t size_ = 0;
  std::vector<MerkleHash> subtrees_;  // one per set bit of size_, largest first
};

}  // namespace hashpath
