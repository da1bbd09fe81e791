#include "verify/snp/snp_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace hashpath {

namespace {

std::string hex_byte(unsigned v) {
  static const char* digits = "0123456789abcdef";
  return std::string{'0', 'x', digits[(v >> 4) & 15], digits[v & 15]};
}

std::string hex_offset(size_t at) {
  static const char* digits = "0123456789ABCDEF";
  std::string out = "0x";
  for (int shift = 8; shift >= 0; shift -= 4) out.push_back(digits[(at >> shift) & 15]);
  return out;
}

// A must-be-zero range [from, to) of a report, or where it is not.
bool zero_range(std::string_view raw, size_t from, size_t to, const char* what, std::string* why) {
  std::string_view range = raw.substr(from, to - from);
  for (size_t i = 0; i < range.size(); ++i) {
    if (range[i] != 0) {
      *why = std::string(what) + " (" + hex_offset(from) + ".." + hex_offset(to) +
             ") must be zero; byte " + hex_offset(from + i) + " is " +
             hex_byte(static_cast<unsigned char>(range[i]));
      return false;
    }
  }
  return true;
}

// ---- HyperBEAM's JSON rendering -------------------------------------------

// The report's fields as HyperBEAM's JSON names them (serde of the sev 5.x
// report, v2 layout), with their ABI offsets: one table for both directions.
// Names with a '.' are inside the `signature` object.
enum class JsonField { kInteger, kBytes, kTcb };
struct JsonFieldSpec {
  const char* name;
  size_t offset;
  JsonField kind;
  size_t width;  // bytes (kTcb: 8)
};
constexpr JsonFieldSpec kJsonFields[] = {
    {"version", 0x000, JsonField::kInteger, 4},
    {"guest_svn", 0x004, JsonField::kInteger, 4},
    {"policy", 0x008, JsonField::kInteger, 8},
    {"family_id", 0x010, JsonField::kBytes, 16},
    {"image_id", 0x020, JsonField::kBytes, 16},
    {"vmpl", 0x030, JsonField::kInteger, 4},
    {"sig_algo", 0x034, JsonField::kInteger, 4},
    {"current_tcb", 0x038, JsonField::kTcb, 8},
    {"plat_info", 0x040, JsonField::kInteger, 8},
    {"_author_key_en", 0x048, JsonField::kInteger, 4},
    {"_reserved_0", 0x04C, JsonField::kInteger, 4},
    {"report_data", 0x050, JsonField::kBytes, 64},
    {"measurement", 0x090, JsonField::kBytes, 48},
    {"host_data", 0x0C0, JsonField::kBytes, 32},
    {"id_key_digest", 0x0E0, JsonField::kBytes, 48},
    {"author_key_digest", 0x110, JsonField::kBytes, 48},
    {"report_id", 0x140, JsonField::kBytes, 32},
    {"report_id_ma", 0x160, JsonField::kBytes, 32},
    {"reported_tcb", 0x180, JsonField::kTcb, 8},
    {"_reserved_1", 0x188, JsonField::kBytes, 24},
    {"chip_id", 0x1A0, JsonField::kBytes, 64},
    {"committed_tcb", 0x1E0, JsonField::kTcb, 8},
    {"current_build", 0x1E8, JsonField::kInteger, 1},
    {"current_minor", 0x1E9, JsonField::kInteger, 1},
    {"current_major", 0x1EA, JsonField::kInteger, 1},
    {"_reserved_2", 0x1EB, JsonField::kInteger, 1},
    {"committed_build", 0x1EC, JsonField::kInteger, 1},
    {"committed_minor", 0x1ED, JsonField::kInteger, 1},
    {"committed_major", 0x1EE, JsonField::kInteger, 1},
    {"_reserved_3", 0x1EF, JsonField::kInteger, 1},
    {"launch_tcb", 0x1F0, JsonField::kTcb, 8},
    {"_reserved_4", 0x1F8, JsonField::kBytes, 168},
    {"signature.r", 0x2A0, JsonField::kBytes, 72},
    {"signature.s", 0x2E8, JsonField::kBytes, 72},
    {"signature._reserved", 0x330, JsonField::kBytes, 368},
};

class JsonReportWriter {
 public:
  explicit JsonReportWriter(const nlohmann::json& j) : j_(j), raw_(SnpReport::kSize, '\0') {}

