#include "devices/green_zone.h"

#include "devices/snp.h"

#include <openssl/rand.h>

#include <chrono>
#include <ctime>

#include "engine/codec/commitments.h"
#include "engine/codec/json.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/hash.h"
#include "engine/error.h"
#include "engine/http/client.h"
#include "engine/resolve/resolver.h"
#include "verify/snp/snp_verifier.h"

namespace hashpath {

namespace {

uint64_t now_seconds() { return static_cast<uint64_t>(std::time(nullptr)); }

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw Error("greenzone@1.0: no randomness");
  return out;
}

ResolveResult refused(std::string why) { return ResolveResult::error(403, std::move(why)); }

HttpResponse json_exchange(const std::string& url, const std::string& method,
                           const std::string& target, const std::string& body) {
  HttpRequest r{method, target, {}, body, ""};
  r.headers.emplace_back("accept", "application/json");
  if (!body.empty()) r.headers.emplace_back("content-type", "application/json");
  return http_fetch(url, r, 60);
}

}  // namespace

ResolveResult GreenZoneDevice::call(std::string_view key, const Message&, const Message& request,
                                    Resolver& resolver) {
  if (key == "info") return zone_info();
  if (key == "init") return init(request);
  if (key == "challenge") return challenge();
  if (key == "join") {
    return request.contains("peer") ? join_peer(request, resolver) : admit(request);
  }
  if (key == "is_trusted") return is_trusted(request);
  // key, become: HyperBEAM exports a node's private key under the zone key
  // and installs another's. A node whose attestations bind its key to its
  // log must never let that key leave it.
  return refused(
      "greenzone@1.0 never exports or installs a node's signing key: its attestations bind it "
      "to this node's log (docs/attestation.md)");
}

bool GreenZoneDevice::signed_by_operator(const Message& request) const {
  const std::string op = node_->operator_address();
  for (const CommitmentCheck& c : check_commitments(request)) {
    if (c.verdict.is_ok() && c.committer == op) return true;
  }
  return false;
}

ResolveResult GreenZoneDevice::zone_info() {
  std::lock_guard<std::mutex> lock(mu_);
  Message m{{"initialized", Value(zone_key_ ? "true" : "false")},
            {"members", Value::integer(static_cast<int64_t>(members_.size()))}};
  if (zone_key_) m.set("zone-key-id", Value(base64url_encode(sha256(*zone_key_))));
  if (!peer_.empty()) m.set("peer", Value(peer_));
  return ResolveResult::ok(Value(std::move(m)));
}

ResolveResult GreenZoneDevice::init(const Message& request) {
  if (!signed_by_operator(request))
    return refused("greenzone@1.0 init must be signed by the node's operator");
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!zone_key_) zone_key_ = random_bytes(32);
  }
  return zone_info();
}

ResolveResult GreenZoneDevice::challenge() {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t now = now_seconds();
  for (auto it = challenges_.begin(); it != challenges_.end();) {
    it = now >= it->second + kChallengeSeconds ? challenges_.erase(it) : std::next(it);
  }
  if (challenges_.size() >= 4096) return ResolveResult::error(503, "too many open join challenges");
  const std::string c = base64url_encode(random_bytes(32));
  challenges_[c] = now;
  return ResolveResult::ok(Value(Message{{"challenge", Value(c)}}));
}

ResolveResult GreenZoneDevice::admit(const Message& request) {
  const Value* body = request.find("body");
  const Message& attestation = body != nullptr && body->is_map() ? body->as_map() : request;
  std::string why;
  std::optional<SnpPolicy> policy = node_snp_policy(node_->config(), &why);
  if (!policy) return ResolveResult::error(500, why);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!zone_key_) return ResolveResult::error(409, "this node has no zone (init first)");
  }
  SnpVerdict v = verify_snp_message(attestation, *policy, static_cast<int64_t>(now_seconds()));
  if (!v.ok())
    return refused("the joiner's attestation is rejected: " + v.check.code + ": " + v.check.detail);
  if (!v.attested_head)
    return refused("the joiner's attestation binds no key and log head (profile hashpath-snp/1)");
  // The key the zone key goes to is the one the report binds.
  std::string key;
  try {
    key = base64_decode(attestation.text("signer-key").value_or(""));
  } catch (const std::exception&) {
  }
  const std::string address = attestation.text("address").value_or("");
  const std::string challenge = attestation.text("challenge").value_or("");
  std::string sealed, zone_key_id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = challenges_.find(challenge);
    if (it == challenges_.end() || now_seconds() >= it->second + kChallengeSeconds)
      return refused(
          "the joiner's attestation is not for a challenge this node issued (stale, "
          "used or unknown)");
    challenges_.erase(it);  // single use
    sealed = RsaPublicKey::from_modulus(key).encrypt_oaep(*zone_key_);
    zone_key_id = base64url_encode(sha256(*zone_key_));
    members_[address] = now_seconds();
  }
  Message reply{{"zone-key", Value(base64url_encode(sealed))},
                {"zone-key-id", Value(zone_key_id)},
                {"node-address", Value(node_->address())}};
  return ResolveResult::ok(Value(commit_with_wallet(std::move(reply), node_->wallet())));
}

