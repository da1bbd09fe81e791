// A wallet: one private key, in the JSON Web Key form AO tools exchange.
//
//   RSA (Arweave):  {"kty":"RSA","n","e","d","p","q","dp","dq","qi"}  base64url
//                   address = base64url(SHA-256(n))
//   secp256k1:      {"kty":"EC","crv":"secp256k1","x","y","d"}        base64url
//                   address = EIP-55 Ethereum address
//
// Parsing checks that the key is complete and internally consistent, and
// reports what is wrong (CryptoError) rather than producing a key that signs
// garbage.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/crypto/rsa.h"
#include "engine/crypto/secp256k1.h"

namespace hashpath {

enum class KeyType { kRsa, kSecp256k1 };

const char* key_type_name(KeyType type);  // "rsa" | "secp256k1"

class Wallet {
 public:
  static Wallet generate(KeyType type);  // RSA-4096 or a random secp256k1 scalar
  static Wallet from_jwk(std::string_view json);

  std::string to_jwk() const;  // pretty-printed JSON, keys in a fixed order

  KeyType type() const { return type_; }
  const std::string& address() const { return address_; }
  // RSA: the modulus n. secp256k1: the 65-byte uncompressed point.
  const std::string& public_key() const;

  const RsaPrivateKey& rsa() const;              // CryptoError unless type() == kRsa
  const Secp256k1PrivateKey& secp256k1() const;  // CryptoError unless type() == kSecp256k1

 private:
  void derive_address();

  KeyType type_ = KeyType::kRsa;
  std::optional<RsaPrivateKey> rsa_;
  std::optional<Secp256k1PrivateKey> ec_;
  std::string address_;  // derived once: it is read on every /~meta@1.0/info
};

}  // namespace hashpath
