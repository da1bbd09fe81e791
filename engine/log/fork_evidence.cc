#include "engine/log/fork_evidence.h"

#include <nlohmann/json.hpp>

#include "engine/crypto/address.h"
#include "engine/crypto/base64.h"
#include "engine/error.h"

namespace hashpath {
namespace {

constexpr const char* kFormat = "hashpath-fork-evidence/v1";

std::string b64(const MerkleHash& h) { return base64_encode(to_string(h)); }

// `value` (named `what` in errors) as a base64 SHA-256 hash.
MerkleHash hash_of(const nlohmann::json& value, const std::string& what) {
  std::optional<MerkleHash> h;
  if (value.is_string()) {
    try {
      h = merkle_hash_from(base64_decode(value.get<std::string>()));
    } catch (const Error&) {
    }
  }
  if (!h) throw LogFormatError("fork evidence: '" + what + "' is not a base64 SHA-256 hash");
  return *h;
}

MerkleHash hash_field(const nlohmann::json& j, const std::string& name) {
  if (!j.contains(name)) throw LogFormatError("fork evidence: '" + name + "' is missing");
  return hash_of(j[name], name);
}

std::vector<MerkleHash> proof_field(const nlohmann::json& j, const std::string& name) {
  if (!j.contains(name) || !j[name].is_array())
    throw LogFormatError("fork evidence: '" + name + "' is missing or not a list");
  if (j[name].size() > 64) throw LogFormatError("fork evidence: '" + name + "' is too long");
  std::vector<MerkleHash> out;
  for (size_t i = 0; i < j[name].size(); ++i) {
    out.push_back(hash_of(j[name][i], name + "[" + std::to_string(i) + "]"));
  }
  return out;
}

std::string text_field(const nlohmann::json& j, const std::string& name) {
  if (!j.contains(name) || !j[name].is_string())
    throw LogFormatError("fork evidence: '" + name + "' is missing or not a string");
  return j[name].get<std::string>();
}

std::string wallet_address(const NoteVerifier& v) {
  return v.type == KeyType::kRsa ? arweave_address(v.public_key) : ethereum_address(v.public_key);
}

}  // namespace

std::string ForkEvidence::to_json() const {
  nlohmann::json j;
  j["format"] = kFormat;
  j["origin"] = origin;
  if (signer_vkey) {
    j["signer"] = {{"vkey", signer_vkey->vkey()}};
  } else if (signer_wallet) {
    j["signer"] = {{"key-type", key_type_name(signer_wallet->type)},
                   {"public-key", base64url_encode(signer_wallet->public_key)}};
  }
  j["first"] = first;
  j["second"] = second;
  if (second_prefix) {
    nlohmann::json c;
    c["root"] = b64(second_prefix->root);
    c["consistency-proof"] = nlohmann::json::array();
    for (const auto& h : second_prefix->consistency_proof) c["consistency-proof"].push_back(b64(h));
    j["second-prefix"] = c;
  }
  j["found-by"] = found_by;
  return j.dump(2) + "\n";
}

ForkEvidence ForkEvidence::from_json(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw LogFormatError("fork evidence: not a JSON object");
  if (!j.contains("format") || j["format"] != kFormat)
    throw LogFormatError(std::string("fork evidence: 'format' is not ") + kFormat);
  ForkEvidence e;
  e.origin = text_field(j, "origin");
  if (!j.contains("signer") || !j["signer"].is_object())
    throw LogFormatError("fork evidence: 'signer' is missing");
  const nlohmann::json& s = j["signer"];
  if (s.contains("vkey")) {
    e.signer_vkey = Ed25519NoteKey::parse_vkey(text_field(s, "vkey"));
  } else {
    std::string type = text_field(s, "key-type");
    NoteVerifier v;
    v.name = e.origin;
    if (type == "rsa") {
      v.type = KeyType::kRsa;
    } else if (type == "secp256k1") {
      v.type = KeyType::kSecp256k1;
    } else {
      throw LogFormatError("fork evidence: unknown key-type '" + type + "'");
    }
    try {
      v.public_key = base64_decode(text_field(s, "public-key"));
    } catch (const CodecError&) {
      throw LogFormatError("fork evidence: the signer's public-key is not base64");
    }
    e.signer_wallet = std::move(v);
  }
  e.first = text_field(j, "first");
  e.second = text_field(j, "second");
  if (j.contains("second-prefix")) {
    const nlohmann::json& c = j["second-prefix"];
    if (!c.is_object()) throw LogFormatError("fork evidence: second-prefix is not an object");
    e.second_prefix = TreePrefix{hash_field(c, "root"), proof_field(c, "consistency-proof")};
  }
  if (j.contains("found-by") && j["found-by"].is_string()) e.found_by = j["found-by"];
  return e;
}

ForkVerdict check_fork_evidence(const ForkEvidence& e) {
  auto no = [](std::string why) { return ForkVerdict{false, std::move(why)}; };
  auto yes = [](std::string how) { return ForkVerdict{true, std::move(how)}; };
  try {
    std::string signer;
    if (e.signer_vkey) {
      if (e.signer_vkey->name != e.origin)
        return no("the signer key is named " + e.signer_vkey->name + ", not the origin " +
                  e.origin);
      signer = "the key " + e.signer_vkey->vkey();
    } else if (e.signer_wallet) {
      std::string address = wallet_address(*e.signer_wallet);
      if (e.origin != "hashpath/" + address)
        return no("the signer's wallet is " + address + "'s, not the origin's (" + e.origin + ")");
      signer = "the wallet of " + address;
    } else {
      return no("no signer");
    }
    Checkpoint c[2];
    const std::string* notes[2] = {&e.first, &e.second};
    for (int i = 0; i < 2; ++i) {
      const char* which = i == 0 ? "first" : "second";
      SignedNote n = SignedNote::parse(*notes[i]);
      c[i] = Checkpoint::parse_body(n.body);
      if (c[i].origin != e.origin)
        return no(std::string("the ") + which + " checkpoint is of " + c[i].origin);
      NoteVerifier wallet = e.signer_wallet ? *e.signer_wallet : NoteVerifier{};
      wallet.name = e.origin;
      bool ok = e.signer_vkey ? signed_by_ed25519(n, *e.signer_vkey) : n.verified_by(wallet);
      if (!ok) return no(std::string("the ") + which + " checkpoint is not signed by " + signer);
    }
    if (c[0].size == c[1].size && c[0].root != c[1].root) {
      return yes("two checkpoints of size " + std::to_string(c[0].size) +
                 " with different roots, both signed by " + signer);
    }
    if (e.second_prefix) {
      const TreePrefix& p = *e.second_prefix;
      if (c[0].size >= c[1].size)
        return no("a second-prefix needs the first checkpoint to be the smaller");
      if (!verify_consistency(c[0].size, c[1].size, p.root, c[1].root, p.consistency_proof))
        return no("the second-prefix consistency proof does not verify to the second root");
      if (p.root == c[0].root) return no("the second tree extends the first: they are consistent");
      return yes("checkpoint " + std::to_string(c[1].size) + "'s tree, cut at size " +
                 std::to_string(c[0].size) + ", has another root than checkpoint " +
                 std::to_string(c[0].size) + ": both signed by " + signer);
    }
    return no(
        "the two checkpoints do not contradict each other on their own (different sizes and "
        "no second-prefix proof)");
  } catch (const Error& err) {
    return no(err.what());
  }
}

}  // namespace hashpath
