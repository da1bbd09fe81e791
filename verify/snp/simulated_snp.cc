#include "verify/snp/simulated_snp.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <stdexcept>

#include "engine/crypto/hash.h"

namespace hashpath {

namespace {

using Key = std::shared_ptr<EVP_PKEY>;

Key wrap(EVP_PKEY* k) {
  if (k == nullptr) throw std::runtime_error("simulated SNP: key generation failed");
  return Key(k, EVP_PKEY_free);
}

void add_extension(X509* x, const char* oid, const std::string& value) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  ASN1_OCTET_STRING* os = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(os, reinterpret_cast<const unsigned char*>(value.data()),
                        static_cast<int>(value.size()));
  X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, obj, 0, os);
  X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
  ASN1_OCTET_STRING_free(os);
  ASN1_OBJECT_free(obj);
}

std::string der_integer(long v) {
  ASN1_INTEGER* i = ASN1_INTEGER_new();
  ASN1_INTEGER_set(i, v);
  unsigned char* out = nullptr;
  const int n = i2d_ASN1_INTEGER(i, &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  OPENSSL_free(out);
  ASN1_INTEGER_free(i);
  return der;
}

std::string der_ia5(const std::string& text) {
  ASN1_IA5STRING* s = ASN1_IA5STRING_new();
  ASN1_STRING_set(s, text.data(), static_cast<int>(text.size()));
  unsigned char* out = nullptr;
  const int n = i2d_ASN1_IA5STRING(s, &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  OPENSSL_free(out);
  ASN1_IA5STRING_free(s);
  return der;
}

X509_NAME* name_of(const char* cn) {
  X509_NAME* n = X509_NAME_new();
  X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Hashpath (simulated)"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1,
                             -1, 0);
  return n;
}

// A certificate for `subject` signed by `issuer_key` with RSASSA-PSS,
// SHA-384, MGF1-SHA-384, salt 48: the parameters of AMD's chain.
AmdCertificate make_cert(const char* subject_cn, const char* issuer_cn, EVP_PKEY* subject_key,
                         EVP_PKEY* issuer_key, long serial,
                         const std::vector<std::pair<const char*, std::string>>& extensions) {
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  ASN1_TIME_set_string(X509_getm_notBefore(x), "20240101000000Z");
  ASN1_TIME_set_string(X509_getm_notAfter(x), "20991231000000Z");
  X509_NAME* subject = name_of(subject_cn);
  X509_NAME* issuer = name_of(issuer_cn);
  X509_set_subject_name(x, subject);
  X509_set_issuer_name(x, issuer);
  X509_NAME_free(subject);
  X509_NAME_free(issuer);
  X509_set_pubkey(x, subject_key);
  for (const auto& [oid, value] : extensions) add_extension(x, oid, value);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  const bool signed_ok = EVP_DigestSignInit(md, &pctx, EVP_sha384(), nullptr, issuer_key) == 1 &&
                         EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) == 1 &&
                         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) == 1 &&
                         X509_sign_ctx(x, md) > 0;
  EVP_MD_CTX_free(md);
  unsigned char* der = nullptr;
  const int n = signed_ok ? i2d_X509(x, &der) : 0;
  X509_free(x);
  if (n <= 0) throw std::runtime_error("simulated SNP: cannot sign a certificate");
  std::string bytes(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  std::string why;
  std::optional<AmdCertificate> c = AmdCertificate::parse(bytes, &why);
  if (!c) throw std::runtime_error("simulated SNP: " + why);
  return *c;
}

