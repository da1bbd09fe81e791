#include "verify/snp/snp_verifier.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/codec/commitments.h"
#include "engine/codec/message_id.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/bytes.h"
#include "engine/crypto/hash.h"
#include "verify/snp/report_binding.h"
#include "verify/snp/vcek_cache.h"

namespace hashpath {

namespace {

SnpCheck fail(const char* code, std::string detail) {
  return SnpCheck::fail(code, std::move(detail));
}

bool all_zero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

std::string firmware_text(uint32_t v) {
  return std::to_string(v >> 16) + "." + std::to_string((v >> 8) & 0xFF) + "." +
         std::to_string(v & 0xFF);
}

SnpCheck check_policy(const SnpReport& r, const SnpPolicy& p) {
  auto bad = [](std::string d) { return fail("policy", std::move(d)); };
  const uint64_t policy = r.policy();
  if ((policy & SnpReport::kPolicyDebug) != 0 && !p.allow_debug && !p.accept_simulated)
    return bad("DEBUG is set");
  if ((policy & SnpReport::kPolicyMigrateMa) != 0 && !p.allow_migrate_ma)
    return bad("MIGRATE_MA is set");
  if ((policy & SnpReport::kPolicySmt) != 0 && !p.allow_smt) return bad("SMT is allowed");
  if ((policy & SnpReport::kPolicySingleSocket) == 0 && p.require_single_socket)
    return bad("SINGLE_SOCKET is not set");
  if (r.abi_major() < p.min_abi_major ||
      (r.abi_major() == p.min_abi_major && r.abi_minor() < p.min_abi_minor)) {
    return bad("ABI " + std::to_string(r.abi_major()) + "." + std::to_string(r.abi_minor()) +
               " is below " + std::to_string(p.min_abi_major) + "." +
               std::to_string(p.min_abi_minor));
  }
  if (p.allowed_vmpl.count(r.vmpl()) == 0) {
    std::string allowed;
    for (uint32_t v : p.allowed_vmpl) allowed += (allowed.empty() ? "" : ", ") + std::to_string(v);
    return bad("VMPL " + std::to_string(r.vmpl()) + " is not in {" + allowed + "}");
  }
  if (r.guest_svn() < p.min_guest_svn)
    return bad("GUEST_SVN " + std::to_string(r.guest_svn()) + " is below " +
               std::to_string(p.min_guest_svn));
  struct Expected {
    const char* name;
    const std::optional<std::string>& want;
    std::string_view got;
  };
  const Expected expected[] = {
      {"HOST_DATA", p.host_data, r.host_data()},
      {"FAMILY_ID", p.family_id, r.family_id()},
      {"IMAGE_ID", p.image_id, r.image_id()},
      {"ID_KEY_DIGEST", p.id_key_digest, r.id_key_digest()},
      {"AUTHOR_KEY_DIGEST", p.author_key_digest, r.author_key_digest()},
  };
  for (const Expected& e : expected) {
    if (e.want && *e.want != e.got)
      return bad(std::string(e.name) + " is " + hex_encode(e.got) + ", not " + hex_encode(*e.want));
  }
  return SnpCheck::pass();
}

SnpCheck check_tcb(const SnpReport& r, const SnpPolicy& p, SnpProduct product) {
  auto bad = [](std::string d) { return fail("tcb", std::move(d)); };
  const SnpTcb reported = SnpTcb::from_raw(r.reported_tcb_raw(), product);
  const SnpTcb current = SnpTcb::from_raw(r.current_tcb_raw(), product);
  const SnpTcb committed = SnpTcb::from_raw(r.committed_tcb_raw(), product);
  if (auto it = p.min_tcb.find(product); it != p.min_tcb.end() && !reported.at_least(it->second))
    return bad("REPORTED_TCB (" + reported.to_string() + ") is below the minimum (" +
               it->second.to_string() + ")");
  if (!current.at_least(reported))
    return bad("REPORTED_TCB (" + reported.to_string() + ") is above CURRENT_TCB (" +
               current.to_string() + ")");
  const bool provisional_ok = p.allow_provisional_firmware;
  if (provisional_ok ? !current.at_least(committed) : !(committed == current))
    return bad("COMMITTED_TCB (" + committed.to_string() + ") " +
               (provisional_ok ? "is above" : "differs from") + " CURRENT_TCB (" +
               current.to_string() + ")");
  if (r.current_firmware() < p.min_firmware)
    return bad("firmware " + firmware_text(r.current_firmware()) + " is below " +
               firmware_text(p.min_firmware));
  if (!provisional_ok && r.committed_firmware() != r.current_firmware())
    return bad("committed firmware " + firmware_text(r.committed_firmware()) +
               " differs from the current " + firmware_text(r.current_firmware()));
  return SnpCheck::pass();
}

// A launch-configuration value as compared: lower-case hex, or a decimal
// integer as text.
std::string canonical_value(const std::string& v) {
  std::string out = v;
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

SnpCheck check_software(const SnpEvidence& e, const SnpPolicy& p) {
  if (p.trusted.empty()) return SnpCheck::pass();
  if (!e.local_hashes)
    return fail("untrusted-software", "the attestation names no local hashes to compare");
  for (const auto& entry : p.trusted) {
    bool all = true;
    for (const std::string& key : p.enforced_keys) {
      auto want = entry.find(key);
      auto got = e.local_hashes->find(key);
      if (want == entry.end() || got == e.local_hashes->end() ||
          canonical_value(want->second) != canonical_value(got->second)) {
        all = false;
        break;
      }
    }
    if (all) return SnpCheck::pass();
  }
  return fail("untrusted-software",
              "no trusted launch configuration has these local hashes (compared: every "
              "enforced key)");
}

std::optional<uint32_t> small_integer(const std::map<std::string, std::string>& m, const char* key,
                                      std::string* why) {
  auto it = m.find(key);
  if (it == m.end()) {
    *why = std::string("local-hashes has no ") + key;
    return std::nullopt;
  }
  const std::string& s = it->second;
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), ::isdigit)) {
    *why = std::string("local-hashes ") + key + " is not a small integer";
    return std::nullopt;
  }
  return static_cast<uint32_t>(std::stoul(s));
}

