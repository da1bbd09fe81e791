#include "devices/aos_result_document.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "devices/wasm/aos_json_struct.h"

namespace hashpath {
namespace {

using nlohmann::ordered_json;

std::string text_of(const Value& v) {
  if (v.is_binary()) return std::string(v.as_binary());
  if (v.is_atom()) return v.as_atom();
  if (v.is_integer()) return std::to_string(v.as_integer());
  return {};
}

// An outbox or spawn message as the legacy compute unit lists it.
ordered_json legacy_message(const Value& v) {
  const Message m = as_message(v);
  ordered_json full = aos_json_struct(m, m);
  ordered_json out = ordered_json::object();
  for (const char* field : {"Target", "Anchor", "Tags", "Data"}) out[field] = full[field];
  return out;
}

ordered_json legacy_list(const Value* v) {
  ordered_json out = ordered_json::array();
  if (v == nullptr) return out;
  if (v->is_list()) {
    for (const Value& m : v->as_list()) out.push_back(legacy_message(m));
    return out;
  }
  if (v->is_map()) {
    // {"1": m, "2": m, ...} in numeric order; numbers may be missing (the
    // messages patch@1.0 took out of an outbox leave gaps).
    std::vector<std::pair<uint64_t, const Value*>> numbered;
    for (const auto& [k, m] : v->as_map()) {
      if (!k.empty() && k.size() <= 18 && std::all_of(k.begin(), k.end(), ::isdigit))
        numbered.emplace_back(std::stoull(k), &m);
    }
    std::sort(numbered.begin(), numbered.end());
    for (const auto& [n, m] : numbered) out.push_back(legacy_message(*m));
  }
  return out;
}

// The runtime's [{processes: [pid, ...], message: id}, ...] as the legacy
// compute unit lists assignments: [{Processes, Message}, ...].
ordered_json legacy_assignments(const Value* v) {
  ordered_json out = ordered_json::array();
  if (v == nullptr || !v->is_list()) return out;
  for (const Value& a : v->as_list()) {
    if (!a.is_map()) continue;
    ordered_json entry = ordered_json::object();
    entry["Processes"] = ordered_json::array();
    if (const Value* pids = a.as_map().find("processes"); pids != nullptr && pids->is_list()) {
      for (const Value& pid : pids->as_list()) entry["Processes"].push_back(text_of(pid));
    }
    const Value* message = a.as_map().find("message");
    entry["Message"] = message != nullptr ? text_of(*message) : std::string();
    out.push_back(std::move(entry));
  }
  return out;
}

std::optional<ordered_json> lua_runtime_result(const Message& results) {
  const Value* output = results.find("output");
  const Value* outbox = results.find("outbox");
  const Value* error = results.find("error");
  if (output == nullptr && outbox == nullptr && error == nullptr) return std::nullopt;
  ordered_json r = ordered_json::object();
  ordered_json out = ordered_json::object();
  if (output != nullptr && output->is_map()) {
    for (const auto& [k, v] : output->as_map()) {
      if (v.is_atom() && (v.as_atom() == "true" || v.as_atom() == "false")) {
        out[k] = v.as_atom() == "true";
      } else {
        out[k] = text_of(v);
      }
    }
  }
  r["Output"] = out;
  r["Messages"] = legacy_list(outbox);
  r["Spawns"] = legacy_list(results.find("spawns"));
  r["Assignments"] = legacy_assignments(results.find("assignments"));
  if (error != nullptr) {
    // A failed slot's error is {status, body}; the runtime's own is text.
    const Value* body = error->is_map() ? error->as_map().find("body") : error;
    r["Error"] = body != nullptr ? text_of(*body) : std::string("error");
  }
  return r;
}

}  // namespace

std::optional<Message> aos_result_document(const Message& results) {
  std::string raw;
  if (const Value* json = results.find("json"); json != nullptr && json->is_map()) {
    std::optional<std::string> text = json->as_map().text("body");
    if (!text) return std::nullopt;
    raw = *text;
  } else if (std::optional<ordered_json> r = lua_runtime_result(results)) {
    raw = r->dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  } else {
    return std::nullopt;
  }
  return Message{{"content-type", "application/json"}, {"body", Value("{\"raw\":" + raw + "}")}};
}

}  // namespace hashpath
