// AMD's SEV-SNP certificates: the chain ARK → ASK → VCEK that says a
// report's signing key belongs to a genuine AMD chip at a given TCB
// (docs/attestation.md, "The certificate chain").
//
// Promises:
// * The ARKs of Milan, Genoa and Turin are pinned in the source by the
//   SHA-256 of their DER (kPinnedArks); a chain whose root is not pinned
//   fails, whatever it claims. Their certificates (and the ASKs AMD's KDS
//   serves beside them) are built in (verify/snp/amd_roots/*.pem), so a
//   report that carries only its VCEK verifies offline.
// * check_chain() checks, in order: the ARK is pinned (or an explicitly
//   trusted extra root), self-signed; the ASK is signed by it; the VCEK is
//   signed by the ASK with RSASSA-PSS and holds an EC P-384 key; every
//   certificate is valid at the time the caller gives (never the wall
//   clock on its own: replay passes the time it verifies at).
// * The VCEK's AMD extensions (arc 1.3.6.1.4.1.3704.1) are read strictly:
//   TCB levels are DER INTEGERs of one byte, hwID is 64 raw bytes (8 on
//   Turin) or an OCTET STRING of them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "verify/snp/snp_report.h"

namespace hashpath {

// One X.509 certificate (shared, immutable).
class AmdCertificate {
 public:
  // DER, or one PEM block; nullopt with `why` if it is not a certificate.
  static std::optional<AmdCertificate> parse(std::string_view der_or_pem, std::string* why);
  // Every certificate of a PEM bundle, in order; empty with `why` if none.
  static std::vector<AmdCertificate> parse_bundle(std::string_view pem, std::string* why);

  const std::string& der() const { return der_; }
  std::string sha256_hex() const;  // of the DER
  std::string common_name() const;
  void* x509() const { return x509_.get(); }  // X509*

 private:
  std::shared_ptr<void> x509_;
  std::string der_;
};

// The facts a VCEK states about the chip and TCB it was made for.
struct VcekFacts {
  std::optional<SnpProduct> product;  // from productName
  std::string product_name;           // as written ("Milan-B0")
  SnpTcb tcb;                         // blSPL, teeSPL, snpSPL, ucodeSPL (+ fmcSPL)
  std::string hwid;                   // 64 bytes (8 on Turin)
};

// The outcome of a chain or binding check: ok, or the stable code of the
// check that failed ("cert-chain", "vcek-binding") and what exactly failed.
struct SnpCheck {
  std::string code;  // empty when ok
  std::string detail;
  bool ok() const { return code.empty(); }
  static SnpCheck pass() { return {}; }
  static SnpCheck fail(std::string code, std::string detail) {
    return {std::move(code), std::move(detail)};
  }
};

// Roots a verifier accepts besides the pinned AMD ARKs (a simulated root in
// development, explicitly configured), as SHA-256 hex of their DER.
struct AmdTrustAnchors {
  std::vector<std::string> extra_root_sha256;
};

// The pinned ARK of `product` (SHA-256 hex of its DER); empty for kUnknown.
std::string_view pinned_ark_sha256(SnpProduct product);
// The built-in ASK and ARK of `product` (as KDS serves them: ASK, then ARK).
struct AmdProductChain {
  AmdCertificate ask;
  AmdCertificate ark;
};
std::optional<AmdProductChain> built_in_chain(SnpProduct product);

// Reads the VCEK's AMD extensions; nullopt with `why` if one is missing or
// malformed.
std::optional<VcekFacts> read_vcek_facts(const AmdCertificate& vcek, std::string* why);

// The chain checks ("cert-chain"), at `unix_seconds`. A chain whose
// signatures verified once is remembered for the process (bounded); its
// validity times are checked on every call.
SnpCheck check_chain(const AmdCertificate& ark, const AmdCertificate& ask,
                     const AmdCertificate& vcek, int64_t unix_seconds,
                     const AmdTrustAnchors& anchors = {});

// Forgets the remembered chains (benchmarks measure the full price).
void forget_verified_chains();

// The VCEK's public key (EVP_PKEY*, shared); null if it is not EC P-384.
std::shared_ptr<void> vcek_public_key(const AmdCertificate& vcek);

}  // namespace hashpath
