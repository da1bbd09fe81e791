#include "engine/crypto/ed25519.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

#include "engine/error.h"

namespace hashpath {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct ContextFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using ContextPtr = std::unique_ptr<EVP_MD_CTX, ContextFree>;

KeyPtr private_key(std::string_view seed) {
  KeyPtr k(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size()));
  if (!k) throw CryptoError("ed25519: OpenSSL refused the private key");
  return k;
}

}  // namespace

Ed25519PrivateKey Ed25519PrivateKey::generate() {
  std::string seed(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(seed.data()), 32) != 1)
    throw CryptoError("ed25519: no randomness");
  return from_seed(seed);
}

Ed25519PrivateKey Ed25519PrivateKey::from_seed(std::string_view seed) {
  if (seed.size() != 32)
    throw CryptoError("ed25519: a private key is 32 bytes, not " + std::to_string(seed.size()));
  KeyPtr k = private_key(seed);
  Ed25519PrivateKey out;
  out.seed_ = std::string(seed);
  out.public_key_.assign(32, '\0');
  size_t n = 32;
  if (EVP_PKEY_get_raw_public_key(k.get(), reinterpret_cast<unsigned char*>(out.public_key_.data()),
                                  &n) != 1 ||
      n != 32) {
    throw CryptoError("ed25519: cannot derive the public key");
  }
  out.key_ = std::shared_ptr<EVP_PKEY>(k.release(), EVP_PKEY_free);
  return out;
}

std::string Ed25519PrivateKey::sign(std::string_view message) const {
  ContextPtr ctx(EVP_MD_CTX_new());
  std::string sig(64, '\0');
  size_t n = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &n,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      n != 64) {
    throw CryptoError("ed25519: signing failed");
  }
  return sig;
}

bool ed25519_verify(std::string_view message, std::string_view signature,
                    std::string_view public_key) {
  if (signature.size() != 64 || public_key.size() != 32) return false;
  KeyPtr k(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                       reinterpret_cast<const unsigned char*>(public_key.data()),
                                       public_key.size()));
  ContextPtr ctx(EVP_MD_CTX_new());
  if (!k || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1)
    return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

}  // namespace hashpath
