#include "engine/codec/deep_hash.h"

#include "engine/crypto/hash.h"

namespace hashpath {

std::string deep_hash_blob(std::string_view blob) {
  std::string tag = sha384("blob" + std::to_string(blob.size()));
  return sha384(tag + sha384(blob));
}

std::string deep_hash_list(const std::vector<std::string>& element_hashes) {
  std::string acc = sha384("list" + std::to_string(element_hashes.size()));
  for (const auto& h : element_hashes) acc = sha384(acc + h);
  return acc;
}

std::string deep_hash_blobs(const std::vector<std::string_view>& blobs) {
  std::vector<std::string> hashes;
  hashes.reserve(blobs.size());
  for (auto b : blobs) hashes.push_back(deep_hash_blob(b));
  return deep_hash_list(hashes);
}

}  // namespace hashpath
