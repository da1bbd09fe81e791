// The SEV-SNP launch digest (a report's MEASUREMENT) recomputed from what
// an operator knows: the firmware digest, the kernel, initrd and command
// line hashes, the vCPU count and type, the VMM and the guest features,
// with the OVMF profile of the firmware (docs/attestation.md, "The launch
// digest"). The same page-by-page SHA-384 chain the AMD Secure Processor
// computes while the hypervisor loads the guest.
//
// Promises: pure functions of their inputs; inputs are checked (lengths,
// known vCPU types and VMMs) and a bad one is an error with its name,
// never a wrong digest.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace hashpath {

// What the launch digest needs of an OVMF image.
struct OvmfProfile {
  struct Section {
    uint32_t gpa = 0;
    uint32_t size = 0;
    uint32_t type = 0;  // 1 SEC_MEMORY, 2 SECRETS, 3 CPUID, 4 SVSM_CAA, 0x10 KERNEL_HASHES
  };
  std::vector<Section> sections;
  uint32_t hash_table_gpa = 0;  // 0: the image has no SEV hash table
  uint32_t reset_eip = 0;       // the APs' SEV-ES reset EIP (0: none)

  // {"sections": [{"gpa": "0x…", "size": "0x…", "type": N}, …],
  //  "sev_hash_table_gpa": "0x…", "sev_es_reset_eip": "0x…"}
  static std::optional<OvmfProfile> from_json(const nlohmann::json& j, std::string* why);
  // Read from an OVMF image's footer table and SEV metadata.
  static std::optional<OvmfProfile> from_image(std::string_view image, std::string* why);
};

enum class SnpVmm { kQemu = 1, kEc2 = 2, kKrun = 3 };

struct LaunchInputs {
  uint32_t vcpus = 1;
  uint32_t vcpu_type = 5;  // the sev crate's numbering: 5 = EPYC-v4
  SnpVmm vmm = SnpVmm::kQemu;
  uint64_t guest_features = 1;
  std::string firmware;  // 48 bytes: the OVMF image's digest (firmware_digest)
  // 32 bytes each: SHA-256 of the kernel, initrd and command line (with
  // its terminating NUL); all absent: no kernel hashes are measured.
  std::optional<std::string> kernel, initrd, append;
};

// The digest of an OVMF image: NORMAL page updates from 48 zero bytes,
// every 4 KiB page mapped below 4 GiB.
std::optional<std::string> firmware_digest(std::string_view image, std::string* why);

// The MEASUREMENT the inputs give (48 bytes); nullopt with `why` if an input
// is malformed or unsupported.
std::optional<std::string> launch_digest(const LaunchInputs& in, const OvmfProfile& ovmf,
                                         std::string* why);

}  // namespace hashpath