std::optional<std::string> digest_of(const std::map<std::string, std::string>& m, const char* key,
                                     size_t bytes, std::string* why) {
  auto it = m.find(key);
  if (it == m.end()) {
    *why = std::string("local-hashes has no ") + key;
    return std::nullopt;
  }
  std::string raw;
  try {
    raw = hex_decode(it->second);
  } catch (const std::exception&) {
    raw.clear();
  }
  if (raw.size() != bytes) {
    *why =
        std::string("local-hashes ") + key + " is not " + std::to_string(2 * bytes) + " hex digits";
    return std::nullopt;
  }
  return raw;
}

SnpCheck check_measurement(const SnpReport& r, const SnpEvidence& e, const SnpPolicy& p) {
  const std::string measured = hex_encode(r.measurement());
  if (!e.local_hashes) {
    if (p.trusted_measurements.empty() || p.trusted_measurements.count(measured) != 0)
      return SnpCheck::pass();
    return fail("measurement-invalid",
                "MEASUREMENT " + measured + " is not one of the trusted measurements");
  }
  const auto& lh = *e.local_hashes;
  std::string why;
  LaunchInputs in;
  std::optional<std::string> firmware = digest_of(lh, "firmware", 48, &why);
  if (!firmware) return fail("measurement-invalid", why);
  auto profile = p.ovmf_profiles.find(hex_encode(*firmware));
  if (profile == p.ovmf_profiles.end())
    return fail("unknown-firmware",
                "no OVMF profile is configured for firmware " + hex_encode(*firmware));
  in.firmware = *firmware;
  std::optional<uint32_t> vcpus = small_integer(lh, "vcpus", &why);
  std::optional<uint32_t> type = vcpus ? small_integer(lh, "vcpu_type", &why) : std::nullopt;
  std::optional<uint32_t> vmm = type ? small_integer(lh, "vmm_type", &why) : std::nullopt;
  std::optional<uint32_t> features = vmm ? small_integer(lh, "guest_features", &why) : std::nullopt;
  if (!features) return fail("measurement-invalid", why);
  in.vcpus = *vcpus;
  in.vcpu_type = *type;
  in.vmm = static_cast<SnpVmm>(*vmm);
  in.guest_features = *features;
  for (auto [key, into] : {std::pair{"kernel", &in.kernel}, std::pair{"initrd", &in.initrd},
                           std::pair{"append", &in.append}}) {
    if (lh.count(key) == 0) continue;
    std::optional<std::string> d = digest_of(lh, key, 32, &why);
    if (!d) return fail("measurement-invalid", why);
    *into = *d;
  }
  std::optional<std::string> digest = launch_digest(in, profile->second, &why);
  if (!digest) return fail("measurement-invalid", "the launch digest cannot be computed: " + why);
  if (*digest != r.measurement())
    return fail("measurement-invalid", "MEASUREMENT " + measured +
                                           " is not the launch digest of the local hashes (" +
                                           hex_encode(*digest) + ")");
  if (!p.trusted_measurements.empty() && p.trusted_measurements.count(measured) == 0)
    return fail("measurement-invalid",
                "MEASUREMENT " + measured + " is not one of the trusted measurements");
  return SnpCheck::pass();
}

}  // namespace