  bool ok() const { return why_.empty(); }
  const std::string& why() const { return why_; }
  std::string take() { return std::move(raw_); }

  // An unsigned integer field of `width` bytes at `at`.
  void integer(const nlohmann::json& obj, const char* key, size_t at, size_t width,
               const std::string& where = "") {
    if (!ok()) return;
    const nlohmann::json* v = field(obj, key, where);
    if (v == nullptr) return;
    if (!v->is_number_unsigned() && !(v->is_number_integer() && v->get<int64_t>() >= 0)) {
      fail(where + key + " is not a non-negative integer");
      return;
    }
    const uint64_t n = v->get<uint64_t>();
    if (width < 8 && n >> (8 * width) != 0) {
      fail(where + key + " = " + std::to_string(n) + " does not fit in " + std::to_string(width) +
           " bytes");
      return;
    }
    for (size_t i = 0; i < width; ++i) raw_[at + i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  }

  // A byte array field of exactly `n` bytes at `at`.
  void array(const nlohmann::json& obj, const char* key, size_t at, size_t n,
             const std::string& where = "") {
    if (!ok()) return;
    const nlohmann::json* v = field(obj, key, where);
    if (v == nullptr) return;
    if (!v->is_array() || v->size() != n) {
      fail(where + key + " must be an array of " + std::to_string(n) + " bytes" +
           (v->is_array() ? " (it has " + std::to_string(v->size()) + ")" : ""));
      return;
    }
    for (size_t i = 0; i < n; ++i) {
      const nlohmann::json& b = (*v)[i];
      if (!b.is_number_integer() || b.get<int64_t>() < 0 || b.get<int64_t>() > 255) {
        fail(where + key + "[" + std::to_string(i) + "] is not a byte");
        return;
      }
      raw_[at + i] = static_cast<char>(b.get<int>());
    }
  }

  // A TCB_VERSION object (serialised in the Milan order).
  void tcb(const nlohmann::json& obj, const char* key, size_t at) {
    if (!ok()) return;
    const nlohmann::json* v = field(obj, key, "");
    if (v == nullptr) return;
    if (!v->is_object()) {
      fail(std::string(key) + " is not an object");
      return;
    }
    const std::string where = std::string(key) + ".";
    integer(*v, "bootloader", at + 0, 1, where);
    integer(*v, "tee", at + 1, 1, where);
    array(*v, "_reserved", at + 2, 4, where);
    integer(*v, "snp", at + 6, 1, where);
    integer(*v, "microcode", at + 7, 1, where);
  }

  const nlohmann::json* object(const char* key) {
    if (!ok()) return nullptr;
    const nlohmann::json* v = field(j_, key, "");
    if (v != nullptr && !v->is_object()) {
      fail(std::string(key) + " is not an object");
      return nullptr;
    }
    return v;
  }

 private:
  const nlohmann::json* field(const nlohmann::json& obj, const char* key,
                              const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      fail("the report has no " + where + key);
      return nullptr;
    }
    return &*it;
  }
  void fail(std::string why) {
    if (why_.empty()) why_ = std::move(why);
  }

  const nlohmann::json& j_;
  std::string raw_;
  std::string why_;
};

}  // namespace

std::string_view snp_product_name(SnpProduct p) {
  switch (p) {
    case SnpProduct::kMilan:
      return "Milan";
    case SnpProduct::kGenoa:
      return "Genoa";
    case SnpProduct::kTurin:
      return "Turin";
    case SnpProduct::kUnknown:
      break;
  }
  return "unknown";
}

std::optional<SnpProduct> snp_product_from_name(std::string_view name) {
  // A VCEK's productName carries a stepping suffix ("Milan-B0").
  const std::string_view base = name.substr(0, name.find('-'));
  if (base == "Milan") return SnpProduct::kMilan;
  if (base == "Genoa") return SnpProduct::kGenoa;
  if (base == "Turin") return SnpProduct::kTurin;
  return std::nullopt;
}

