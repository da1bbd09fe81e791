// Strict, offline verification of an SEV-SNP attestation (docs/attestation.md).
//
// verify_snp_report() runs the report checks in the normative order and
// stops at the first that fails, naming it by its stable code:
//
//   code                  what passed when it is not named
//   report-format         1,184 bytes, VERSION 2..5, must-be-zero ranges, POLICY bit 17
//   report-data-mismatch  REPORT_DATA equals the binding the caller expects
//   policy                DEBUG and MIGRATE_MA clear (unless allowed), SMT and single
//                         socket as configured, ABI ≥ minimum, VMPL allowed, optional
//                         HOST_DATA / FAMILY_ID / IMAGE_ID / key digests, GUEST_SVN
//   tcb                   REPORTED_TCB ≥ minimum and ≤ CURRENT_TCB, committed == current
//                         (unless provisional firmware is allowed), firmware ≥ minimum
//   untrusted-software    the local hashes match a trusted launch configuration
//   unknown-firmware      there is an OVMF profile for the firmware digest
//   measurement-invalid   MEASUREMENT is the launch digest recomputed from the local
//                         hashes (or one of the trusted measurements)
//   cert-chain            ARK pinned, ARK → ASK → VCEK signatures, P-384, validity
//   vcek-binding          the VCEK's TCB extensions equal REPORTED_TCB, hwID == CHIP_ID
//   report-signature      ECDSA P-384 over SHA-384 of the report's first 0x2A0 bytes
//
// verify_snp_message() adds, first, `message-signature` (the attestation
// message's commitments verify and its `address` is a signer), and derives
// the expected REPORT_DATA from the message: for `attestation-profile`
// hashpath-snp/1 (and its simulated twin) SHA-512 of the binding of
// report_binding.h, after checking that `signer-key` is the address's key
// and that `checkpoint` (base64url of the note) is a note it signed for `tree-size` and `root-hash`
// (a failure there is `report-data-mismatch`); without a profile,
// HyperBEAM's address ‖ node-message ID, equal to `nonce` when there is one.
//
// Nothing here reads the wall clock: the caller passes the time
// certificates must be valid at. Nothing here touches the network: the
// VCEK comes with the evidence (or from the caller's cache).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "engine/log/checkpoint.h"
#include "engine/message/message.h"
#include "verify/snp/amd_certificates.h"
#include "verify/snp/launch_digest.h"
#include "verify/snp/snp_policy.h"
#include "verify/snp/snp_report.h"

namespace hashpath {

// What is being verified.
struct SnpEvidence {
  std::string report;                               // raw 1,184 bytes
  std::optional<AmdCertificate> vcek;               // required for cert-chain and later
  std::string vcek_cache;                           // else looked up here (vcek_cache.h), if set
  std::optional<AmdCertificate> ask, ark;           // default: the built-in chain of the product
  std::optional<std::string> expected_report_data;  // 64 bytes, if the caller binds it
  // The eight local hashes of the launch (`local-hashes`): firmware, kernel,
  // initrd, append (hex); vcpus, vcpu_type, vmm_type, guest_features.
  std::optional<std::map<std::string, std::string>> local_hashes;
};

struct SnpVerdict {
  SnpCheck check;  // ok, or the first failing check
  std::optional<SnpReport> report;
  SnpProduct product = SnpProduct::kUnknown;
  // Profile hashpath-snp/1: the log head the report binds (its checkpoint
  // verified under the attested key), for consistency with later heads.
  std::optional<Checkpoint> attested_head;
  bool ok() const { return check.ok(); }
};

SnpVerdict verify_snp_report(const SnpEvidence& evidence, const SnpPolicy& policy,
                             int64_t unix_seconds);

// An snp@1.0 attestation message (HyperBEAM's keys, or `report-raw` and
// `vcek` as Hashpath emits them). The VCEK is the message's `vcek`, else
// `vcek`, else the one in `vcek_cache` for the report's chip and TCB.
SnpVerdict verify_snp_message(const Message& message, const SnpPolicy& policy, int64_t unix_seconds,
                              const std::optional<AmdCertificate>& vcek = std::nullopt,
                              const std::string& vcek_cache = "");

// The ECDSA P-384 check of a report's signature under `vcek_key` (EVP_PKEY*).
bool snp_signature_verifies(const SnpReport& report, void* vcek_key);

}  // namespace hashpath