ResolveResult GreenZoneDevice::join_peer(const Message& request, Resolver& resolver) {
  if (!signed_by_operator(request))
    return refused("joining a zone must be asked by the node's operator (a signed request)");
  const std::string peer = request.text("peer").value_or("");
  const std::optional<std::string> peer_id = request.text("peer-id");
  if (peer.rfind("http://", 0) != 0 || !peer_id)
    return ResolveResult::error(400, "join needs peer=http://… and peer-id=<its address>");
  if (node_->wallet().type() != KeyType::kRsa)
    return ResolveResult::error(400,
                                "joining a zone needs an RSA node key (the zone key is "
                                "encrypted to it)");
  HttpResponse c;
  try {
    c = json_exchange(peer, "GET", "/~greenzone@1.0/challenge", "");
  } catch (const std::exception& e) {
    return ResolveResult::error(502, std::string("the peer cannot be reached: ") + e.what());
  }
  std::optional<std::string> challenge;
  try {
    if (c.status == 200) challenge = json_decode(c.body).text("challenge");
  } catch (const CodecError&) {
  }
  if (!challenge) return ResolveResult::error(502, "the peer gives no join challenge");
  // This node's attestation for the peer's challenge (itself a logged step).
  ResolveResult own =
      resolver.resolve(Message{{"device", Value("snp@1.0")}},
                       Message{{"path", Value("generate")}, {"challenge", Value(*challenge)}});
  if (!own.is_ok() || !own.value.is_map()) return own;
  HttpResponse answer;
  try {
    answer = json_exchange(peer, "POST", "/~greenzone@1.0/join", json_encode(own.value.as_map()));
  } catch (const std::exception& e) {
    return ResolveResult::error(502, std::string("the peer cannot be reached: ") + e.what());
  }
  if (answer.status != 200)
    return refused("the peer refused to admit this node (" + std::to_string(answer.status) +
                   "): " + answer.body.substr(0, 300));
  Message reply;
  try {
    reply = json_decode(answer.body);
  } catch (const CodecError& e) {
    return ResolveResult::error(502,
                                std::string("the peer's answer is not a message: ") + e.what());
  }
  bool signed_by_peer = false;
  for (const CommitmentCheck& check : check_commitments(reply)) {
    if (!check.verdict.is_ok()) return ResolveResult::error(502, "the peer's answer is forged");
    signed_by_peer = signed_by_peer || check.committer == *peer_id;
  }
  if (!signed_by_peer) return refused("the answer is not signed by the peer " + *peer_id);
  std::optional<std::string> key;
  try {
    key = node_->wallet().rsa().decrypt_oaep(base64_decode(reply.text("zone-key").value_or("")));
  } catch (const std::exception&) {
  }
  if (!key || key->size() != 32 ||
      base64url_encode(sha256(*key)) != reply.text("zone-key-id").value_or(""))
    return ResolveResult::error(502, "the zone key in the peer's answer does not open");
  {
    std::lock_guard<std::mutex> lock(mu_);
    zone_key_ = *key;
    peer_ = *peer_id;
  }
  return zone_info();
}

ResolveResult GreenZoneDevice::is_trusted(const Message& request) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const CommitmentCheck& c : check_commitments(request)) {
    if (c.verdict.is_ok() && members_.count(c.committer) != 0)
      return ResolveResult::ok(Value("true"));
  }
  return ResolveResult::ok(Value("false"));
}

}  // namespace hashpath
