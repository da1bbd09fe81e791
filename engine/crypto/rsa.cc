#include "engine/crypto/rsa.h"

#include <optional>
#include <unordered_map>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "engine/crypto/bytes.h"
#include "engine/crypto/verified_signatures.h"
#include "engine/error.h"

namespace hashpath {
namespace {

[[noreturn]] void fail(const std::string& what) {
  unsigned long code = ERR_get_error();
  char buf[256] = "no OpenSSL error";
  if (code != 0) ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  throw CryptoError("RSA: " + what + " (" + buf + ")");
}

std::shared_ptr<void> wrap(EVP_PKEY* pkey) {
  return std::shared_ptr<void>(pkey, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
}

struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;

BnPtr bn_from(std::string_view be) {
  BIGNUM* b = BN_bin2bn(as_uchar(be), static_cast<int>(be.size()), nullptr);
  if (b == nullptr) fail("bad integer");
  return BnPtr(b);
}

std::string bn_param(EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) fail(std::string("missing parameter ") + name);
  BnPtr owned(bn);
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

EVP_PKEY* pkey_from_params(OSSL_PARAM_BLD* bld, int selection) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* pkey = nullptr;
  bool ok = ctx != nullptr && params != nullptr && EVP_PKEY_fromdata_init(ctx) == 1 &&
            EVP_PKEY_fromdata(ctx, &pkey, selection, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  if (!ok) fail("key import");
  return pkey;
}

const EVP_MD* md_of(HashAlgorithm alg) { return static_cast<const EVP_MD*>(openssl_digest(alg)); }

// Configures an EVP_DigestSign/Verify context for PSS with MGF1(alg).
void set_pss(EVP_PKEY_CTX* pctx, HashAlgorithm alg, int salt_len) {
  if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md_of(alg)) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt_len) != 1) {
    fail("PSS parameters");
  }
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// One digest context per thread for signing and verification, reset per use.
EVP_MD_CTX* thread_md_ctx() {
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  EVP_MD_CTX_reset(ctx.get());
  return ctx.get();
}

}  // namespace

RsaPublicKey RsaPublicKey::from_modulus(std::string_view modulus, std::string_view exponent) {
  if (modulus.empty()) throw CryptoError("RSA: empty modulus");
  // Importing a key costs about half a 4096-bit verification, and the same
  // owners sign message after message: keep the last keys of this thread.
  // Keys are immutable, so a cached one is as good as a new one.
  constexpr size_t kCachedKeys = 256;
  thread_local std::unordered_map<std::string, RsaPublicKey> cache;
  std::string cache_key = std::string(exponent) + '\0' + std::string(modulus);
  if (auto it = cache.find(cache_key); it != cache.end()) return it->second;
  RsaPublicKey key = import_public(modulus, exponent);
  if (cache.size() >= kCachedKeys) cache.clear();
  cache.emplace(std::move(cache_key), key);
  return key;
}

RsaPublicKey RsaPublicKey::import_public(std::string_view modulus, std::string_view exponent) {
  auto n = bn_from(modulus);
  auto e = bn_from(exponent);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  if (bld == nullptr || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    OSSL_PARAM_BLD_free(bld);
    fail("building public key");
  }
  EVP_PKEY* pkey = pkey_from_params(bld, EVP_PKEY_PUBLIC_KEY);
  OSSL_PARAM_BLD_free(bld);
  RsaPublicKey key;
  key.pkey_ = wrap(pkey);
  key.modulus_ = std::string(modulus);
  key.exponent_ = std::string(exponent);
  return key;
}

size_t RsaPublicKey::size_bits() const {
  return static_cast<size_t>(EVP_PKEY_get_bits(static_cast<EVP_PKEY*>(pkey_.get())));
}

bool RsaPublicKey::verify_with(std::string_view message, std::string_view signature,
                               HashAlgorithm alg, bool pss) const {
  // A signature must be exactly the modulus length; OpenSSL would reject
  // other lengths too, but this keeps error queues clean.
  if (signature.size() != modulus_.size() && signature.size() != (size_bits() + 7) / 8)
    return false;
  // A signature found valid before is valid now (verified_signatures.h).
  static constexpr std::string_view kSchemes[2][3] = {
      {"rsa-pkcs1-sha256", "rsa-pkcs1-sha384", "rsa-pkcs1-sha512"},
      {"rsa-pss-sha256", "rsa-pss-sha384", "rsa-pss-sha512"}};
  const std::string_view scheme = kSchemes[pss ? 1 : 0][static_cast<int>(alg)];
  const std::string fingerprint = VerifiedSignatures::fingerprint(
      scheme, exponent_ + std::string(1, '\0') + modulus_, signature, message);
  VerifiedSignatures& verified = VerifiedSignatures::instance();
  if (verified.contains(fingerprint)) return true;
  EVP_MD_CTX* md = thread_md_ctx();
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = md != nullptr && EVP_DigestVerifyInit(md, &pctx, md_of(alg), nullptr,
                                                  static_cast<EVP_PKEY*>(pkey_.get())) == 1;
  if (ok && pss) {
    set_pss(pctx, alg, RSA_PSS_SALTLEN_AUTO);
  } else if (ok) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  }
  ok = ok && EVP_DigestVerify(md, as_uchar(signature), signature.size(), as_uchar(message),
                              message.size()) == 1;
  ERR_clear_error();
  if (ok) verified.insert(fingerprint);
  return ok;
}