SnpTcb SnpTcb::from_raw(uint64_t raw, SnpProduct product) {
  auto byte = [&](int i) { return static_cast<uint8_t>((raw >> (8 * i)) & 0xFF); };
  SnpTcb t;
  if (product == SnpProduct::kTurin) {
    t.fmc = byte(0);
    t.bootloader = byte(1);
    t.tee = byte(2);
    t.snp = byte(3);
    t.microcode = byte(7);
  } else {
    t.bootloader = byte(0);
    t.tee = byte(1);
    t.snp = byte(6);
    t.microcode = byte(7);
  }
  return t;
}

bool SnpTcb::at_least(const SnpTcb& min) const {
  return fmc >= min.fmc && bootloader >= min.bootloader && tee >= min.tee && snp >= min.snp &&
         microcode >= min.microcode;
}

std::string SnpTcb::to_string() const {
  std::string s = "bl " + std::to_string(bootloader) + ", tee " + std::to_string(tee) + ", snp " +
                  std::to_string(snp) + ", ucode " + std::to_string(microcode);
  if (fmc != 0) s += ", fmc " + std::to_string(fmc);
  return s;
}

std::optional<SnpReport> SnpReport::parse(std::string_view raw, std::string* why, bool allow_vlek) {
  if (raw.size() != kSize) {
    *why = "a report is " + std::to_string(kSize) + " bytes, not " + std::to_string(raw.size());
    return std::nullopt;
  }
  SnpReport r{std::string(raw)};
  const uint32_t version = r.version();
  if (version < 2 || version > 5) {
    *why = "VERSION " + std::to_string(version) + " is not 2..5";
    return std::nullopt;
  }
  if (r.signature_algo() != 1) {
    *why = "SIGNATURE_ALGO " + std::to_string(r.signature_algo()) +
           " is not 1 (ECDSA P-384 with SHA-384)";
    return std::nullopt;
  }
  const uint64_t policy = r.policy();
  if ((policy & kPolicyReserved17) == 0) {
    *why = "POLICY bit 17 (reserved, must be 1) is clear";
    return std::nullopt;
  }
  if ((policy >> 26) != 0) {
    *why = "POLICY bits 63:26 must be zero";
    return std::nullopt;
  }
  if ((r.signer_info() >> 5) != 0) {
    *why = "SIGNER_INFO bits 31:5 must be zero";
    return std::nullopt;
  }
  const uint32_t key = r.signing_key();
  if (key != 0 && !(key == 1 && allow_vlek)) {
    *why = key == 1 ? "the report is signed by a VLEK, which this verifier does not accept"
                    : "SIGNING_KEY " + std::to_string(key) + " is not a VCEK";
    return std::nullopt;
  }
  const std::string_view b = r.raw_;
  if (!zero_range(b, 0x04C, 0x050, "reserved", why) ||
      !zero_range(b, version >= 3 ? 0x18B : 0x188, 0x1A0, "reserved", why) ||
      !zero_range(b, 0x1EB, 0x1EC, "reserved", why) ||
      !zero_range(b, 0x1EF, 0x1F0, "reserved", why) ||
      (version < 5 && !zero_range(b, 0x1F8, 0x208, "mitigation vectors (VERSION < 5)", why)) ||
      !zero_range(b, 0x208, 0x2A0, "reserved", why) ||
      !zero_range(b, 0x2A0 + 48, 0x2A0 + 72, "SIGNATURE.R above 384 bits", why) ||
      !zero_range(b, 0x2E8 + 48, 0x2E8 + 72, "SIGNATURE.S above 384 bits", why) ||
      !zero_range(b, 0x330, 0x4A0, "reserved", why)) {
    return std::nullopt;
  }
  return r;
}

