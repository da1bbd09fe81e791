#include "engine/crypto/secp256k1.h"

#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "engine/crypto/bytes.h"
#include "engine/crypto/verified_signatures.h"
#include "engine/error.h"

namespace hashpath {
namespace {

// One context for the process: after randomisation it is only read, which
// libsecp256k1 documents as thread-safe.
const secp256k1_context* context() {
  static secp256k1_context* const ctx = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    unsigned char seed[32];
    if (RAND_bytes(seed, sizeof seed) == 1) {
      // Blinding against side channels; does not affect results.
      if (secp256k1_context_randomize(c, seed) != 1) {
        // Without blinding signing is still correct; nothing to do.
      }
    }
    return c;
  }();
  return ctx;
}

std::string serialize_uncompressed(const secp256k1_pubkey& pk) {
  unsigned char out[65];
  size_t len = sizeof out;
  secp256k1_ec_pubkey_serialize(context(), out, &len, &pk, SECP256K1_EC_UNCOMPRESSED);
  return bytes_from(out, len);
}

void require_digest(std::string_view digest) {
  if (digest.size() != 32) {
    throw CryptoError("secp256k1: digest must be 32 bytes, got " + std::to_string(digest.size()));
  }
}

}  // namespace

Secp256k1PrivateKey Secp256k1PrivateKey::generate() {
  for (;;) {
    unsigned char secret[32];
    if (RAND_bytes(secret, sizeof secret) != 1) throw CryptoError("secp256k1: no randomness");
    if (secp256k1_ec_seckey_verify(context(), secret) == 1) {
      return from_secret(std::string_view(reinterpret_cast<char*>(secret), 32));
    }
  }
}

Secp256k1PrivateKey Secp256k1PrivateKey::from_secret(std::string_view secret) {
  if (secret.size() != 32 || secp256k1_ec_seckey_verify(context(), as_uchar(secret)) != 1) {
    throw CryptoError("secp256k1: private key must be a 32-byte scalar in [1, n-1]");
  }
  secp256k1_pubkey pk;
  if (secp256k1_ec_pubkey_create(context(), &pk, as_uchar(secret)) != 1) {
    throw CryptoError("secp256k1: cannot derive the public key");
  }
  Secp256k1PrivateKey key;
  key.secret_ = std::string(secret);
  key.public_key_ = serialize_uncompressed(pk);
  return key;
}

std::string Secp256k1PrivateKey::sign_recoverable(std::string_view digest32) const {
  require_digest(digest32);
  secp256k1_ecdsa_recoverable_signature sig;
  if (secp256k1_ecdsa_sign_recoverable(context(), &sig, as_uchar(digest32), as_uchar(secret_),
                                       nullptr, nullptr) != 1) {
    throw CryptoError("secp256k1: signing failed");
  }
  unsigned char out[65];
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), out, &recid, &sig);
  out[64] = static_cast<unsigned char>(27 + recid);
  return bytes_from(out, 65);
}

bool secp256k1_verify(std::string_view digest32, std::string_view signature,
                      std::string_view public_key) {
  if (digest32.size() != 32 || signature.size() < 64) return false;
  secp256k1_pubkey pk;
  if (secp256k1_ec_pubkey_parse(context(), &pk, as_uchar(public_key), public_key.size()) != 1) {
    return false;
  }
  secp256k1_ecdsa_signature sig;
  if (secp256k1_ecdsa_signature_parse_compact(context(), &sig, as_uchar(signature)) != 1) {
    return false;
  }
  // A signature found valid before is valid now (verified_signatures.h).
  const std::string fingerprint = VerifiedSignatures::fingerprint(
      "secp256k1-ecdsa", public_key, signature.substr(0, 64), digest32);
  VerifiedSignatures& verified = VerifiedSignatures::instance();
  if (verified.contains(fingerprint)) return true;
  secp256k1_ecdsa_signature_normalize(context(), &sig, &sig);
  const bool ok = secp256k1_ecdsa_verify(context(), &sig, as_uchar(digest32), &pk) == 1;
  if (ok) verified.insert(fingerprint);
  return ok;
}

std::string secp256k1_recover(std::string_view digest32, std::string_view signature65) {
  require_digest(digest32);
  if (signature65.size() != 65)
    throw CryptoError("secp256k1: recoverable signature must be 65 bytes");
  int v = static_cast<unsigned char>(signature65[64]);
  int recid = v >= 27 ? v - 27 : v;
  if (recid < 0 || recid > 3) throw CryptoError("secp256k1: bad recovery id " + std::to_string(v));
  secp256k1_ecdsa_recoverable_signature sig;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &sig, as_uchar(signature65),
                                                          recid) != 1) {
    throw CryptoError("secp256k1: malformed signature");
  }
  secp256k1_pubkey pk;
  if (secp256k1_ecdsa_recover(context(), &pk, &sig, as_uchar(digest32)) != 1) {
    throw CryptoError("secp256k1: no public key recovers from this signature");
  }
  return serialize_uncompressed(pk);
}

}  // namespace hashpath