bool snp_signature_verifies(const SnpReport& report, void* vcek_key) {
  const std::string digest = sha384(report.signed_part());
  const std::string r = report.signature_r();
  const std::string s = report.signature_s();
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* br = BN_bin2bn(reinterpret_cast<const unsigned char*>(r.data()), 48, nullptr);
  BIGNUM* bs = BN_bin2bn(reinterpret_cast<const unsigned char*>(s.data()), 48, nullptr);
  if (sig == nullptr || br == nullptr || bs == nullptr || ECDSA_SIG_set0(sig, br, bs) != 1) {
    BN_free(br);
    BN_free(bs);
    ECDSA_SIG_free(sig);
    return false;
  }
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);  // owns br and bs
  if (der_len <= 0) return false;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(static_cast<EVP_PKEY*>(vcek_key), nullptr);
  const bool ok =
      ctx != nullptr && EVP_PKEY_verify_init(ctx) == 1 &&
      EVP_PKEY_verify(ctx, der, static_cast<size_t>(der_len),
                      reinterpret_cast<const unsigned char*>(digest.data()), digest.size()) == 1;
  EVP_PKEY_CTX_free(ctx);
  OPENSSL_free(der);
  return ok;
}

SnpVerdict verify_snp_report(const SnpEvidence& e, const SnpPolicy& p, int64_t unix_seconds) {
  SnpVerdict v;
  std::string why;
  v.report = SnpReport::parse(e.report, &why, p.allow_vlek);
  if (!v.report) {
    v.check = fail("report-format", why);
    return v;
  }
  const SnpReport& r = *v.report;
  if (e.expected_report_data && *e.expected_report_data != r.report_data()) {
    v.check =
        fail("report-data-mismatch", "REPORT_DATA is " + hex_encode(r.report_data()) +
                                         ", the binding is " + hex_encode(*e.expected_report_data));
    return v;
  }
  // The product decides the TCB layout: the VCEK says it, else a v3+
  // report's CPUID, else the policy.
  std::optional<AmdCertificate> vcek = e.vcek;
  if (!vcek && !e.vcek_cache.empty()) vcek = find_cached_vcek(e.vcek_cache, r, p.product);
  std::optional<VcekFacts> facts;
  std::string facts_why;
  if (vcek) facts = read_vcek_facts(*vcek, &facts_why);
  if (facts && facts->product) {
    v.product = *facts->product;
  } else if (r.product_from_cpuid() != SnpProduct::kUnknown) {
    v.product = r.product_from_cpuid();
  } else if (p.product) {
    v.product = *p.product;
  }
  if (SnpCheck c = check_policy(r, p); !c.ok()) return v.check = c, v;
  if (SnpCheck c = check_tcb(r, p, v.product); !c.ok()) return v.check = c, v;
  if (SnpCheck c = check_software(e, p); !c.ok()) return v.check = c, v;
  if (SnpCheck c = check_measurement(r, e, p); !c.ok()) return v.check = c, v;

  if (!vcek) {
    std::string detail =
        "no VCEK: attach it to the attestation (`vcek`), pass it (--vcek FILE) or put it in "
        "the VCEK cache (docs/attestation.md)";
    if (v.product != SnpProduct::kUnknown)
      detail += "; AMD's KDS serves it at " + kds_vcek_url(r, v.product);
    v.check = fail("cert-chain", detail);
    return v;
  }
  std::optional<AmdProductChain> chain;
  if (e.ask && e.ark) {
    chain = AmdProductChain{*e.ask, *e.ark};
  } else if (v.product != SnpProduct::kUnknown) {
    chain = built_in_chain(v.product);
  }
  if (!chain) {
    v.check = fail("cert-chain",
                   "the product line is unknown (the VCEK names none and the "
                   "report is v2): configure `product` or pass the chain");
    return v;
  }
  if (SnpCheck c = check_chain(chain->ark, chain->ask, *vcek, unix_seconds, p.anchors); !c.ok())
    return v.check = c, v;

  if (!facts) {
    v.check = fail("vcek-binding", facts_why);
    return v;
  }
  const SnpTcb reported = SnpTcb::from_raw(r.reported_tcb_raw(), v.product);
  if (!(facts->tcb == reported)) {
    v.check =
        fail("vcek-binding", "the VCEK is for TCB (" + facts->tcb.to_string() +
                                 "), the report's REPORTED_TCB is (" + reported.to_string() + ")");
    return v;
  }
  const std::string_view chip = r.chip_id().substr(0, facts->hwid.size());
  if (all_zero(r.chip_id())) {
    if (!p.allow_masked_chip_id) {
      v.check = fail("vcek-binding", "CHIP_ID is masked, so the VCEK cannot be bound to the chip");
      return v;
    }
  } else if (chip != facts->hwid) {
    v.check = fail("vcek-binding", "the VCEK is for chip " + hex_encode(facts->hwid) +
                                       ", the report's CHIP_ID is " + hex_encode(chip));
    return v;
  }
  std::shared_ptr<void> key = vcek_public_key(*vcek);
  if (key == nullptr || !snp_signature_verifies(r, key.get())) {
    v.check = fail("report-signature",
                   "the report's ECDSA P-384 signature does not verify "
                   "under the VCEK");
    return v;
  }
  v.check = SnpCheck::pass();
  return v;
}

