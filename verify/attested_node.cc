#include "verify/attested_node.h"

#include <random>

#include "engine/codec/json.h"
#include "engine/crypto/base64.h"
#include "engine/error.h"
#include "engine/http/client.h"
#include "verify/snp/snp_verifier.h"

namespace hashpath {

namespace {

HttpResponse get_json(const std::string& url, const std::string& target, int timeout) {
  HttpRequest request{"GET", target, {}, "", ""};
  request.headers.emplace_back("accept", "application/json");  // the message as json@1.0
  return http_fetch(url, request, timeout);
}

std::optional<std::vector<MerkleHash>> hash_list(const std::string& list) {
  std::vector<MerkleHash> out;
  size_t at = 0;
  while (at < list.size()) {
    const size_t comma = list.find(',', at);
    std::optional<MerkleHash> h;
    try {
      h = merkle_hash_from(base64_decode(
          list.substr(at, comma == std::string::npos ? std::string::npos : comma - at)));
    } catch (const std::exception&) {
    }
    if (!h) return std::nullopt;
    out.push_back(*h);
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return out;
}

}  // namespace

Status fetch_node_attestation(const std::string& node_url, const SnpPolicy& policy,
                              int64_t unix_seconds, NodeAttestation* out, int timeout_seconds) {
  std::string challenge(32, '\0');
  std::random_device rd;  // a verifier's nonce: not part of any execution
  for (char& c : challenge) c = static_cast<char>(rd());
  const std::string nonce = base64url_encode(challenge);
  HttpResponse r;
  try {
    r = get_json(node_url, "/~snp@1.0/generate&challenge=" + nonce, timeout_seconds);
  } catch (const std::exception& e) {
    return Status::rejected(std::string("the node cannot be asked for an attestation: ") +
                            e.what());
  }
  if (r.status != 200)
    return Status::rejected("the node gives no attestation (" + std::to_string(r.status) +
                            "): " + r.body.substr(0, 300));
  Message m;
  try {
    m = json_decode(r.body);
  } catch (const CodecError& e) {
    return Status::rejected(std::string("the node's attestation is not a message: ") + e.what());
  }
  if (m.text("challenge") != nonce)
    return Status::rejected("the node's attestation is not for this challenge (stale or replayed)");
  SnpVerdict v = verify_snp_message(m, policy, unix_seconds);
  if (!v.ok())
    return Status::rejected("the node's attestation is rejected: " + v.check.code + ": " +
                            v.check.detail);
  if (!v.attested_head)
    return Status::rejected("the node's attestation binds no log head (hashpath-snp/1 does)");
  out->head = *v.attested_head;
  out->profile = m.text("attestation-profile").value_or("");
  return Status::ok();
}

Status check_attested_head(const std::string& node_url, const NodeAttestation& a,
                           const Checkpoint& other, int timeout_seconds) {
  if (a.head.origin != other.origin)
    return Status::rejected("the attested log " + a.head.origin + " is not " + other.origin);
  // Whichever is smaller must be a prefix of the other.
  const Checkpoint& first = a.head.size <= other.size ? a.head : other;
  const Checkpoint& second = a.head.size <= other.size ? other : a.head;
  const std::string range = std::to_string(first.size) + " to " + std::to_string(second.size);
  HttpResponse p;
  try {
    p = get_json(node_url,
                 "/~log@1.0/proof/consistency&from=" + std::to_string(first.size) +
                     "&to=" + std::to_string(second.size),
                 timeout_seconds);
  } catch (const std::exception& e) {
    return Status::rejected("no consistency proof from " + range + ": " + e.what());
  }
  std::optional<std::vector<MerkleHash>> proof;
  if (p.status == 200) {
    try {
      proof = hash_list(json_decode(p.body).text("proof").value_or(""));
    } catch (const CodecError&) {
    }
  }
  if (!proof || !verify_consistency(first.size, second.size, first.root, second.root, *proof))
    return Status::rejected("the head of size " + std::to_string(other.size) +
                            " is not consistent with the attested one of size " +
                            std::to_string(a.head.size) + " (proof from " + range + ")");
  return Status::ok();
}

}  // namespace hashpath
