// secp256k1 ECDSA with Ethereum-style recoverable signatures, over
// libsecp256k1 (the library Bitcoin Core and most Ethereum tooling use).
//
// Signatures are 65 bytes r(32) || s(32) || v(1) with v = 27 + recovery id,
// always low-s, with RFC 6979 deterministic nonces (so a given key and digest
// always give the same signature). Public keys are 65-byte uncompressed
// points 0x04 || X || Y.
#pragma once

#include <string>
#include <string_view>

namespace hashpath {

class Secp256k1PrivateKey {
 public:
  static Secp256k1PrivateKey generate();
  // `secret` is the 32-byte big-endian scalar; CryptoError if out of range.
  static Secp256k1PrivateKey from_secret(std::string_view secret);

  const std::string& secret() const { return secret_; }
  const std::string& public_key() const { return public_key_; }  // 65 bytes

  std::string sign_recoverable(std::string_view digest32) const;  // 65 bytes

 private:
  std::string secret_;
  std::string public_key_;
};

// Verifies r||s (the first 64 bytes of `signature`; a trailing v is ignored)
// against a 65- or 33-byte public key. High-s signatures are normalised
// first, since Ethereum's ecrecover accepts them.
bool secp256k1_verify(std::string_view digest32, std::string_view signature,
                      std::string_view public_key);

// Recovers the uncompressed public key from a 65-byte r||s||v signature
// (v in {0, 1, 27, 28}); CryptoError if none can be recovered.
std::string secp256k1_recover(std::string_view digest32, std::string_view signature65);

}  // namespace hashpath
