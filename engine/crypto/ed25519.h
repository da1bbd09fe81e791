// Ed25519 (RFC 8032) over OpenSSL 3: the checkpoint key a log signs with
// beside its wallet, and a witness's cosigning key (docs/verification.md).
//
// Keys are the 32-byte seed (private) and the 32-byte public key;
// signatures are 64 bytes and deterministic.
#pragma once

#include <memory>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;

namespace hashpath {

class Ed25519PrivateKey {
 public:
  static Ed25519PrivateKey generate();
  // CryptoError unless `seed` is 32 bytes.
  static Ed25519PrivateKey from_seed(std::string_view seed);

  const std::string& seed() const { return seed_; }
  const std::string& public_key() const { return public_key_; }  // 32 bytes

  std::string sign(std::string_view message) const;  // 64 bytes

 private:
  std::string seed_;
  std::string public_key_;
  std::shared_ptr<EVP_PKEY> key_;  // OpenSSL's form of the seed, made once
};

// False for a malformed key or signature as for a wrong one.
bool ed25519_verify(std::string_view message, std::string_view signature,
                    std::string_view public_key);

}  // namespace hashpath
