#include "verify/snp/snp_policy.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/crypto/bytes.h"

namespace hashpath {

namespace {

using Json = nlohmann::json;

struct Reader {
  std::string why;
  bool ok() const { return why.empty(); }
  void fail(std::string w) {
    if (why.empty()) why = std::move(w);
  }

  void boolean(const Json& v, const std::string& key, bool& into) {
    if (!v.is_boolean()) return fail(key + " must be true or false");
    into = v.get<bool>();
  }
  void number(const Json& v, const std::string& key, uint32_t& into, uint32_t max) {
    if (!v.is_number_unsigned() || v.get<uint64_t>() > max)
      return fail(key + " must be an integer 0.." + std::to_string(max));
    into = v.get<uint32_t>();
  }
  void hex(const Json& v, const std::string& key, size_t bytes, std::optional<std::string>& into) {
    std::string raw;
    if (v.is_string()) {
      try {
        raw = hex_decode(v.get<std::string>());
      } catch (const std::exception&) {
        raw.clear();
      }
    }
    if (raw.size() != bytes)
      return fail(key + " must be " + std::to_string(2 * bytes) + " hex digits");
    into = raw;
  }
  // "1.55.20" (major.minor.build) or "1.55".
  void firmware(const Json& v, const std::string& key, uint32_t& into) {
    if (!v.is_string()) return fail(key + " must be a version such as \"1.55.20\"");
    const std::string s = v.get<std::string>();
    uint32_t parts[3] = {0, 0, 0};
    size_t n = 0, at = 0;
    while (at <= s.size() && n < 3) {
      const size_t dot = s.find('.', at);
      const std::string part =
          s.substr(at, dot == std::string::npos ? std::string::npos : dot - at);
      if (part.empty() || part.size() > 3 ||
          part.find_first_not_of("0123456789") != std::string::npos || std::stoul(part) > 255)
        return fail(key + " must be a version such as \"1.55.20\"");
      parts[n++] = static_cast<uint32_t>(std::stoul(part));
      if (dot == std::string::npos) break;
      at = dot + 1;
    }
    if (n < 2) return fail(key + " must be a version such as \"1.55.20\"");
    into = parts[0] << 16 | parts[1] << 8 | parts[2];
  }
  void tcb(const Json& v, const std::string& key, SnpTcb& into) {
    if (!v.is_object()) return fail(key + " must be an object of security patch levels");
    for (const auto& [name, level] : v.items()) {
      uint32_t n = 0;
      number(level, key + "." + name, n, 255);
      if (!ok()) return;
      if (name == "bootloader") {
        into.bootloader = static_cast<uint8_t>(n);
      } else if (name == "tee") {
        into.tee = static_cast<uint8_t>(n);
      } else if (name == "snp") {
        into.snp = static_cast<uint8_t>(n);
      } else if (name == "microcode") {
        into.microcode = static_cast<uint8_t>(n);
      } else if (name == "fmc") {
        into.fmc = static_cast<uint8_t>(n);
      } else {
        return fail(key + "." + name +
                    " is not a TCB component (bootloader, tee, snp, "
                    "microcode, fmc)");
      }
    }
  }
  // A launch configuration: values are hex text or integers.
  void trusted_entry(const Json& v, const std::string& key,
                     std::map<std::string, std::string>& into) {
    if (!v.is_object()) return fail(key + " must be an object of local hashes");
    for (const auto& [name, value] : v.items()) {
      if (value.is_string()) {
        into[name] = value.get<std::string>();
      } else if (value.is_number_unsigned()) {
        into[name] = std::to_string(value.get<uint64_t>());
      } else {
        return fail(key + "." + name + " must be text or a non-negative integer");
      }
    }
  }
};

}  // namespace

std::optional<SnpPolicy> SnpPolicy::from_json(const nlohmann::json& j, std::string* why) {
  if (!j.is_object()) {
    *why = "an SNP policy is a JSON object";
    return std::nullopt;
  }
  SnpPolicy p;
  Reader r;
  for (const auto& [key, v] : j.items()) {
    if (!r.ok()) break;
    if (key == "allow_debug") {
      r.boolean(v, key, p.allow_debug);
    } else if (key == "snp_accept_simulated") {
      r.boolean(v, key, p.accept_simulated);
    } else if (key == "allow_migrate_ma") {
      r.boolean(v, key, p.allow_migrate_ma);
    } else if (key == "allow_smt") {
      r.boolean(v, key, p.allow_smt);
    } else if (key == "require_single_socket") {
      r.boolean(v, key, p.require_single_socket);
    } else if (key == "allow_provisional_firmware") {
      r.boolean(v, key, p.allow_provisional_firmware);
    } else if (key == "allow_vlek") {
      r.boolean(v, key, p.allow_vlek);
    } else if (key == "allow_masked_chip_id") {
      r.boolean(v, key, p.allow_masked_chip_id);
    } else if (key == "min_abi") {
      uint32_t fw = 0;
      r.firmware(v, key, fw);
      p.min_abi_major = fw >> 16;
      p.min_abi_minor = (fw >> 8) & 0xFF;
    } else if (key == "min_firmware") {
      r.firmware(v, key, p.min_firmware);
    } else if (key == "min_guest_svn") {
      r.number(v, key, p.min_guest_svn, UINT32_MAX);
    } else if (key == "allowed_vmpl") {
      if (!v.is_array()) {
        r.fail("allowed_vmpl must be a list of VMPLs (0..3)");
        break;
      }
      p.allowed_vmpl.clear();
      for (const Json& level : v) {
        uint32_t n = 0;
        r.number(level, "allowed_vmpl[]", n, 3);
        p.allowed_vmpl.insert(n);
      }
    } else if (key == "host_data") {
      r.hex(v, key, 32, p.host_data);
    } else if (key == "family_id") {
      r.hex(v, key, 16, p.family_id);
    } else if (key == "image_id") {
      r.hex(v, key, 16, p.image_id);
    } else if (key == "id_key_digest") {
      r.hex(v, key, 48, p.id_key_digest);
    } else if (key == "author_key_digest") {
      r.hex(v, key, 48, p.author_key_digest);
    } else if (key == "min_tcb") {
      if (!v.is_object()) {
        r.fail("min_tcb must map a product (Milan, Genoa, Turin) to levels");
        break;
      }
      for (const auto& [product, levels] : v.items()) {
        std::optional<SnpProduct> prod = snp_product_from_name(product);
        if (!prod) {
          r.fail("min_tcb." + product + " is not a product (Milan, Genoa, Turin)");
          break;
        }
        r.tcb(levels, "min_tcb." + product, p.min_tcb[*prod]);
      }
    } else if (key == "snp_trusted") {
      if (!v.is_array()) {
        r.fail("snp_trusted must be a list of launch configurations");
        break;
      }
      for (const Json& entry : v) {
        p.trusted.emplace_back();
        r.trusted_entry(entry, "snp_trusted[]", p.trusted.back());
      }
    } else if (key == "snp_enforced_keys") {
      if (!v.is_array()) {
        r.fail("snp_enforced_keys must be a list of local-hashes keys");
        break;
      }
      p.enforced_keys.clear();
      for (const Json& k : v) {
        if (!k.is_string()) {
          r.fail("snp_enforced_keys[] must be text");
          break;
        }
        p.enforced_keys.push_back(k.get<std::string>());
      }
    } else if (key == "trusted_measurements") {
      if (!v.is_array()) {
        r.fail("trusted_measurements must be a list of 96-hex-digit launch digests");
        break;
      }
      for (const Json& m : v) {
        std::optional<std::string> raw;
        r.hex(m, "trusted_measurements[]", 48, raw);
        if (raw) p.trusted_measurements.insert(hex_encode(*raw));
      }
    } else if (key == "ovmf_profiles") {
      if (!v.is_array()) {
        r.fail("ovmf_profiles must be a list of {firmware, profile}");
        break;
      }
      for (const Json& entry : v) {
        std::optional<std::string> fw;
        if (!entry.is_object() || !entry.contains("firmware") || !entry.contains("profile")) {
          r.fail("ovmf_profiles[] must be {\"firmware\": hex, \"profile\": {...}}");
          break;
        }
        r.hex(entry["firmware"], "ovmf_profiles[].firmware", 48, fw);
        if (!r.ok()) break;
        std::string profile_why;
        std::optional<OvmfProfile> profile = OvmfProfile::from_json(entry["profile"], &profile_why);
        if (!profile) {
          r.fail("ovmf_profiles[].profile: " + profile_why);
          break;
        }
        p.ovmf_profiles[hex_encode(*fw)] = *profile;
      }
    } else if (key == "product") {
      std::optional<SnpProduct> prod =
          v.is_string() ? snp_product_from_name(v.get<std::string>()) : std::nullopt;
      if (!prod) {
        r.fail("product must be Milan, Genoa or Turin");
        break;
      }
      p.product = prod;
    } else if (key == "extra_roots") {
      if (!v.is_array()) {
        r.fail("extra_roots must be a list of SHA-256 fingerprints (hex) of roots to trust");
        break;
      }
      for (const Json& root : v) {
        std::optional<std::string> raw;
        r.hex(root, "extra_roots[]", 32, raw);
        if (raw) p.anchors.extra_root_sha256.push_back(hex_encode(*raw));
      }
    } else {
      r.fail("'" + key + "' is not an SNP policy key (docs/attestation.md)");
    }
  }
  if (!r.ok()) {
    *why = r.why;
    return std::nullopt;
  }
  return p;
}

std::optional<SnpPolicy> SnpPolicy::from_file(const std::string& path, std::string* why) {
  if (path.empty()) return SnpPolicy{};
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *why = "policy file '" + path + "' cannot be read";
    return std::nullopt;
  }
  std::stringstream s;
  s << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(s.str(), nullptr, false);
  if (j.is_discarded()) {
    *why = "policy file '" + path + "' is not JSON";
    return std::nullopt;
  }
  std::optional<SnpPolicy> p = from_json(j, why);
  if (!p) *why = "policy file '" + path + "': " + *why;
  return p;
}

}  // namespace hashpath
