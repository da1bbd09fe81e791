#include "devices/wasm/aos_json_struct.h"

#include <algorithm>
#include <sstream>

#include "engine/codec/commitments.h"
#include "engine/codec/json.h"
#include "engine/codec/message_id.h"
#include "engine/crypto/base64.h"

namespace hashpath {
namespace {

using nlohmann::ordered_json;

// A value as tag text: binaries as they are, numbers and atoms written
// out, nested messages as JSON.
std::string tag_text(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBinary:
      return std::string(v.as_binary());
    case Value::Kind::kInteger:
      return std::to_string(v.as_integer());
    case Value::Kind::kAtom:
      return v.as_atom();
    case Value::Kind::kFloat: {
      std::ostringstream s;
      s << v.as_float();
      return s.str();
    }
    case Value::Kind::kLink:
      return v.as_link().id;
    default:
      return json_encode(as_message(v));
  }
}

// The tags an ANS-104 commitment recorded as signed, if `commitment` has
// them: {"1": {name, value}, ...} in numeric order.
bool original_tags(const Message& commitment, ordered_json& out) {
  const Value* ot = commitment.find("original-tags");
  if (ot == nullptr || !ot->is_map()) return false;
  std::vector<std::pair<int64_t, ordered_json>> tags;
  for (const auto& [k, v] : ot->as_map()) {
    if (!v.is_map()) return false;
    const Value* name = v.as_map().find("name");
    const Value* value = v.as_map().find("value");
    if (name == nullptr || value == nullptr || !name->is_binary() || !value->is_binary())
      return false;
    int64_t n = 0;
    for (char c : k) n = n * 10 + (c >= '0' && c <= '9' ? c - '0' : 0);
    tags.emplace_back(n, ordered_json{{"name", std::string(name->as_binary())},
                                      {"value", std::string(value->as_binary())}});
  }
  std::sort(tags.begin(), tags.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  out = ordered_json::array();
  for (auto& t : tags) out.push_back(std::move(t.second));
  return true;
}

}  // namespace

std::string header_case(const std::string& key) {
  std::string out = key;
  bool start = true;
  for (char& c : out) {
    if (start && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    start = c == '-';
  }
  return out;
}

ordered_json aos_json_struct(const Message& m, const Message& signed_form) {
  static const std::vector<std::string> kFields = {"id",     "anchor",    "owner",       "data",
                                                   "target", "signature", "commitments", "body"};
  std::string owner;
  std::string signature = m.text("signature").value_or("");
  Message commitment;
  const Value* commitments = signed_form.find("commitments");
  for (const CommitmentCheck& c : check_commitments(signed_form)) {
    if (c.verdict.is_ok() && !c.committer.empty()) {
      owner = c.committer;
      if (commitments != nullptr && commitments->is_map()) {
        if (const Value* one = commitments->as_map().find(c.id); one != nullptr && one->is_map())
          commitment = one->as_map();
      }
      if (const Value* sig = commitment.find("signature"); sig != nullptr && sig->is_binary()) {
        signature = sig->as_binary().size() == 512 ? base64url_encode(sig->as_binary())
                                                   : std::string(sig->as_binary());
      }
      break;
    }
  }
  std::string data;
  bool body_as_data = false;
  if (const Value* d = m.find("data"); d != nullptr && d->is_binary()) {
    data = std::string(d->as_binary());
  } else if (const Value* b = m.find("body"); b != nullptr && b->is_binary()) {
    data = std::string(b->as_binary());
    body_as_data = true;
  }
  ordered_json tags;
  if (!original_tags(commitment, tags)) {
    tags = ordered_json::array();
    for (const auto& [k, v] : m) {  // messages iterate in key order
      if (std::find(kFields.begin(), kFields.end(), k) != kFields.end()) continue;
      tags.push_back(ordered_json{{"name", header_case(k)}, {"value", tag_text(v)}});
    }
    if (body_as_data) tags.push_back(ordered_json{{"name", "Ao-Data-Key"}, {"value", "body"}});
  }
  std::string from = m.text("from-process").value_or(owner);
  return ordered_json{{"Anchor", m.text("anchor").value_or("")},
                      {"Data", data},
                      {"From", from},
                      {"Id", message_id(Value(signed_form), IdScope::kSigned)},
                      {"Owner", owner},
                      {"Signature", signature},
                      {"Tags", std::move(tags)},
                      {"Target", m.text("target").value_or("")}};
}

}  // namespace hashpath
