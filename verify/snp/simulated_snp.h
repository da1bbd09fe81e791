// A simulated AMD Secure Processor, for development and tests without
// SEV-SNP hardware (docs/attestation.md, "Simulated mode").
//
// Promises:
// * It makes its own chain: an RSA "ARK" whose common name reads
//   `HASHPATH SIMULATED ARK - NOT AMD`, an "ASK" signed by it and a P-384
//   "VCEK" with AMD's extensions (product Milan-B0, its TCB, a random
//   hwID), all signed with RSASSA-PSS/SHA-384 as AMD's are.
// * Its reports have the exact ABI layout, and always POLICY.DEBUG set: a
//   correct verifier rejects them twice (policy, then the unpinned root)
//   unless it was configured with this root and `accept_simulated`.
// * Keys are made fresh by each instance and never leave it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "verify/snp/amd_certificates.h"
#include "verify/snp/snp_report.h"

namespace hashpath {

class SimulatedSnp {
 public:
  SimulatedSnp();  // generates the chain (RSA-2048 root and ASK, P-384 VCEK)
  ~SimulatedSnp();
  SimulatedSnp(const SimulatedSnp&) = delete;
  SimulatedSnp& operator=(const SimulatedSnp&) = delete;

  const AmdCertificate& ark() const { return ark_; }
  const AmdCertificate& ask() const { return ask_; }
  const AmdCertificate& vcek() const { return vcek_; }
  std::string chain_pem() const;  // ASK then ARK, as AMD's KDS serves a chain

  // A signed v2 report for `report_data` (64 bytes) and `measurement` (48
  // bytes), requested at `vmpl`.
  std::string report(std::string_view report_data, std::string_view measurement,
                     uint32_t vmpl = 0) const;

  static constexpr const char* kRootName = "HASHPATH SIMULATED ARK - NOT AMD";
  static constexpr uint64_t kTcb = 0x7308000000000003ull;  // bl 3, tee 0, snp 8, ucode 115

 private:
  std::shared_ptr<void> vcek_key_;  // EVP_PKEY*, P-384 private
  std::string chip_id_;
  AmdCertificate ark_, ask_, vcek_;
};

}  // namespace hashpath
