#include "engine/crypto/verified_signatures.h"

#include "engine/crypto/hash.h"

namespace hashpath {

VerifiedSignatures& VerifiedSignatures::instance() {
  static VerifiedSignatures cache;
  return cache;
}

std::string VerifiedSignatures::fingerprint(std::string_view scheme, std::string_view key,
                                            std::string_view signature, std::string_view message) {
  const std::string_view parts[4] = {scheme, key, signature, message};
  char lengths[4][8];
  for (int p = 0; p < 4; ++p) {
    const uint64_t n = parts[p].size();
    for (int i = 0; i < 8; ++i) lengths[p][i] = static_cast<char>(n >> (56 - 8 * i));
  }
  auto length = [&](int p) { return std::string_view(lengths[p], 8); };
  std::string out(32, '\0');
  sha256_into({length(0), scheme, length(1), key, length(2), signature, length(3), message},
              reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

bool VerifiedSignatures::contains(const std::string& fingerprint) {
  std::lock_guard<std::mutex> lock(mu_);
  if (current_.count(fingerprint) != 0) return true;
  auto it = previous_.find(fingerprint);
  if (it == previous_.end()) return false;
  // Used again: kept into the next generation.
  current_.insert(previous_.extract(it));
  if (current_.size() >= kGeneration) {
    previous_ = std::move(current_);
    current_.clear();
  }
  return true;
}

void VerifiedSignatures::insert(const std::string& fingerprint) {
  std::lock_guard<std::mutex> lock(mu_);
  current_.insert(fingerprint);
  if (current_.size() >= kGeneration) {
    previous_ = std::move(current_);
    current_.clear();
  }
}

void VerifiedSignatures::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  current_.clear();
  previous_.clear();
}

}  // namespace hashpath
