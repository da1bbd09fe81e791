#include "devices/snp.h"

#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "devices/snp_guest.h"
#include "engine/codec/message_id.h"
#include "engine/crypto/base64.h"
#include "verify/snp/snp_verifier.h"
#include "verify/snp/vcek_cache.h"

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

std::optional<SnpPolicy> load_policy(const Message& config, std::string* why) {
  const std::optional<std::string> path = config.text("snp-policy");
  if (!path) return SnpPolicy{};
  std::ifstream in(*path, std::ios::binary);
  if (!in) {
    *why = "the node's snp-policy file '" + *path + "' cannot be read";
    return std::nullopt;
  }
  std::stringstream s;
  s << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(s.str(), nullptr, false);
  if (j.is_discarded()) {
    *why = "the node's snp-policy file '" + *path + "' is not JSON";
    return std::nullopt;
  }
  std::optional<SnpPolicy> p = SnpPolicy::from_json(j, why);
  if (!p) *why = "the node's snp-policy file '" + *path + "': " + *why;
  return p;
}

}  // namespace

ResolveResult SnpDevice::call(std::string_view key, const Message&, const Message& request,
                              Resolver&) {
  if (key == "verify") return verify(request);
  if (key == "generate") return generate();
  return ResolveResult::not_found("snp@1.0 has no key " + std::string(key));
}

ResolveResult SnpDevice::verify(const Message& request) {
  const Message config = node_->config();
  std::string why;
  std::optional<SnpPolicy> policy = load_policy(config, &why);
  if (!policy) return ResolveResult::error(500, why);
  const Value* body = request.find("body");
  const Message& attestation = body != nullptr && body->is_map() ? body->as_map() : request;
  const int64_t at = request.integer("at").value_or(static_cast<int64_t>(std::time(nullptr)));
  // The message's own VCEK first; else the node's cache.
  SnpVerdict v = verify_snp_message(attestation, *policy, at);
  if (!v.ok() && v.check.code == "cert-chain" && v.report && !attestation.contains("vcek")) {
    if (std::optional<std::string> dir = config.text("snp-vcek-cache")) {
      if (std::optional<AmdCertificate> vcek = find_cached_vcek(*dir, *v.report, policy->product))
        v = verify_snp_message(attestation, *policy, at, vcek);
    }
  }
  if (!v.ok()) return rejected(v.check);
  return ResolveResult::ok(Value("true"));
}

ResolveResult SnpDevice::generate() {
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
  const uint32_t vmpl = static_cast<uint32_t>(node_->config().integer("snp-vmpl").value_or(0) & 3);
  std::string probed;
  std::optional<std::string> raw = request_snp_report(report_data, vmpl, &probed);
  if (!raw) {
    Message m{{"status", Value::integer(501)},
              {"error", Value("snp-unavailable")},
              {"detail", Value(probed)},
              {"body", Value("snp-unavailable: " + probed)}};
    return {ResolveResult::Outcome::kError, Value(std::move(m))};
  }
  std::string why;
  std::optional<SnpReport> report = SnpReport::parse(*raw, &why, true);
  if (!report)
    return ResolveResult::error(502, "the Secure Processor's report is malformed: " + why);
  if (report->report_data() != report_data)
    return ResolveResult::error(502, "the Secure Processor answered for another REPORT_DATA");
  Message out{{"address", Value(address)},
              {"nonce", Value(base64url_encode(report_data))},
              {"node-message", Value(node_message)},
              {"report", Value(report->to_hyperbeam_json().dump())},
              {"report-raw", Value(base64url_encode(*raw))}};
  return ResolveResult::ok(Value(std::move(out)));
}

}  // namespace hashpath
