// A process-wide memory of signatures already found valid, so a message
// verified when it arrives (POST, schedule) is not verified again at full
// price when it is computed, stored or served (Bitcoin Core keeps the same
// kind of cache for the same reason).
//
// Promises:
// * Only a successful verification is remembered, under SHA-256 of
//   (scheme, key, signature, signed bytes) with each part length-prefixed,
//   so a remembered answer is exactly the answer the full verification
//   gives: verification stays a pure function of its inputs and the cache
//   can change how fast it is, never what it says.
// * Bounded: two generations of at most kGeneration entries each; when the
//   current one fills, the older is dropped (an entry used since moves to
//   the current one). Memory stays under ~2 × kGeneration × 100 bytes.
// * Thread-safe: one mutex guards both generations; it is never held while
//   a signature is checked.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

namespace hashpath {

class VerifiedSignatures {
 public:
  static constexpr size_t kGeneration = 32768;

  // The process's cache (RSA and secp256k1 verification use it).
  static VerifiedSignatures& instance();

  // The name under which a verification of `signature` over `message` by
  // `key` in `scheme` ("rsa-pss-sha256", ...) is remembered.
  static std::string fingerprint(std::string_view scheme, std::string_view key,
                                 std::string_view signature, std::string_view message);

  bool contains(const std::string& fingerprint);
  void insert(const std::string& fingerprint);
  void clear();

 private:
  std::mutex mu_;  // guards current_ and previous_
  std::unordered_set<std::string> current_;
  std::unordered_set<std::string> previous_;
};

}  // namespace hashpath
