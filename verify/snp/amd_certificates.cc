#include "verify/snp/amd_certificates.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <mutex>
#include <unordered_set>

#include "engine/crypto/bytes.h"
#include "engine/crypto/hash.h"

namespace hashpath {

namespace {

// verify/snp/amd_roots/{milan,genoa,turin}.pem, compiled in (CMake).
#include "amd_roots.inc"

struct PinnedArk {
  SnpProduct product;
  const char* sha256;
  const char* pem;
};

const PinnedArk kPinnedArks[] = {
    {SnpProduct::kMilan, "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd",
     kMilanChainPem},
    {SnpProduct::kGenoa, "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1",
     kGenoaChainPem},
    {SnpProduct::kTurin, "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a",
     kTurinChainPem},
};

X509* as_x509(const AmdCertificate& c) { return static_cast<X509*>(c.x509()); }

std::string der_of(X509* x) {
  unsigned char* out = nullptr;
  const int n = i2d_X509(x, &out);
  if (n <= 0) return {};
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  OPENSSL_free(out);
  return der;
}

// The DER contents of extension `oid` of `x`, or nullopt.
std::optional<std::string> extension_value(X509* x, const char* oid) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  if (obj == nullptr) return std::nullopt;
  const int at = X509_get_ext_by_OBJ(x, obj, -1);
  ASN1_OBJECT_free(obj);
  if (at < 0) return std::nullopt;
  ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(x, at));
  if (data == nullptr) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     static_cast<size_t>(ASN1_STRING_length(data)));
}

// A TCB level: a DER INTEGER of 0..255.
std::optional<uint8_t> level_of(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ASN1_INTEGER* i = d2i_ASN1_INTEGER(nullptr, &p, static_cast<long>(der.size()));
  if (i == nullptr) return std::nullopt;
  const bool whole = p == reinterpret_cast<const unsigned char*>(der.data()) + der.size();
  int64_t v = -1;
  const bool read = ASN1_INTEGER_get_int64(&v, i) == 1;
  ASN1_INTEGER_free(i);
  if (!whole || !read || v < 0 || v > 255) return std::nullopt;
  return static_cast<uint8_t>(v);
}

// Whether `cert` is valid at `t` (and why not).
bool valid_at(X509* cert, int64_t t, const std::string& name, std::string* why) {
  time_t when = static_cast<time_t>(t);
  if (X509_cmp_time(X509_get0_notBefore(cert), &when) >= 0) {
    *why = name + " is not valid yet at the verification time";
    return false;
  }
  if (X509_cmp_time(X509_get0_notAfter(cert), &when) <= 0) {
    *why = name + " expired before the verification time";
    return false;
  }
  return true;
}

bool signed_by(X509* cert, X509* issuer) {
  EVP_PKEY* key = X509_get0_pubkey(issuer);
  return key != nullptr && X509_verify(cert, key) == 1;
}

// Chains whose three signatures verified (by the SHA-256 of the three
// DERs): a node verifies many reports of few chips, and the three RSA-4096
// checks are most of a report's cost. Validity times are checked on every
// call. Bounded: cleared when full.
class VerifiedChains {
 public:
  static VerifiedChains& instance() {
    static VerifiedChains c;
    return c;
  }
  bool contains(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    return chains_.count(key) != 0;
  }
  void insert(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    if (chains_.size() >= 4096) chains_.clear();
    chains_.insert(key);
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    chains_.clear();
  }

 private:
  std::mutex mu_;  // guards chains_
  std::unordered_set<std::string> chains_;
};

}  // namespace

