// libFuzzer target: what snp@1.0 and `hashpath attest verify` take from
// outside (verify/snp): a raw report, HyperBEAM's JSON report, a VCEK or
// chain certificate (DER or PEM), an OVMF image's footer and metadata, a
// policy file, an attestation message (json@1.0), and the whole strict
// verification of such a report with such a VCEK. Invariants: no crash or sanitizer report, no
// exception; a report that parses keeps its bytes; a JSON report that converts parses back
// (to_hyperbeam_json) to the same bytes; a verdict that fails names one of the stable check codes.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "engine/codec/json.h"
#include "engine/error.h"
#include "verify/snp/amd_certificates.h"
#include "verify/snp/launch_digest.h"
#include "verify/snp/snp_policy.h"
#include "verify/snp/snp_report.h"
#include "verify/snp/snp_verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hashpath;
  static const std::set<std::string> kCodes = {"message-signature",
                                               "report-format",
                                               "report-data-mismatch",
                                               "policy",
                                               "tcb",
                                               "untrusted-software",
                                               "measurement-invalid",
                                               "unknown-firmware",
                                               "cert-chain",
                                               "vcek-binding",
                                               "report-signature"};
  const std::string in(reinterpret_cast<const char*>(data), size);
  std::string why;
  // A raw report: the first 1,184 bytes; a certificate: the rest.
  const std::string report = in.substr(0, SnpReport::kSize);
  if (std::optional<SnpReport> r = SnpReport::parse(report, &why, true)) {
    if (r->raw() != report) std::abort();
    std::optional<std::string> back =
        SnpReport::raw_from_hyperbeam_json(r->to_hyperbeam_json(), &why);
    if (!back || *back != report) std::abort();
  }
  std::optional<AmdCertificate> cert;
  if (in.size() > SnpReport::kSize) {
    cert = AmdCertificate::parse(std::string_view(in).substr(SnpReport::kSize), &why);
    if (cert) (void)read_vcek_facts(*cert, &why);
  }
  SnpEvidence e;
  e.report = report;
  e.vcek = cert;
  SnpPolicy lax;
  lax.allow_debug = true;
  lax.allowed_vmpl = {0, 1, 2, 3};
  lax.product = SnpProduct::kMilan;
  SnpVerdict v = verify_snp_report(e, lax, 1780272000);
  if (!v.ok() && kCodes.count(v.check.code) == 0) std::abort();
  // JSON: a HyperBEAM report, or a policy file.
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (!j.is_discarded()) {
    if (std::optional<std::string> raw = SnpReport::raw_from_hyperbeam_json(j, &why)) {
      if (raw->size() != SnpReport::kSize) std::abort();
    }
    (void)SnpPolicy::from_json(j, &why);
    (void)OvmfProfile::from_json(j, &why);
    // An attestation message, as the node and `attest verify` decode one.
    try {
      SnpVerdict mv = verify_snp_message(json_decode(in), lax, 1780272000);
      if (!mv.ok() && kCodes.count(mv.check.code) == 0) std::abort();
    } catch (const CodecError&) {
    }
  }
  // An OVMF image (its last bytes hold the footer table).
  if (std::optional<OvmfProfile> p = OvmfProfile::from_image(in, &why)) {
    LaunchInputs li;
    li.firmware = std::string(48, '\0');
    li.vcpus = 2;
    (void)launch_digest(li, *p, &why);
  }
  return 0;
}
