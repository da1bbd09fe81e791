#include "engine/crypto/hash.h"

// HMAC keeps SHA-256 midstates: the low-level SHA256_CTX is a plain struct,
// so copying one is cheap, unlike EVP_MD_CTX_copy_ex in OpenSSL 3. These
// functions are deprecated in OpenSSL 3 but supported; we use them only here.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <memory>

#include "engine/error.h"

namespace hashpath {
namespace {

const EVP_MD* fetched(HashAlgorithm alg) {
  // Fetched once; EVP_MD objects are immutable and shareable across threads.
  static const EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static const EVP_MD* const kSha384 = EVP_MD_fetch(nullptr, "SHA384", nullptr);
  static const EVP_MD* const kSha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  switch (alg) {
    case HashAlgorithm::kSha256:
      return kSha256;
    case HashAlgorithm::kSha384:
      return kSha384;
    case HashAlgorithm::kSha512:
      return kSha512;
  }
  throw CryptoError("unknown hash algorithm");
}

struct CtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

EVP_MD_CTX* thread_context() {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

void check(int ok, const char* what) {
  if (ok != 1) throw CryptoError(std::string("OpenSSL ") + what + " failed");
}

}  // namespace

const void* openssl_digest(HashAlgorithm alg) { return fetched(alg); }

size_t digest_size(HashAlgorithm alg) {
  switch (alg) {
    case HashAlgorithm::kSha256:
      return 32;
    case HashAlgorithm::kSha384:
      return 48;
    case HashAlgorithm::kSha512:
      return 64;
  }
  return 0;
}

std::string digest(HashAlgorithm alg, std::string_view data) {
  EVP_MD_CTX* ctx = thread_context();
  std::string out(digest_size(alg), '\0');
  check(EVP_DigestInit_ex2(ctx, fetched(alg), nullptr), "DigestInit");
  check(EVP_DigestUpdate(ctx, data.data(), data.size()), "DigestUpdate");
  check(EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()), nullptr),
        "DigestFinal");
  return out;
}

std::string sha256(std::string_view data) { return digest(HashAlgorithm::kSha256, data); }

void sha256_into(std::initializer_list<std::string_view> parts, unsigned char* out) {
  EVP_MD_CTX* ctx = thread_context();
  check(EVP_DigestInit_ex2(ctx, fetched(HashAlgorithm::kSha256), nullptr), "DigestInit");
  for (std::string_view p : parts) check(EVP_DigestUpdate(ctx, p.data(), p.size()), "DigestUpdate");
  check(EVP_DigestFinal_ex(ctx, out, nullptr), "DigestFinal");
}
std::string sha384(std::string_view data) { return digest(HashAlgorithm::kSha384, data); }
std::string sha512(std::string_view data) { return digest(HashAlgorithm::kSha512, data); }

Hasher::Hasher(HashAlgorithm alg) : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) throw CryptoError("out of memory for a digest context");
  check(EVP_DigestInit_ex2(static_cast<EVP_MD_CTX*>(ctx_), fetched(alg), nullptr), "DigestInit");
}

Hasher::~Hasher() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

Hasher& Hasher::update(std::string_view data) {
  check(EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()), "DigestUpdate");
  return *this;
}

std::string Hasher::finish() {
  auto* ctx = static_cast<EVP_MD_CTX*>(ctx_);
  std::string out(static_cast<size_t>(EVP_MD_CTX_get_size(ctx)), '\0');
  check(EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()), nullptr),
        "DigestFinal");
  return out;
}

// HMAC as in RFC 2104 with SHA-256 (block size 64): the padded keys are
// absorbed once; each MAC copies the two prepared midstates.
HmacSha256Key::HmacSha256Key(std::string_view key)
    : inner_(new SHA256_CTX), outer_(new SHA256_CTX) {
  std::string k = key.size() > 64 ? sha256(key) : std::string(key);
  k.resize(64, '\0');
  unsigned char ipad[64], opad[64];
  for (size_t i = 0; i < 64; ++i) {
    ipad[i] = static_cast<unsigned char>(k[i] ^ 0x36);
    opad[i] = static_cast<unsigned char>(k[i] ^ 0x5c);
  }
  auto* in = static_cast<SHA256_CTX*>(inner_);
  auto* out = static_cast<SHA256_CTX*>(outer_);
  SHA256_Init(in);
  SHA256_Update(in, ipad, 64);
  SHA256_Init(out);
  SHA256_Update(out, opad, 64);
  OPENSSL_cleanse(k.data(), k.size());
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
}

HmacSha256Key::~HmacSha256Key() {
  OPENSSL_cleanse(inner_, sizeof(SHA256_CTX));
  OPENSSL_cleanse(outer_, sizeof(SHA256_CTX));
  delete static_cast<SHA256_CTX*>(inner_);
  delete static_cast<SHA256_CTX*>(outer_);
}

std::string HmacSha256Key::mac(std::string_view data) const {
  SHA256_CTX ctx = *static_cast<const SHA256_CTX*>(inner_);
  unsigned char inner_digest[32];
  std::string out(32, '\0');
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(inner_digest, &ctx);
  ctx = *static_cast<const SHA256_CTX*>(outer_);
  SHA256_Update(&ctx, inner_digest, sizeof inner_digest);
  SHA256_Final(reinterpret_cast<unsigned char*>(out.data()), &ctx);
  OPENSSL_cleanse(&ctx, sizeof ctx);
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  return HmacSha256Key(key).mac(data);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace hashpath