std::optional<std::string> SnpReport::raw_from_hyperbeam_json(const nlohmann::json& report,
                                                              std::string* why) {
  if (!report.is_object()) {
    *why = "the report is not a JSON object";
    return std::nullopt;
  }
  JsonReportWriter w(report);
  const nlohmann::json* signature = nullptr;
  for (const JsonFieldSpec& f : kJsonFields) {
    std::string_view name = f.name;
    const nlohmann::json* obj = &report;
    std::string where;
    if (name.rfind("signature.", 0) == 0) {
      if (signature == nullptr) signature = w.object("signature");
      if (signature == nullptr) break;
      obj = signature;
      where = "signature.";
      name.remove_prefix(where.size());
    }
    const std::string key(name);
    switch (f.kind) {
      case JsonField::kInteger:
        w.integer(*obj, key.c_str(), f.offset, f.width, where);
        break;
      case JsonField::kBytes:
        w.array(*obj, key.c_str(), f.offset, f.width, where);
        break;
      case JsonField::kTcb:
        w.tcb(*obj, key.c_str(), f.offset);
        break;
    }
  }
  if (!w.ok()) {
    *why = w.why();
    return std::nullopt;
  }
  return w.take();
}

nlohmann::json SnpReport::to_hyperbeam_json() const {
  using Json = nlohmann::json;
  auto integer = [&](size_t at, size_t width) {
    uint64_t v = 0;
    for (size_t i = width; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(raw_[at + i]);
    return v;
  };
  auto array = [&](size_t at, size_t n) {
    Json a = Json::array();
    for (size_t i = 0; i < n; ++i) a.push_back(static_cast<unsigned char>(raw_[at + i]));
    return a;
  };
  auto tcb = [&](size_t at) {
    Json t = Json::object();
    t["bootloader"] = integer(at, 1);
    t["tee"] = integer(at + 1, 1);
    t["_reserved"] = array(at + 2, 4);
    t["snp"] = integer(at + 6, 1);
    t["microcode"] = integer(at + 7, 1);
    return t;
  };
  Json j = Json::object();
  for (const JsonFieldSpec& f : kJsonFields) {
    std::string_view name = f.name;
    Json* into = &j;
    if (name.rfind("signature.", 0) == 0) {
      into = &j["signature"];
      name.remove_prefix(std::string_view("signature.").size());
    }
    const std::string key(name);
    switch (f.kind) {
      case JsonField::kInteger:
        (*into)[key] = integer(f.offset, f.width);
        break;
      case JsonField::kBytes:
        (*into)[key] = array(f.offset, f.width);
        break;
      case JsonField::kTcb:
        (*into)[key] = tcb(f.offset);
        break;
    }
  }
  return j;
}

uint32_t SnpReport::u32(size_t at) const {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(raw_[at + i]);
  return v;
}

uint64_t SnpReport::u64(size_t at) const {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(raw_[at + i]);
  return v;
}

uint32_t SnpReport::current_firmware() const {
  auto b = [&](size_t at) { return static_cast<uint32_t>(static_cast<unsigned char>(raw_[at])); };
  return b(0x1EA) << 16 | b(0x1E9) << 8 | b(0x1E8);
}

uint32_t SnpReport::committed_firmware() const {
  auto b = [&](size_t at) { return static_cast<uint32_t>(static_cast<unsigned char>(raw_[at])); };
  return b(0x1EE) << 16 | b(0x1ED) << 8 | b(0x1EC);
}

SnpProduct SnpReport::product_from_cpuid() const {
  if (version() < 3) return SnpProduct::kUnknown;
  const unsigned family = static_cast<unsigned char>(raw_[0x188]);
  const unsigned model = static_cast<unsigned char>(raw_[0x189]);
  if (family == 0x19) {
    if (model <= 0x0F) return SnpProduct::kMilan;
    if ((model >= 0x10 && model <= 0x1F) || (model >= 0xA0 && model <= 0xAF))
      return SnpProduct::kGenoa;
  }
  if (family == 0x1A) return SnpProduct::kTurin;
  return SnpProduct::kUnknown;
}

std::string SnpReport::signature_r() const {
  std::string out(raw_.substr(0x2A0, 48));
  std::reverse(out.begin(), out.end());
  return out;
}

std::string SnpReport::signature_s() const {
  std::string out(raw_.substr(0x2E8, 48));
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace hashpath
