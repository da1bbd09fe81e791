#include "devices/snp.h"

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "devices/snp_guest.h"
#include "engine/codec/commitments.h"
#include "engine/codec/message_id.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/hash.h"
#include "engine/error.h"
#include "engine/log/checkpoint.h"
#include "verify/snp/report_binding.h"
#include "verify/snp/simulated_snp.h"
#include "verify/snp/snp_verifier.h"

namespace hashpath {

namespace {

// 400 {error: code, detail, body: "code: detail"}.
ResolveResult rejected(const SnpCheck& c) {
  Message m{{"status", Value::integer(400)},
            {"error", Value(c.code)},
            {"detail", Value(c.detail)},
            {"body", Value(c.code + ": " + c.detail)}};
  return {ResolveResult::Outcome::kError, Value(std::move(m))};
}

}  // namespace

std::optional<SnpPolicy> node_snp_policy(const Message& config, std::string* why) {
  std::optional<SnpPolicy> p = SnpPolicy::from_file(config.text("snp-policy").value_or(""), why);
  if (!p) *why = "the node's snp-policy: " + *why;
  return p;
}

SnpDevice::SnpDevice(std::shared_ptr<NodeState> node, std::shared_ptr<HashpathLog> log)
    : node_(std::move(node)), log_(std::move(log)) {
  const Message config = node_->config();
  const std::string mode = config.text("attestation-mode").value_or("hardware");
  if (mode == "simulated") {
    if (config.text("initialized") == std::string("permanent"))
      throw Error(
          "attestation-mode simulated is refused on a permanent node (initialized: permanent)");
    simulated_ = std::make_unique<SimulatedSnp>();
  } else if (mode != "hardware") {
    throw Error("attestation-mode must be hardware or simulated, not '" + mode + "'");
  }
}

SnpDevice::~SnpDevice() = default;

ResolveResult SnpDevice::call(std::string_view key, const Message&, const Message& request,
                              Resolver&) {
  if (key == "verify") return verify(request);
  if (key == "generate") return generate(request);
  return ResolveResult::not_found("snp@1.0 has no key " + std::string(key));
}

ResolveResult SnpDevice::verify(const Message& request) {
  const Message config = node_->config();
  std::string why;
  std::optional<SnpPolicy> policy = node_snp_policy(config, &why);
  if (!policy) return ResolveResult::error(500, why);
  const Value* body = request.find("body");
  const Message& attestation = body != nullptr && body->is_map() ? body->as_map() : request;
  const int64_t at = request.integer("at").value_or(static_cast<int64_t>(std::time(nullptr)));
  // The message's own VCEK first; else the node's cache.
  SnpVerdict v = verify_snp_message(attestation, *policy, at, std::nullopt,
                                    config.text("snp-vcek-cache").value_or(""));
  if (!v.ok()) return rejected(v.check);
  return ResolveResult::ok(Value("true"));
}

ResolveResult SnpDevice::report_for(const std::string& report_data, std::string* raw) {
  if (simulated_) {
    *raw = simulated_->report(report_data, std::string(48, '\0'));
    return ResolveResult::ok(Value("ok"));
  }
  const uint32_t vmpl = static_cast<uint32_t>(node_->config().integer("snp-vmpl").value_or(0) & 3);
  std::string probed;
  std::optional<std::string> r = request_snp_report(report_data, vmpl, &probed);
  if (!r) {
    Message m{{"status", Value::integer(501)},
              {"error", Value("snp-unavailable")},
              {"detail", Value(probed)},
              {"body", Value("snp-unavailable: " + probed)}};
    return {ResolveResult::Outcome::kError, Value(std::move(m))};
  }
  std::string why;
  std::optional<SnpReport> report = SnpReport::parse(*r, &why, true);
  if (!report)
    return ResolveResult::error(502, "the Secure Processor's report is malformed: " + why);
  if (report->report_data() != report_data)
    return ResolveResult::error(502, "the Secure Processor answered for another REPORT_DATA");
  *raw = *r;
  return ResolveResult::ok(Value("ok"));
}

ResolveResult SnpDevice::generate(const Message& request) {
  if (request.text("profile") == std::string("hyperbeam")) return generate_hyperbeam();
  const Wallet& wallet = node_->wallet();
  if (wallet.type() != KeyType::kRsa)
    return ResolveResult::error(400, "hashpath-snp/1 attests RSA node keys; this node's is " +
                                         std::string(key_type_name(wallet.type())));
  if (!log_) return ResolveResult::error(409, "this node keeps no log to attest");
  std::string challenge(32, '\0');
  if (std::optional<std::string> text = request.text("challenge")) {
    std::string raw;
    try {
      raw = base64_decode(*text);
    } catch (const std::exception&) {
    }
    if (raw.size() != 32)
      return ResolveResult::error(400, "challenge must be 32 bytes, base64url (43 characters)");
    challenge = raw;
  }
  const std::string modulus = wallet.rsa().public_key().modulus();
  const SignedNote note = log_->checkpoint_now();
  const Checkpoint cp = Checkpoint::parse_body(note.body);
  const Message node_message = node_->public_config();
  const std::string node_message_id = message_id(Value(node_message), IdScope::kUnsigned);
  HashpathSnpBinding b;
  b.key_type = 1;
  b.key_id = sha256(modulus);
  b.node_message_id = base64_decode(node_message_id);
  b.log_id = sha256(cp.origin);
  b.tree_size = cp.size;
  b.root = std::string(cp.root.begin(), cp.root.end());
  // Informational: the node's clock when it signs (never an input to execution).
  b.sth_timestamp_ms =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  b.challenge = challenge;
  std::string raw;
  if (ResolveResult r = report_for(b.report_data(), &raw); !r.is_ok()) return r;
  std::string why;
  const SnpReport report = *SnpReport::parse(raw, &why, true);
  Message m{{"attestation-profile", Value(simulated_ ? HashpathSnpBinding::kSimulatedProfile
                                                     : HashpathSnpBinding::kProfile)},
            {"address", Value(wallet.address())},
            {"signer-key", Value(base64url_encode(modulus))},
            {"node-message-id", Value(node_message_id)},
            {"log-id", Value(base64url_encode(b.log_id))},
            {"tree-size", Value::integer(static_cast<int64_t>(cp.size))},
            {"root-hash", Value(base64url_encode(b.root))},
            {"sth-timestamp", Value::integer(static_cast<int64_t>(b.sth_timestamp_ms))},
            {"checkpoint", Value(base64url_encode(note.text()))},
            {"challenge", Value(base64url_encode(challenge))},
            {"report-raw", Value(base64url_encode(raw))},
            {"report", Value(report.to_hyperbeam_json().dump())}};
  if (simulated_) {
    m.set("vcek", Value(base64url_encode(simulated_->vcek().der())));
    m.set("cert-chain", Value(base64url_encode(simulated_->chain_pem())));
  }
  return ResolveResult::ok(Value(commit_with_wallet(std::move(m), wallet)));
}

ResolveResult SnpDevice::generate_hyperbeam() {
  // HyperBEAM's binding: address ‖ node-message ID, raw, 64 bytes.
  const std::string address = node_->address();
  const Message node_message = node_->public_config();
  const std::string node_message_id = message_id(Value(node_message), IdScope::kUnsigned);
  std::string a, n;
  try {
    a = base64_decode(address);
    n = base64_decode(node_message_id);
  } catch (const std::exception&) {
  }
  if (a.size() != 32 || n.size() != 32)
    return ResolveResult::error(
        400, "HyperBEAM's report binding needs a 32-byte (RSA wallet) address; this node's is " +
                 address);
  const std::string report_data = a + n;
  std::string raw;
  if (ResolveResult r = report_for(report_data, &raw); !r.is_ok()) return r;
  std::string why;
  const SnpReport report = *SnpReport::parse(raw, &why, true);
  Message out{{"address", Value(address)},
              {"nonce", Value(base64url_encode(report_data))},
              {"node-message", Value(node_message)},
              {"report", Value(report.to_hyperbeam_json().dump())},
              {"report-raw", Value(base64url_encode(raw))}};
  if (simulated_) {
    out.set("vcek", Value(base64url_encode(simulated_->vcek().der())));
    out.set("cert-chain", Value(base64url_encode(simulated_->chain_pem())));
  }
  return ResolveResult::ok(Value(commit_with_wallet(std::move(out), node_->wallet())));
}

}  // namespace hashpath