std::optional<AmdCertificate> AmdCertificate::parse(std::string_view der_or_pem, std::string* why) {
  X509* x = nullptr;
  if (der_or_pem.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    BIO* bio = BIO_new_mem_buf(der_or_pem.data(), static_cast<int>(der_or_pem.size()));
    if (bio != nullptr) x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
  } else {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der_or_pem.data());
    x = d2i_X509(nullptr, &p, static_cast<long>(der_or_pem.size()));
    if (x != nullptr &&
        p != reinterpret_cast<const unsigned char*>(der_or_pem.data()) + der_or_pem.size()) {
      X509_free(x);
      x = nullptr;
    }
  }
  if (x == nullptr) {
    *why = "not an X.509 certificate (DER or PEM)";
    return std::nullopt;
  }
  AmdCertificate c;
  c.x509_ = std::shared_ptr<void>(x, [](void* p) { X509_free(static_cast<X509*>(p)); });
  c.der_ = der_of(x);
  return c;
}

std::vector<AmdCertificate> AmdCertificate::parse_bundle(std::string_view pem, std::string* why) {
  std::vector<AmdCertificate> out;
  static constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  static constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  size_t at = 0;
  while ((at = pem.find(kBegin, at)) != std::string_view::npos) {
    const size_t end = pem.find(kEnd, at);
    if (end == std::string_view::npos) break;
    std::optional<AmdCertificate> c = parse(pem.substr(at, end + kEnd.size() - at), why);
    if (!c) return {};
    out.push_back(std::move(*c));
    at = end + kEnd.size();
  }
  if (out.empty()) *why = "no PEM certificate found";
  return out;
}

std::string AmdCertificate::sha256_hex() const { return hex_encode(sha256(der_)); }