bool RsaPublicKey::verify_pss(std::string_view message, std::string_view signature,
                              HashAlgorithm alg) const {
  return verify_with(message, signature, alg, /*pss=*/true);
}

bool RsaPublicKey::verify_pkcs1(std::string_view message, std::string_view signature,
                                HashAlgorithm alg) const {
  return verify_with(message, signature, alg, /*pss=*/false);
}

RsaPrivateKey RsaPrivateKey::generate(int bits) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* pkey = nullptr;
  bool ok = ctx != nullptr && EVP_PKEY_keygen_init(ctx) == 1 &&
            EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) == 1 && EVP_PKEY_generate(ctx, &pkey) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) fail("key generation");
  RsaPrivateKey key;
  key.pkey_ = wrap(pkey);
  auto& c = key.components_;
  c.n = bn_param(pkey, OSSL_PKEY_PARAM_RSA_N);
  c.e = bn_param(pkey, OSSL_PKEY_PARAM_RSA_E);
  c.d = bn_param(pkey, OSSL_PKEY_PARAM_RSA_D);
  c.p = bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR1);
  c.q = bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR2);
  c.dp = bn_param(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1);
  c.dq = bn_param(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2);
  c.qi = bn_param(pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
  return key;
}

RsaPrivateKey RsaPrivateKey::from_components(const RsaComponents& c) {
  if (c.n.empty() || c.e.empty() || c.d.empty() || c.p.empty() || c.q.empty() || c.dp.empty() ||
      c.dq.empty() || c.qi.empty()) {
    throw CryptoError("RSA: private key needs n, e, d, p, q, dp, dq and qi");
  }
  BnPtr bns[8] = {bn_from(c.n), bn_from(c.e),  bn_from(c.d),  bn_from(c.p),
                  bn_from(c.q), bn_from(c.dp), bn_from(c.dq), bn_from(c.qi)};
  const char* names[8] = {OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
                          OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
                          OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
                          OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  bool ok = bld != nullptr;
  for (int i = 0; ok && i < 8; ++i) ok = OSSL_PARAM_BLD_push_BN(bld, names[i], bns[i].get()) == 1;
  if (!ok) {
    OSSL_PARAM_BLD_free(bld);
    fail("building private key");
  }
  EVP_PKEY* pkey = pkey_from_params(bld, EVP_PKEY_KEYPAIR);
  OSSL_PARAM_BLD_free(bld);
  RsaPrivateKey key;
  key.pkey_ = wrap(pkey);
  key.components_ = c;
  // A key whose parts do not belong together would sign garbage: check it.
  EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
  bool consistent = check != nullptr && EVP_PKEY_pairwise_check(check) == 1;
  EVP_PKEY_CTX_free(check);
  if (!consistent) fail("the private key components are inconsistent");
  return key;
}

RsaPublicKey RsaPrivateKey::public_key() const {
  return RsaPublicKey::from_modulus(components_.n, components_.e);
}

std::string RsaPrivateKey::sign_pss(std::string_view message, HashAlgorithm alg) const {
  EVP_MD_CTX* md = thread_md_ctx();
  EVP_PKEY_CTX* pctx = nullptr;
  std::string sig;
  size_t len = 0;
  bool ok = md != nullptr && EVP_DigestSignInit(md, &pctx, md_of(alg), nullptr,
                                                static_cast<EVP_PKEY*>(pkey_.get())) == 1;
  if (ok) {
    set_pss(pctx, alg, RSA_PSS_SALTLEN_DIGEST);
    ok = EVP_DigestSign(md, nullptr, &len, as_uchar(message), message.size()) == 1;
  }
  if (ok) {
    sig.resize(len);
    ok = EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len, as_uchar(message),
                        message.size()) == 1;
    sig.resize(len);
  }
  if (!ok) fail("signing");
  return sig;
}

namespace {

// One RSAES-OAEP operation (SHA-256, MGF1-SHA-256, no label) with `key`.
std::optional<std::string> oaep(EVP_PKEY* key, std::string_view in, bool encrypt) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  size_t len = 0;
  std::string out;
  auto run = [&](unsigned char* to, size_t* n) {
    return encrypt ? EVP_PKEY_encrypt(ctx, to, n, as_uchar(in), in.size())
                   : EVP_PKEY_decrypt(ctx, to, n, as_uchar(in), in.size());
  };
  bool ok = ctx != nullptr &&
            (encrypt ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
            EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) == 1 &&
            EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1 && run(nullptr, &len) == 1;
  if (ok) {
    out.resize(len);
    ok = run(reinterpret_cast<unsigned char*>(out.data()), &len) == 1;
    out.resize(len);
  }
  EVP_PKEY_CTX_free(ctx);
  ERR_clear_error();
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace

std::string RsaPublicKey::encrypt_oaep(std::string_view plaintext) const {
  std::optional<std::string> c = oaep(static_cast<EVP_PKEY*>(pkey_.get()), plaintext, true);
  if (!c) fail("OAEP encryption (the plaintext may be too long for the key)");
  return *c;
}

std::optional<std::string> RsaPrivateKey::decrypt_oaep(std::string_view ciphertext) const {
  return oaep(static_cast<EVP_PKEY*>(pkey_.get()), ciphertext, false);
}

}  // namespace hashpath
