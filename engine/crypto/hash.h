// SHA-2 digests and HMAC-SHA256 over OpenSSL 3.
//
// The digest algorithms are fetched once per process and each thread keeps
// its own EVP_MD_CTX, so a one-shot digest costs no allocation or provider
// lookup (OpenSSL 3.0's one-shot SHA256() does both, and is ~3.5x slower on
// small inputs). All functions are thread-safe.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace hashpath {

enum class HashAlgorithm { kSha256, kSha384, kSha512 };

size_t digest_size(HashAlgorithm alg);

// The process-wide fetched OpenSSL digest (an `const EVP_MD*`), for code that
// drives OpenSSL directly without a by-name lookup per call.
const void* openssl_digest(HashAlgorithm alg);

std::string sha256(std::string_view data);
// SHA-256 of the concatenation of `parts`, written to `out` (32 bytes),
// without allocating: the Merkle tree's hot path.
void sha256_into(std::initializer_list<std::string_view> parts, unsigned char* out);
std::string sha384(std::string_view data);
std::string sha512(std::string_view data);
std::string digest(HashAlgorithm alg, std::string_view data);

// Incremental digest for data that arrives in pieces.
class Hasher {
 public:
  explicit Hasher(HashAlgorithm alg);
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  Hasher& update(std::string_view data);
  std::string finish();  // the hasher can not be updated afterwards

 private:
  void* ctx_;  // EVP_MD_CTX*
};

// HMAC-SHA256 (RFC 2104). For the same key used again and again (AO's
// unsigned IDs always use the key "ao") use HmacSha256Key, which does the key
// schedule once.
std::string hmac_sha256(std::string_view key, std::string_view data);

class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;

  std::string mac(std::string_view data) const;

 private:
  void* inner_;  // SHA256_CTX* after absorbing key ^ ipad
  void* outer_;  // SHA256_CTX* after absorbing key ^ opad
};

// Equality of secrets (MACs, keys) in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace hashpath
