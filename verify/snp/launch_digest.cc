#include "verify/snp/launch_digest.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "engine/crypto/hash.h"

namespace hashpath {

namespace {

constexpr size_t kPage = 4096;
constexpr uint64_t kVmsaGpa = 0xFFFFFFFFF000ull;

enum PageType : uint8_t {
  kNormal = 1,
  kVmsa = 2,
  kZero = 3,
  kUnmeasured = 4,
  kSecrets = 5,
  kCpuid = 6,
};

enum SectionType : uint32_t {
  kSectionSecMemory = 1,
  kSectionSecrets = 2,
  kSectionCpuid = 3,
  kSectionSvsmCaa = 4,
  kSectionKernelHashes = 0x10,
};

void put_le(std::string& buf, size_t at, uint64_t v, size_t width) {
  for (size_t i = 0; i < width; ++i) buf[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

uint64_t get_le(std::string_view buf, size_t at, size_t width) {
  uint64_t v = 0;
  for (size_t i = width; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(buf[at + i]);
  return v;
}

// A GUID in the byte order EFI images store it (the first three fields
// little-endian).
std::string guid_bytes(const char* text) {
  // "aabbccdd-eeff-gghh-iijj-kkllmmnnoopp"
  std::string hex;
  for (const char* p = text; *p != 0; ++p)
    if (*p != '-') hex.push_back(*p);
  auto byte = [&](size_t i) {
    return static_cast<char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  };
  std::string out(16, '\0');
  const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  for (int i = 0; i < 16; ++i) out[i] = byte(static_cast<size_t>(order[i]));
  return out;
}

// The launch digest as the Secure Processor extends it, one page at a time.
class Gctx {
 public:
  explicit Gctx(std::string seed) : ld_(std::move(seed)) {}

  void update(uint8_t type, uint64_t gpa, std::string_view contents48) {
    std::string info(0x70, '\0');
    std::memcpy(info.data(), ld_.data(), 48);
    std::memcpy(info.data() + 48, contents48.data(), 48);
    put_le(info, 96, 0x70, 2);
    info[98] = static_cast<char>(type);
    // is_imi, vmpl3/2/1 permissions and reserved stay zero.
    put_le(info, 104, gpa, 8);
    ld_ = sha384(info);
  }
  void normal_page(uint64_t gpa, std::string_view page) { update(kNormal, gpa, sha384(page)); }
  void zero_pages(uint64_t gpa, uint64_t size) {
    const std::string zeros(48, '\0');
    for (uint64_t off = 0; off < size; off += kPage) update(kZero, gpa + off, zeros);
  }
  void special(uint8_t type, uint64_t gpa) { update(type, gpa, std::string(48, '\0')); }
  const std::string& digest() const { return ld_; }

 private:
  std::string ld_;
};

std::optional<uint32_t> vcpu_signature(uint32_t vcpu_type) {
  // (family, model, stepping) → CPUID signature.
  auto sig = [](uint32_t family, uint32_t model, uint32_t stepping) {
    const uint32_t fam_lo = family > 0xF ? 0xF : family;
    const uint32_t fam_hi = family > 0xF ? family - 0xF : 0;
    return (fam_hi << 20) | ((model >> 4) << 16) | (fam_lo << 8) | ((model & 0xF) << 4) | stepping;
  };
  switch (vcpu_type) {
    case 0:
    case 1:
    case 3:
    case 4:
    case 5:
      return sig(23, 1, 2);  // EPYC, EPYC-v1..v4
    case 6:
    case 7:
    case 8:
    case 9:
      return sig(23, 49, 0);  // EPYC-Rome
    case 10:
    case 11:
    case 12:
      return sig(25, 1, 1);  // EPYC-Milan
    case 13:
    case 14:
      return sig(25, 17, 0);  // EPYC-Genoa
    default:
      return std::nullopt;
  }
}

std::string vmsa_page(uint64_t eip, bool bsp, SnpVmm vmm, uint32_t signature,
                      uint64_t guest_features) {
  std::string page(kPage, '\0');
  const bool ec2 = vmm == SnpVmm::kEc2;
  auto segment = [&](size_t at, uint16_t selector, uint16_t attrib, uint32_t limit, uint64_t base) {
    put_le(page, at, selector, 2);
    put_le(page, at + 2, attrib, 2);
    put_le(page, at + 4, limit, 4);
    put_le(page, at + 8, base, 8);
  };
  segment(0x00, 0, 0x93, 0xFFFF, 0);                                           // ES
  segment(0x10, 0xF000, ec2 && bsp ? 0x9A : 0x9B, 0xFFFF, eip & 0xFFFF0000u);  // CS
  segment(0x20, 0, ec2 ? 0x92 : 0x93, 0xFFFF, 0);                              // SS
  segment(0x30, 0, 0x93, 0xFFFF, 0);                                           // DS
  segment(0x40, 0, 0x93, 0xFFFF, 0);                                           // FS
  segment(0x50, 0, 0x93, 0xFFFF, 0);                                           // GS
  segment(0x60, 0, 0, 0xFFFF, 0);                                              // GDTR
  segment(0x70, 0, 0x82, 0xFFFF, 0);                                           // LDTR
  segment(0x80, 0, 0, 0xFFFF, 0);                                              // IDTR
  segment(0x90, 0, ec2 ? 0x83 : 0x8B, 0xFFFF, 0);                              // TR
  put_le(page, 0xD0, 0x1000, 8);                                               // EFER
  put_le(page, 0x148, 0x40, 8);                                                // CR4
  put_le(page, 0x158, 0x10, 8);                                                // CR0
  put_le(page, 0x160, 0x400, 8);                                               // DR7
  put_le(page, 0x168, 0xFFFF0FF0, 8);                                          // DR6
  put_le(page, 0x170, 0x2, 8);                                                 // RFLAGS
  put_le(page, 0x178, eip & 0xFFFF, 8);                                        // RIP
  put_le(page, 0x268, 0x0007040600070406, 8);                                  // G_PAT
  put_le(page, 0x310, ec2 ? 0 : signature, 8);                                 // RDX
  put_le(page, 0x3B0, guest_features, 8);                                      // SEV_FEATURES
  put_le(page, 0x3E8, 1, 8);                                                   // XCR0
  put_le(page, 0x408, ec2 ? 0 : 0x1F80, 4);                                    // MXCSR
  put_le(page, 0x410, ec2 ? 0 : 0x37F, 2);                                     // X87_FCW
  return page;
}

std::string hashes_page(const OvmfProfile& ovmf, const std::string& kernel,
                        const std::string& initrd, const std::string& append) {
  std::string page(kPage, '\0');
  std::string table = guid_bytes("9438d606-4f22-4cc9-b479-a793d411fd21");
  table.append("\xA8\x00", 2);  // u16 168: the table's length
  auto entry = [&](const char* guid, const std::string& hash) {
    table += guid_bytes(guid);
    table.append("\x32\x00", 2);  // u16 50
    table += hash;
  };
  entry("97d02dd8-bd20-4c94-aa78-e7714d36ab2a", append);
  entry("44baf731-3a2f-4bd7-9af1-41e29169781d", initrd);
  entry("4de79437-abd2-427f-b835-d5b172d2045b", kernel);
  table.append(8, '\0');
  std::memcpy(page.data() + (ovmf.hash_table_gpa & 0xFFF), table.data(), table.size());
  return page;
}

std::optional<uint32_t> hex_u32(const nlohmann::json& j, const char* key, std::string* why) {
  auto it = j.find(key);
  if (it == j.end()) {
    *why = std::string("the OVMF profile has no ") + key;
    return std::nullopt;
  }
  try {
    if (it->is_number_unsigned()) return it->get<uint32_t>();
    if (it->is_string()) {
      size_t used = 0;
      const std::string s = it->get<std::string>();
      const unsigned long v = std::stoul(s, &used, 0);
      if (used == s.size() && v <= 0xFFFFFFFFul) return static_cast<uint32_t>(v);
    }
  } catch (const std::exception&) {
  }
  *why = std::string("the OVMF profile's ") + key + " is not a 32-bit number";
  return std::nullopt;
}

}  // namespace

std::optional<OvmfProfile> OvmfProfile::from_json(const nlohmann::json& j, std::string* why) {
  if (!j.is_object() || !j.contains("sections") || !j["sections"].is_array()) {
    *why = "the OVMF profile has no sections list";
    return std::nullopt;
  }
  OvmfProfile p;
  for (const nlohmann::json& s : j["sections"]) {
    Section sec;
    std::optional<uint32_t> gpa = hex_u32(s, "gpa", why);
    std::optional<uint32_t> size = gpa ? hex_u32(s, "size", why) : std::nullopt;
    std::optional<uint32_t> type = size ? hex_u32(s, "type", why) : std::nullopt;
    if (!type) return std::nullopt;
    sec.gpa = *gpa;
    sec.size = *size;
    sec.type = *type;
    p.sections.push_back(sec);
  }
  std::optional<uint32_t> table = hex_u32(j, "sev_hash_table_gpa", why);
  std::optional<uint32_t> eip = table ? hex_u32(j, "sev_es_reset_eip", why) : std::nullopt;
  if (!eip) return std::nullopt;
  p.hash_table_gpa = *table;
  p.reset_eip = *eip;
  return p;
}

std::optional<OvmfProfile> OvmfProfile::from_image(std::string_view image, std::string* why) {
  static const std::string kFooter = guid_bytes("96b582de-1fb2-45f7-baea-a366c55a082d");
  static const std::string kMetadata = guid_bytes("dc886566-984a-4798-a75e-5585a7bf67cc");
  static const std::string kHashTable = guid_bytes("7255371f-3a3b-4b04-927b-1da6efa8d454");
  static const std::string kResetBlock = guid_bytes("00f771de-1a7e-4fcb-890e-68c77e2fb44e");
  if (image.size() < 50) {
    *why = "the OVMF image is too small for a footer table";
    return std::nullopt;
  }
  const size_t footer = image.size() - 50;  // u16 table size ‖ GUID, 32 bytes from the end
  if (image.substr(footer + 2, 16) != kFooter) {
    *why = "the OVMF image has no footer table GUID 32 bytes before its end";
    return std::nullopt;
  }
  const size_t table_size = get_le(image, footer, 2);
  if (table_size < 18 || table_size > footer + 18) {
    *why = "the OVMF footer table's size is out of range";
    return std::nullopt;
  }
  // Entries run backwards from the table's own trailer: data ‖ u16 size ‖ GUID.
  const size_t table_start = footer + 18 - table_size;
  size_t end = footer;  // the end of the next entry (exclusive)
  OvmfProfile p;
  std::optional<uint32_t> metadata_offset;
  while (end >= table_start + 18) {
    const std::string_view guid = image.substr(end - 16, 16);
    const size_t entry_size = get_le(image, end - 18, 2);
    if (entry_size < 18 || entry_size > end - table_start) {
      *why = "an OVMF footer entry's size is out of range";
      return std::nullopt;
    }
    const size_t data = end - entry_size;
    if (entry_size >= 22) {
      const uint32_t value = static_cast<uint32_t>(get_le(image, data, 4));
      if (guid == kMetadata) metadata_offset = value;
      if (guid == kHashTable) p.hash_table_gpa = value;
      if (guid == kResetBlock) p.reset_eip = value;
    }
    end = data;
  }
  if (!metadata_offset) {
    *why = "the OVMF image has no SEV metadata entry";
    return std::nullopt;
  }
  if (*metadata_offset > image.size() || image.size() - *metadata_offset + 16 > image.size()) {
    *why = "the SEV metadata offset points outside the image";
    return std::nullopt;
  }
  const size_t header = image.size() - *metadata_offset;
  if (image.substr(header, 4) != "ASEV") {
    *why = "the SEV metadata header does not start with ASEV";
    return std::nullopt;
  }
  const uint32_t version = static_cast<uint32_t>(get_le(image, header + 8, 4));
  const uint32_t count = static_cast<uint32_t>(get_le(image, header + 12, 4));
  if (version != 1) {
    *why = "SEV metadata version " + std::to_string(version) + " is not 1";
    return std::nullopt;
  }
  if (count > (image.size() - header - 16) / 12) {
    *why = "the SEV metadata claims more sections than the image holds";
    return std::nullopt;
  }
  for (uint32_t i = 0; i < count; ++i) {
    const size_t at = header + 16 + 12 * static_cast<size_t>(i);
    Section s;
    s.gpa = static_cast<uint32_t>(get_le(image, at, 4));
    s.size = static_cast<uint32_t>(get_le(image, at + 4, 4));
    s.type = static_cast<uint32_t>(get_le(image, at + 8, 4));
    p.sections.push_back(s);
  }
  return p;
}

std::optional<std::string> firmware_digest(std::string_view image, std::string* why) {
  if (image.empty() || image.size() % kPage != 0 || image.size() > (1ull << 32)) {
    *why = "an OVMF image is a whole number of 4 KiB pages below 4 GiB";
    return std::nullopt;
  }
  Gctx g(std::string(48, '\0'));
  const uint64_t base = (1ull << 32) - image.size();
  for (size_t off = 0; off < image.size(); off += kPage)
    g.normal_page(base + off, image.substr(off, kPage));
  return g.digest();
}

std::optional<std::string> launch_digest(const LaunchInputs& in, const OvmfProfile& ovmf,
                                         std::string* why) {
  if (in.firmware.size() != 48) {
    *why = "firmware must be a 48-byte digest";
    return std::nullopt;
  }
  if (in.vcpus == 0 || in.vcpus > 512) {
    *why = "vcpus must be 1..512";
    return std::nullopt;
  }
  const std::optional<uint32_t> signature = vcpu_signature(in.vcpu_type);
  if (!signature) {
    *why = "vcpu_type " + std::to_string(in.vcpu_type) + " is not a known EPYC model";
    return std::nullopt;
  }
  if (in.vmm != SnpVmm::kQemu && in.vmm != SnpVmm::kEc2) {
    *why = "vmm_type " + std::to_string(static_cast<int>(in.vmm)) +
           " is not measured here (QEMU 1 and EC2 2 are)";
    return std::nullopt;
  }
  const bool hashes = in.kernel.has_value() || in.initrd.has_value() || in.append.has_value();
  const std::string kernel = in.kernel.value_or(sha256(""));
  const std::string initrd = in.initrd.value_or(sha256(""));
  const std::string append = in.append.value_or(sha256(std::string(1, '\0')));
  for (const std::string* h : {&kernel, &initrd, &append}) {
    if (h->size() != 32) {
      *why = "kernel, initrd and append must be 32-byte SHA-256 digests";
      return std::nullopt;
    }
  }
  if (hashes && ovmf.hash_table_gpa == 0) {
    *why = "kernel hashes were given but the OVMF profile has no SEV hash table";
    return std::nullopt;
  }
  if (in.vcpus > 1 && ovmf.reset_eip == 0) {
    *why = "the OVMF profile has no SEV-ES reset EIP for the other vCPUs";
    return std::nullopt;
  }
  Gctx g(in.firmware);
  std::vector<OvmfProfile::Section> deferred;
  for (const OvmfProfile::Section& s : ovmf.sections) {
    switch (s.type) {
      case kSectionSecMemory:
      case kSectionSvsmCaa:
        g.zero_pages(s.gpa, s.size);
        break;
      case kSectionSecrets:
        g.special(kSecrets, s.gpa);
        break;
      case kSectionCpuid:
        if (in.vmm == SnpVmm::kEc2) {
          deferred.push_back(s);
        } else {
          g.special(kCpuid, s.gpa);
        }
        break;
      case kSectionKernelHashes:
        if (hashes) {
          g.normal_page(s.gpa, hashes_page(ovmf, kernel, initrd, append));
        } else {
          g.zero_pages(s.gpa, s.size);
        }
        break;
      default:
        *why = "OVMF metadata section type " + std::to_string(s.type) + " is not known";
        return std::nullopt;
    }
  }
  for (const OvmfProfile::Section& s : deferred) g.special(kCpuid, s.gpa);
  for (uint32_t cpu = 0; cpu < in.vcpus; ++cpu) {
    const bool bsp = cpu == 0;
    const uint64_t eip = bsp ? 0xFFFFFFF0u : ovmf.reset_eip;
    g.update(kVmsa, kVmsaGpa, sha384(vmsa_page(eip, bsp, in.vmm, *signature, in.guest_features)));
  }
  return g.digest();
}

}  // namespace hashpath
