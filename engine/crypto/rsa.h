// RSA keys and RSASSA-PSS (RFC 8017 §8.1) with MGF1 over the same hash.
//
// Signing uses salt length = hash length (what HyperBEAM does).
// Verification accepts every salt length: JavaScript signers (node crypto,
// arweave-js, arbundles) use the maximum, HyperBEAM uses the hash length, and
// both must verify. Keys are immutable and cheap to copy (shared handle).
// A signature verified once in the process is not verified again at full
// price (verified_signatures.h).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/crypto/hash.h"

namespace hashpath {

// Big-endian unsigned integers, as in a JWK after base64url decoding.
struct RsaComponents {
  std::string n, e, d, p, q, dp, dq, qi;
};

class RsaPublicKey {
 public:
  // `modulus` is the big-endian n (512 bytes for RSA-4096); e defaults to 65537.
  static RsaPublicKey from_modulus(std::string_view modulus,
                                   std::string_view exponent = std::string_view("\x01\x00\x01", 3));

  const std::string& modulus() const { return modulus_; }
  size_t size_bits() const;

  // True iff `signature` is a PSS signature of `message` (hashed with `alg`)
  // under this key, for any salt length.
  bool verify_pss(std::string_view message, std::string_view signature, HashAlgorithm alg) const;

  // True iff `signature` is an RSASSA-PKCS1-v1_5 signature (RFC 9421
  // `rsa-v1_5-sha256` and friends).
  bool verify_pkcs1(std::string_view message, std::string_view signature, HashAlgorithm alg) const;

  // RSAES-OAEP (SHA-256, MGF1-SHA-256, empty label): `plaintext` (at most
  // the key size less 66 bytes) encrypted to this key. CryptoError if too long.
  std::string encrypt_oaep(std::string_view plaintext) const;

  void* evp_pkey() const { return pkey_.get(); }  // EVP_PKEY*, for benchmarks and codecs

 private:
  static RsaPublicKey import_public(std::string_view modulus, std::string_view exponent);
  bool verify_with(std::string_view message, std::string_view signature, HashAlgorithm alg,
                   bool pss) const;

  std::shared_ptr<void> pkey_;
  std::string modulus_;
  std::string exponent_;  // big-endian e, part of what a remembered verification names
};

class RsaPrivateKey {
 public:
  static RsaPrivateKey generate(int bits = 4096);
  static RsaPrivateKey from_components(const RsaComponents& c);

  const RsaComponents& components() const { return components_; }
  RsaPublicKey public_key() const;

  // The plaintext of an encrypt_oaep ciphertext; nullopt if it does not
  // decrypt under this key (no detail: OAEP errors must not say why).
  std::optional<std::string> decrypt_oaep(std::string_view ciphertext) const;

  // PSS signature of `message` hashed with `alg`; salt length = hash length.
  std::string sign_pss(std::string_view message, HashAlgorithm alg) const;

  void* evp_pkey() const { return pkey_.get(); }

 private:
  std::shared_ptr<void> pkey_;
  RsaComponents components_;
};

}  // namespace hashpath