namespace {

// A message value as launch-configuration text.
std::optional<std::string> value_text(const Value& v) {
  if (v.is_binary()) return std::string(v.as_binary());
  if (v.is_integer()) return std::to_string(v.as_integer());
  return std::nullopt;
}

// 32 bytes from a 43-character ID (or 32 raw bytes).
std::optional<std::string> native_id(std::string_view id) {
  if (id.size() == 32) return std::string(id);
  if (id.size() != 43) return std::nullopt;
  try {
    std::string raw = base64_decode(id);
    if (raw.size() == 32) return raw;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// 32 bytes from base64url text of 32 bytes; nullopt otherwise.
std::optional<std::string> bytes32(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  std::string raw;
  try {
    raw = base64_decode(*text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (raw.size() != 32) return std::nullopt;
  return raw;
}

// The REPORT_DATA an attestation of profile hashpath-snp/1 must carry, after
// checking what it claims: `signer-key` is `address`'s RSA key, and
// `checkpoint` is a note that key signed for the log `address` keeps, of
// `tree-size` and `root-hash`.
std::optional<std::string> hashpath_binding_of(const Message& m, const std::string& address,
                                               std::optional<Checkpoint>* head, std::string* why) {
  std::string key;
  try {
    key = base64_decode(m.text("signer-key").value_or(""));
  } catch (const std::exception&) {
    key.clear();
  }
  if (key.empty()) {
    *why = "the attestation has no `signer-key`";
    return std::nullopt;
  }
  HashpathSnpBinding b;
  b.key_type = 1;  // RSA-4096: the key ID is the address
  b.key_id = sha256(key);
  if (base64url_encode(b.key_id) != address) {
    *why = "`signer-key` is not the key of `address` " + address;
    return std::nullopt;
  }
  SignedNote note;
  Checkpoint cp;
  try {
    note = SignedNote::parse(base64_decode(m.text("checkpoint").value_or("")));
    cp = Checkpoint::parse_body(note.body);
  } catch (const std::exception& e) {
    *why = std::string("`checkpoint` is not a signed checkpoint: ") + e.what();
    return std::nullopt;
  }
  const std::string origin = "hashpath/" + address;
  if (cp.origin != origin || !note.verified_by(NoteVerifier{origin, KeyType::kRsa, key})) {
    *why = "`checkpoint` is not signed by `signer-key` for the log " + origin;
    return std::nullopt;
  }
  const std::optional<int64_t> size = m.integer("tree-size");
  const std::optional<std::string> root = bytes32(m.text("root-hash"));
  if (!size || *size < 0 || static_cast<uint64_t>(*size) != cp.size || !root ||
      *root != std::string(cp.root.begin(), cp.root.end())) {
    *why = "`tree-size` and `root-hash` are not the checkpoint's";
    return std::nullopt;
  }
  b.log_id = sha256(origin);
  b.tree_size = cp.size;
  b.root = *root;
  const std::optional<int64_t> time = m.integer("sth-timestamp");
  if (!time || *time < 0) {
    *why = "the attestation has no `sth-timestamp`";
    return std::nullopt;
  }
  b.sth_timestamp_ms = static_cast<uint64_t>(*time);
  b.node_message_id = m.contains("node-message-id")
                          ? bytes32(m.text("node-message-id")).value_or("")
                          : std::string(32, '\0');
  b.challenge =
      m.contains("challenge") ? bytes32(m.text("challenge")).value_or("") : std::string(32, '\0');
  if (b.node_message_id.size() != 32 || b.challenge.size() != 32) {
    *why = "`node-message-id` and `challenge` must be 32-byte IDs";
    return std::nullopt;
  }
  *head = cp;
  return b.report_data();
}

}  // namespace

SnpVerdict verify_snp_message(const Message& m, const SnpPolicy& p, int64_t unix_seconds,
                              const std::optional<AmdCertificate>& vcek,
                              const std::string& vcek_cache) {
  SnpVerdict v;
  // message-signature: signed, every commitment verifies, `address` signed.
  const std::optional<std::string> address = m.text("address");
  if (!address) {
    v.check = fail("message-signature", "the attestation names no `address`");
    return v;
  }
  std::vector<CommitmentCheck> checks = check_commitments(m);
  bool signed_by_address = false;
  for (const CommitmentCheck& c : checks) {
    if (!c.verdict.is_ok()) {
      v.check = fail("message-signature",
                     "commitment " + c.id + " does not verify: " + c.verdict.reason());
      return v;
    }
    signed_by_address = signed_by_address || c.committer == *address;
  }
  if (!signed_by_address) {
    v.check = fail("message-signature", "`address` " + *address + " did not sign the attestation");
    return v;
  }

  SnpEvidence e;
  std::string why;
  if (std::optional<std::string> raw = m.text("report-raw")) {
    try {
      e.report = base64_decode(*raw);
    } catch (const std::exception&) {
      v.check = fail("report-format", "report-raw is not base64url");
      return v;
    }
  } else if (std::optional<std::string> json = m.text("report")) {
    nlohmann::json j = nlohmann::json::parse(*json, nullptr, false);
    std::optional<std::string> raw = SnpReport::raw_from_hyperbeam_json(j, &why);
    if (!raw) {
      v.check = fail("report-format", j.is_discarded() ? "`report` is not JSON" : why);
      return v;
    }
    e.report = std::move(*raw);
  } else {
    v.check = fail("report-format", "the attestation has neither `report-raw` nor `report`");
    return v;
  }

  const std::optional<std::string> profile = m.text("attestation-profile");
  if (profile == HashpathSnpBinding::kProfile || profile == HashpathSnpBinding::kSimulatedProfile) {
    std::optional<Checkpoint> head;
    std::optional<std::string> data = hashpath_binding_of(m, *address, &head, &why);
    if (!data) {
      v.check = fail("report-data-mismatch", why);
      return v;
    }
    e.expected_report_data = *data;
    v.attested_head = head;
  } else if (profile) {
    v.check = fail("report-data-mismatch", "attestation-profile '" + *profile + "' is not known");
    return v;
  } else {
    // HyperBEAM's binding: REPORT_DATA = address ‖ node-message ID (= nonce).
    std::optional<std::string> node_message_id;
    if (const Value* nm = m.find("node-message"); nm != nullptr && nm->is_map()) {
      node_message_id = message_id(*nm, IdScope::kUnsigned);
    } else {
      node_message_id = m.text("node-message-id");
    }
    std::optional<std::string> a = native_id(*address);
    std::optional<std::string> n = node_message_id ? native_id(*node_message_id) : std::nullopt;
    if (!a || !n) {
      v.check = fail("report-data-mismatch",
                     !a ? "`address` is not a 32-byte ID"
                        : "the attestation has no `node-message` or `node-message-id` to bind");
      return v;
    }
    e.expected_report_data = *a + *n;
    if (std::optional<std::string> nonce = m.text("nonce")) {
      std::string decoded;
      try {
        decoded = base64_decode(*nonce);
      } catch (const std::exception&) {
      }
      if (decoded != *e.expected_report_data) {
        v.check = fail("report-data-mismatch", "`nonce` is not address ‖ node-message ID (" +
                                                   hex_encode(*e.expected_report_data) + ")");
        return v;
      }
    }
  }
  if (std::optional<std::string> text = m.text("cert-chain")) {
    std::string pem;
    try {
      pem = base64_decode(*text);
    } catch (const std::exception&) {
    }
    std::vector<AmdCertificate> chain = AmdCertificate::parse_bundle(pem, &why);
    if (chain.size() != 2) {
      v.check = fail("cert-chain", "`cert-chain` must hold the ASK then the ARK (PEM, base64url)");
      return v;
    }
    e.ask = chain[0];
    e.ark = chain[1];
  }
  if (const Value* lh = m.find("local-hashes"); lh != nullptr && lh->is_map()) {
    std::map<std::string, std::string> hashes;
    for (const auto& [k, val] : lh->as_map()) {
      if (std::optional<std::string> t = value_text(val)) hashes[k] = *t;
    }
    e.local_hashes = std::move(hashes);
  }
  // The VCEK: the message's own, else the caller's, else the cache.
  if (std::optional<std::string> der = m.text("vcek")) {
    std::string raw;
    try {
      raw = base64_decode(*der);
    } catch (const std::exception&) {
    }
    e.vcek = AmdCertificate::parse(raw, &why);
    if (!e.vcek) {
      v.check = fail("cert-chain", "`vcek` is not a certificate: " + why);
      return v;
    }
  } else {
    e.vcek = vcek;
  }
  e.vcek_cache = vcek_cache;
  std::optional<Checkpoint> head = v.attested_head;
  v = verify_snp_report(e, p, unix_seconds);
  if (v.ok()) v.attested_head = head;
  return v;
}

}  // namespace hashpath
