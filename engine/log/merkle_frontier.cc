#include "engine/log/merkle_frontier.h"

#include <bit>

#include "engine/codec/coding.h"
#include "engine/error.h"

namespace hashpath {

void MerkleFrontier::append(const MerkleHash& leaf) {
  // Adding a leaf merges the trailing subtrees of equal size, as binary
  // addition carries: one merge per trailing 1-bit of the old size.
  MerkleHash carry = leaf;
  for (uint64_t n = size_; n & 1; n >>= 1) {
    carry = merkle_node_hash(subtrees_.back(), carry);
    subtrees_.pop_back();
  }
  subtrees_.push_back(carry);
  ++size_;
}

MerkleHash MerkleFrontier::root() const {
  if (subtrees_.empty()) return merkle_empty_root();
  MerkleHash h = subtrees_.back();
  for (size_t i = subtrees_.size() - 1; i-- > 0;) h = merkle_node_hash(subtrees_[i], h);
  return h;
}

std::string MerkleFrontier::encode() const {
  std::string out;
  put_be64(out, size_);
  for (const MerkleHash& h : subtrees_) out += to_string(h);
  return out;
}

MerkleFrontier MerkleFrontier::decode(std::string_view bytes) {
  if (bytes.size() < 8) throw LogFormatError("merkle frontier: shorter than its size field");
  MerkleFrontier f;
  f.size_ = get_be(bytes, 0, 8);
  size_t count = static_cast<size_t>(std::popcount(f.size_));
  if (bytes.size() != 8 + 32 * count) {
    throw LogFormatError("merkle frontier: " + std::to_string(bytes.size()) +
                         " bytes for a tree of size " + std::to_string(f.size_));
  }
  for (size_t i = 0; i < count; ++i) {
    f.subtrees_.push_back(*merkle_hash_from(bytes.substr(8 + 32 * i, 32)));
  }
  return f;
}

}  // namespace hashpath
