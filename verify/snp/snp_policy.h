// What a verifier demands of an SEV-SNP report: the policy file of
// `hashpath attest verify --policy FILE` and of snp@1.0 (docs/attestation.md,
// "The policy file"). The defaults are the strict ones of the check order
// in snp_verifier.h: DEBUG and MIGRATE_MA forbidden, SMT allowed, VMPL 0.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "verify/snp/amd_certificates.h"
#include "verify/snp/launch_digest.h"
#include "verify/snp/snp_report.h"

namespace hashpath {

// What a verifier demands of a report (the policy file, docs/attestation.md).
struct SnpPolicy {
  // policy
  bool allow_debug = false;
  // Development only: accept simulated reports (their DEBUG policy; their
  // root must also be among anchors.extra_root_sha256).
  bool accept_simulated = false;
  bool allow_migrate_ma = false;
  bool allow_smt = true;
  bool require_single_socket = false;
  uint32_t min_abi_major = 0;
  uint32_t min_abi_minor = 0;
  std::set<uint32_t> allowed_vmpl = {0};
  uint32_t min_guest_svn = 0;
  std::optional<std::string> host_data, family_id, image_id, id_key_digest, author_key_digest;
  // tcb
  std::map<SnpProduct, SnpTcb> min_tcb;
  uint32_t min_firmware = 0;  // major << 16 | minor << 8 | build
  bool allow_provisional_firmware = false;
  // software: trusted launch configurations (snp_trusted; values as text:
  // hex digests, decimal integers) compared on `enforced_keys`, and launch
  // digests trusted as they are (hex)
  std::vector<std::map<std::string, std::string>> trusted;
  std::vector<std::string> enforced_keys = {"firmware", "kernel",   "initrd",
                                            "append",   "vmm_type", "guest_features"};
  std::set<std::string> trusted_measurements;
  std::map<std::string, OvmfProfile> ovmf_profiles;  // by firmware digest (hex)
  // chain
  bool allow_vlek = false;
  bool allow_masked_chip_id = false;
  std::optional<SnpProduct> product;  // for v2 reports whose VCEK does not say
  AmdTrustAnchors anchors;

  // The policy file (JSON; docs/attestation.md lists its keys). Unknown
  // keys are errors, so a misspelt requirement is never silently ignored.
  static std::optional<SnpPolicy> from_json(const nlohmann::json& j, std::string* why);
  // The same from a file; `why` names the file. An empty path is the
  // default policy.
  static std::optional<SnpPolicy> from_file(const std::string& path, std::string* why);
};

}  // namespace hashpath
