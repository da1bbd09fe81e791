#include "devices/scheduler_formats.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/codec/commitments.h"
#include "engine/codec/json.h"
#include "engine/codec/message_id.h"

namespace hashpath {
namespace {

using nlohmann::ordered_json;

std::string header_case(const std::string& key) {
  std::string out = key;
  bool start = true;
  for (char& c : out) {
    if (start && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    start = c == '-';
  }
  return out;
}

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

// `m` in json-struct form; its ID and owner come from `signed_form` (the
// message as signed: an assignment is shown without its body, but its
// signature covers the body too).
ordered_json json_struct(const Message& m, const Message& signed_form) {
  static const std::vector<std::string> kFields = {"id",     "anchor",    "owner",       "data",
                                                   "target", "signature", "commitments", "body"};
  std::string owner;
  for (const CommitmentCheck& c : check_commitments(signed_form)) {
    if (c.verdict.is_ok() && !c.committer.empty()) {
      owner = c.committer;
      break;
    }
  }
  std::string data;
  if (const Value* d = m.find("data"); d != nullptr && d->is_binary()) {
    data = std::string(d->as_binary());
  } else if (const Value* b = m.find("body"); b != nullptr && b->is_binary()) {
    data = std::string(b->as_binary());
  }
  ordered_json tags = ordered_json::array();
  for (const auto& [k, v] : m) {  // messages iterate in key order
    if (std::find(kFields.begin(), kFields.end(), k) != kFields.end()) continue;
    tags.push_back(ordered_json{{"name", header_case(k)}, {"value", tag_text(v)}});
  }
  std::string from = m.text("from-process").value_or(owner);
  return ordered_json{{"Anchor", m.text("anchor").value_or("")},
                      {"Data", data},
                      {"From", from},
                      {"Id", message_id(Value(signed_form), IdScope::kSigned)},
                      {"Owner", owner},
                      {"Signature", m.text("signature").value_or("")},
                      {"Tags", std::move(tags)},
                      {"Target", m.text("target").value_or("")}};
}

}  // namespace

std::string aos2_schedule_json(const SchedulePage& page) {
  ordered_json edges = ordered_json::array();
  for (const auto& [slot, assignment] : page.assignments) {
    Message message;
    if (const Value* b = assignment.find("body"); b != nullptr && b->is_map())
      message = b->as_map();
    Message bare = assignment;
    bare.remove("body");
    edges.push_back(
        ordered_json{{"cursor", std::to_string(slot)},
                     {"node", ordered_json{{"assignment", json_struct(bare, assignment)},
                                           {"message", json_struct(message, message)}}}});
  }
  ordered_json doc{{"edges", std::move(edges)},
                   {"page_info", ordered_json{{"block-hash", page.block_hash},
                                              {"block-height", std::to_string(page.block_height)},
                                              {"has_next_page", page.has_next_page},
                                              {"process", page.process},
                                              {"timestamp", std::to_string(page.timestamp)}}}};
  return doc.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace hashpath