std::string AmdCertificate::common_name() const {
  X509_NAME* name = X509_get_subject_name(as_x509(*this));
  char buf[256];
  const int n = X509_NAME_get_text_by_NID(name, NID_commonName, buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string_view pinned_ark_sha256(SnpProduct product) {
  for (const PinnedArk& a : kPinnedArks)
    if (a.product == product) return a.sha256;
  return {};
}

std::optional<AmdProductChain> built_in_chain(SnpProduct product) {
  // Parsed once per process: certificates are immutable.
  static const std::vector<std::pair<SnpProduct, AmdProductChain>> chains = [] {
    std::vector<std::pair<SnpProduct, AmdProductChain>> out;
    for (const PinnedArk& a : kPinnedArks) {
      std::string why;
      std::vector<AmdCertificate> certs = AmdCertificate::parse_bundle(a.pem, &why);
      if (certs.size() == 2 && certs[1].sha256_hex() == a.sha256)
        out.emplace_back(a.product, AmdProductChain{certs[0], certs[1]});
    }
    return out;
  }();
  for (const auto& [p, chain] : chains)
    if (p == product) return chain;
  return std::nullopt;
}

std::optional<VcekFacts> read_vcek_facts(const AmdCertificate& vcek, std::string* why) {
  X509* x = as_x509(vcek);
  VcekFacts f;
  std::optional<std::string> name = extension_value(x, "1.3.6.1.4.1.3704.1.2");
  if (name) {
    // productName: an IA5String.
    const unsigned char* p = reinterpret_cast<const unsigned char*>(name->data());
    ASN1_IA5STRING* s = d2i_ASN1_IA5STRING(nullptr, &p, static_cast<long>(name->size()));
    if (s != nullptr) {
      f.product_name.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                            static_cast<size_t>(ASN1_STRING_length(s)));
      ASN1_IA5STRING_free(s);
      f.product = snp_product_from_name(f.product_name);
    }
  }
  struct Level {
    const char* oid;
    const char* what;
    uint8_t* into;
    bool turin_only;
  };
  const bool turin = f.product == SnpProduct::kTurin;
  const Level levels[] = {
      {"1.3.6.1.4.1.3704.1.3.1", "blSPL", &f.tcb.bootloader, false},
      {"1.3.6.1.4.1.3704.1.3.2", "teeSPL", &f.tcb.tee, false},
      {"1.3.6.1.4.1.3704.1.3.3", "snpSPL", &f.tcb.snp, false},
      {"1.3.6.1.4.1.3704.1.3.8", "ucodeSPL", &f.tcb.microcode, false},
      {"1.3.6.1.4.1.3704.1.3.9", "fmcSPL", &f.tcb.fmc, true},
  };
  for (const Level& l : levels) {
    if (l.turin_only && !turin) continue;
    std::optional<std::string> der = extension_value(x, l.oid);
    std::optional<uint8_t> v = der ? level_of(*der) : std::nullopt;
    if (!v) {
      *why = std::string("the VCEK's ") + l.what + " extension is " +
             (der ? "not a one-byte INTEGER" : "missing");
      return std::nullopt;
    }
    *l.into = *v;
  }
  std::optional<std::string> hwid = extension_value(x, "1.3.6.1.4.1.3704.1.4");
  if (!hwid) {
    *why = "the VCEK has no hwID extension";
    return std::nullopt;
  }
  const size_t n = turin ? 8 : 64;
  if (hwid->size() == n + 2 && static_cast<unsigned char>((*hwid)[0]) == 0x04 &&
      static_cast<unsigned char>((*hwid)[1]) == n) {
    *hwid = hwid->substr(2);  // wrapped in an OCTET STRING
  }
  if (hwid->size() != n) {
    *why =
        "the VCEK's hwID is " + std::to_string(hwid->size()) + " bytes, not " + std::to_string(n);
    return std::nullopt;
  }
  f.hwid = std::move(*hwid);
  return f;
}

SnpCheck check_chain(const AmdCertificate& ark, const AmdCertificate& ask,
                     const AmdCertificate& vcek, int64_t unix_seconds,
                     const AmdTrustAnchors& anchors) {
  auto fail = [](std::string detail) { return SnpCheck::fail("cert-chain", std::move(detail)); };
  const std::string ark_hash = ark.sha256_hex();
  bool pinned = false;
  for (const PinnedArk& a : kPinnedArks) pinned = pinned || ark_hash == a.sha256;
  for (const std::string& extra : anchors.extra_root_sha256) pinned = pinned || ark_hash == extra;
  if (!pinned)
    return fail("the root '" + ark.common_name() + "' (SHA-256 " + ark_hash +
                ") is not a pinned AMD ARK");
  const std::string chain_key = sha256(ark.der()) + sha256(ask.der()) + sha256(vcek.der());
  if (!VerifiedChains::instance().contains(chain_key)) {
    if (!signed_by(as_x509(ark), as_x509(ark)))
      return fail("the ARK's self-signature does not verify");
    if (!signed_by(as_x509(ask), as_x509(ark)))
      return fail("the ASK '" + ask.common_name() + "' is not signed by the ARK '" +
                  ark.common_name() + "'");
    if (X509_get_signature_nid(as_x509(vcek)) != NID_rsassaPss)
      return fail("the VCEK is not signed with RSASSA-PSS");
    if (!signed_by(as_x509(vcek), as_x509(ask)))
      return fail("the VCEK is not signed by the ASK '" + ask.common_name() + "'");
    if (vcek_public_key(vcek) == nullptr) return fail("the VCEK's key is not EC P-384");
    VerifiedChains::instance().insert(chain_key);
  }
  std::string why;
  if (!valid_at(as_x509(ark), unix_seconds, "the ARK", &why) ||
      !valid_at(as_x509(ask), unix_seconds, "the ASK", &why) ||
      !valid_at(as_x509(vcek), unix_seconds, "the VCEK", &why)) {
    return fail(why);
  }
  return SnpCheck::pass();
}

void forget_verified_chains() { VerifiedChains::instance().clear(); }

std::shared_ptr<void> vcek_public_key(const AmdCertificate& vcek) {
  // The certificate's own decoded key, shared (not decoded again).
  EVP_PKEY* key = X509_get0_pubkey(as_x509(vcek));
  if (key == nullptr || EVP_PKEY_up_ref(key) != 1) return nullptr;
  char group[64] = {0};
  size_t len = 0;
  const bool p384 = EVP_PKEY_get_base_id(key) == EVP_PKEY_EC &&
                    EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1 &&
                    std::string_view(group, len) == "secp384r1";
  if (!p384) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return std::shared_ptr<void>(key, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
}

}  // namespace hashpath