void put_le(std::string& b, size_t at, uint64_t v, size_t width) {
  for (size_t i = 0; i < width; ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

std::string pem_of(const AmdCertificate& c) {
  X509* x = static_cast<X509*>(c.x509());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  return pem;
}

}  // namespace

SimulatedSnp::SimulatedSnp() {
  Key root = wrap(EVP_RSA_gen(2048));
  Key ask = wrap(EVP_RSA_gen(2048));
  Key vcek = wrap(EVP_EC_gen("P-384"));
  chip_id_.assign(64, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(chip_id_.data()), 64) != 1)
    throw std::runtime_error("simulated SNP: no randomness for a chip ID");
  const SnpTcb t = SnpTcb::from_raw(kTcb, SnpProduct::kMilan);
  ark_ = make_cert(kRootName, kRootName, root.get(), root.get(), 1, {});
  ask_ = make_cert("HASHPATH SIMULATED ASK - NOT AMD", kRootName, ask.get(), root.get(), 2, {});
  vcek_ = make_cert("HASHPATH SIMULATED VCEK - NOT AMD", "HASHPATH SIMULATED ASK - NOT AMD",
                    vcek.get(), ask.get(), 3,
                    {{"1.3.6.1.4.1.3704.1.2", der_ia5("Milan-B0")},
                     {"1.3.6.1.4.1.3704.1.3.1", der_integer(t.bootloader)},
                     {"1.3.6.1.4.1.3704.1.3.2", der_integer(t.tee)},
                     {"1.3.6.1.4.1.3704.1.3.3", der_integer(t.snp)},
                     {"1.3.6.1.4.1.3704.1.3.8", der_integer(t.microcode)},
                     {"1.3.6.1.4.1.3704.1.4", chip_id_}});
  vcek_key_ = vcek;
}

SimulatedSnp::~SimulatedSnp() = default;

std::string SimulatedSnp::chain_pem() const { return pem_of(ask_) + pem_of(ark_); }

std::string SimulatedSnp::report(std::string_view report_data, std::string_view measurement,
                                 uint32_t vmpl) const {
  if (report_data.size() != 64 || measurement.size() != 48)
    throw std::invalid_argument("simulated SNP: REPORT_DATA is 64 bytes, MEASUREMENT 48");
  std::string r(SnpReport::kSize, '\0');
  put_le(r, 0x000, 2, 4);  // VERSION
  put_le(r, 0x008, SnpReport::kPolicySmt | SnpReport::kPolicyReserved17 | SnpReport::kPolicyDebug,
         8);
  put_le(r, 0x030, vmpl, 4);
  put_le(r, 0x034, 1, 4);  // ECDSA P-384 with SHA-384
  put_le(r, 0x038, kTcb, 8);
  put_le(r, 0x040, 3, 8);  // SMT and TSME enabled
  std::memcpy(r.data() + 0x050, report_data.data(), 64);
  std::memcpy(r.data() + 0x090, measurement.data(), 48);
  std::memset(r.data() + 0x160, 0xFF, 32);  // REPORT_ID_MA: no migration agent
  put_le(r, 0x180, kTcb, 8);
  std::memcpy(r.data() + 0x1A0, chip_id_.data(), 64);
  put_le(r, 0x1E0, kTcb, 8);
  r[0x1E8] = 20;  // firmware 1.55.20, current and committed
  r[0x1E9] = 55;
  r[0x1EA] = 1;
  r[0x1EC] = 20;
  r[0x1ED] = 55;
  r[0x1EE] = 1;
  put_le(r, 0x1F0, kTcb, 8);
  const std::string digest = sha384(std::string_view(r).substr(0, SnpReport::kSignedSize));
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(static_cast<EVP_PKEY*>(vcek_key_.get()), nullptr);
  size_t len = 0;
  std::string der;
  bool ok = ctx != nullptr && EVP_PKEY_sign_init(ctx) == 1 &&
            EVP_PKEY_sign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(digest.data()),
                          digest.size()) == 1;
  if (ok) {
    der.resize(len);
    ok = EVP_PKEY_sign(ctx, reinterpret_cast<unsigned char*>(der.data()), &len,
                       reinterpret_cast<const unsigned char*>(digest.data()), digest.size()) == 1;
    der.resize(len);
  }
  EVP_PKEY_CTX_free(ctx);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = ok ? d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())) : nullptr;
  if (sig == nullptr) throw std::runtime_error("simulated SNP: cannot sign the report");
  // r and s little-endian in the low 48 bytes of their 72-byte slots.
  BN_bn2lebinpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(r.data() + 0x2A0), 48);
  BN_bn2lebinpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(r.data() + 0x2E8), 48);
  ECDSA_SIG_free(sig);
  return r;
}

}  // namespace hashpath
