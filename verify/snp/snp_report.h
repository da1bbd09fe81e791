// An AMD SEV-SNP attestation report: the raw 1,184 bytes the AMD Secure
// Processor signs, and read-only views of its fields (docs/attestation.md,
// "The report"; the layout is the ABI's ATTESTATION_REPORT, versions 2-5).
//
// Promises:
// * A SnpReport always holds exactly 0x4A0 raw bytes that passed the
//   format check (`report-format`): VERSION 2..5, SIGNATURE_ALGO 1
//   (ECDSA P-384 / SHA-384), every must-be-zero range zero for its version,
//   POLICY bit 17 set and bits 63:26 clear, SIGNING_KEY a VCEK (or a VLEK
//   when allowed). The raw bytes are kept verbatim: the signature is only
//   ever checked over them, never over a re-serialisation of the fields.
// * Fields are read little-endian at their ABI offsets; nothing is copied
//   out except on request.
// * HyperBEAM's JSON rendering (serde of the sev 5.x report, v2 layout) is
//   converted field by field to the raw bytes; a missing, extra-sized or
//   out-of-range field is an error, never zero-filled.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace hashpath {

// The AMD product lines whose chains Hashpath knows.
enum class SnpProduct { kUnknown, kMilan, kGenoa, kTurin };
std::string_view snp_product_name(SnpProduct p);                         // "Milan", ... ; "unknown"
std::optional<SnpProduct> snp_product_from_name(std::string_view name);  // "Milan", "Milan-B0", ...

// A TCB_VERSION word split into its security patch levels. The byte order
// depends on the product (Turin adds FMC and moves the others).
struct SnpTcb {
  uint8_t fmc = 0;  // Turin only
  uint8_t bootloader = 0;
  uint8_t tee = 0;
  uint8_t snp = 0;
  uint8_t microcode = 0;

  static SnpTcb from_raw(uint64_t raw, SnpProduct product);
  // Component-wise: every level at least `min`'s.
  bool at_least(const SnpTcb& min) const;
  bool operator==(const SnpTcb&) const = default;
  std::string to_string() const;  // "bl 3, tee 0, snp 8, ucode 115" (+ "fmc N" on Turin)
};

class SnpReport {
 public:
  static constexpr size_t kSize = 0x4A0;
  static constexpr size_t kSignedSize = 0x2A0;  // the signature covers [0, 0x2A0)

  // Checks the format; nullopt with `why` ("VERSION 7 is not 2..5") if it fails.
  static std::optional<SnpReport> parse(std::string_view raw, std::string* why,
                                        bool allow_vlek = false);
  // HyperBEAM's JSON report (a JSON object, or text of one) → the raw bytes;
  // nullopt with `why` naming the field that is missing or malformed.
  static std::optional<std::string> raw_from_hyperbeam_json(const nlohmann::json& report,
                                                            std::string* why);

  // The inverse: HyperBEAM's JSON rendering of these bytes (fields the v2
  // layout has no names for travel inside its reserved arrays).
  nlohmann::json to_hyperbeam_json() const;

  const std::string& raw() const { return raw_; }
  std::string_view signed_part() const { return std::string_view(raw_).substr(0, kSignedSize); }

  uint32_t version() const { return u32(0x000); }
  uint32_t guest_svn() const { return u32(0x004); }
  uint64_t policy() const { return u64(0x008); }
  std::string_view family_id() const { return bytes(0x010, 16); }
  std::string_view image_id() const { return bytes(0x020, 16); }
  uint32_t vmpl() const { return u32(0x030); }
  uint32_t signature_algo() const { return u32(0x034); }
  uint64_t current_tcb_raw() const { return u64(0x038); }
  uint64_t platform_info() const { return u64(0x040); }
  uint32_t signer_info() const { return u32(0x048); }
  uint32_t signing_key() const { return (signer_info() >> 2) & 7; }  // 0 VCEK, 1 VLEK, 7 none
  bool chip_id_masked() const { return (signer_info() & 2) != 0; }
  std::string_view report_data() const { return bytes(0x050, 64); }
  std::string_view measurement() const { return bytes(0x090, 48); }
  std::string_view host_data() const { return bytes(0x0C0, 32); }
  std::string_view id_key_digest() const { return bytes(0x0E0, 48); }
  std::string_view author_key_digest() const { return bytes(0x110, 48); }
  std::string_view report_id() const { return bytes(0x140, 32); }
  uint64_t reported_tcb_raw() const { return u64(0x180); }
  std::string_view chip_id() const { return bytes(0x1A0, 64); }
  uint64_t committed_tcb_raw() const { return u64(0x1E0); }
  uint32_t current_firmware() const;    // major << 16 | minor << 8 | build
  uint32_t committed_firmware() const;  // the same for the committed firmware
  uint64_t launch_tcb_raw() const { return u64(0x1F0); }
  // The product line a v3+ report names by CPUID family and model; kUnknown
  // for v2 (the VCEK's productName or configuration must say).
  SnpProduct product_from_cpuid() const;

  // The signature's r and s as 48-byte big-endian integers (AMD stores
  // them little-endian in 72-byte slots).
  std::string signature_r() const;
  std::string signature_s() const;

  // Policy bits (ABI §"GUEST_POLICY").
  static constexpr uint64_t kPolicySmt = 1ull << 16;
  static constexpr uint64_t kPolicyReserved17 = 1ull << 17;
  static constexpr uint64_t kPolicyMigrateMa = 1ull << 18;
  static constexpr uint64_t kPolicyDebug = 1ull << 19;
  static constexpr uint64_t kPolicySingleSocket = 1ull << 20;
  uint32_t abi_major() const { return static_cast<uint32_t>((policy() >> 8) & 0xFF); }
  uint32_t abi_minor() const { return static_cast<uint32_t>(policy() & 0xFF); }

 private:
  explicit SnpReport(std::string raw) : raw_(std::move(raw)) {}
  uint32_t u32(size_t at) const;
  uint64_t u64(size_t at) const;
  std::string_view bytes(size_t at, size_t n) const { return std::string_view(raw_).substr(at, n); }

  std::string raw_;
};

}  // namespace hashpath
