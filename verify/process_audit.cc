#include "verify/process_audit.h"

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/codec/commitments.h"
#include "engine/codec/message_id.h"
#include "engine/log/log_entry.h"

namespace hashpath {
namespace {

std::string text_at(const Message& m, std::string_view key) {
  const Value* v = m.find(key);
  if (v == nullptr) return {};
  if (v->is_binary()) return std::string(v->as_binary());
  if (v->is_integer()) return std::to_string(v->as_integer());
  if (v->is_atom()) return v->as_atom();
  return {};
}

Message map_at(const Message& m, std::string_view key) {
  const Value* v = m.find(key);
  return v != nullptr ? as_message(*v) : Message{};
}

// Root keys whose value the slot added or changed (bookkeeping left out).
std::vector<std::string> patched_keys(const Message& before, const Message& after) {
  static const std::vector<std::string> kIgnored = {"results",
                                                    "at-slot",
                                                    "device",
                                                    "process",
                                                    "previous-device",
                                                    "previous-input-prefix",
                                                    "previous-output-prefix",
                                                    "input-prefix",
                                                    "output-prefix",
                                                    "device-key",
                                                    "pass"};
  std::vector<std::string> out;
  for (const auto& [k, v] : after) {
    if (std::find(kIgnored.begin(), kIgnored.end(), k) != kIgnored.end()) continue;
    const Value* old = before.find(k);
    if (old == nullptr || !(*old == v)) out.push_back(k);
  }
  return out;
}

}  // namespace

ProcessAudit audit_process(LogDatabase& db, Store& store, const std::string& pid) {
  ProcessAudit audit;
  audit.process = pid;
  // Which entries had each request: one pass over the log.
  std::map<std::string, std::vector<uint64_t>> by_request;
  db.for_each_entry([&](const StoredEntry& row) {
    LogEntry e = LogEntry::decode(row.entry);
    by_request[id_from_bytes(e.req)].push_back(e.seq);
    return true;
  });
  std::vector<std::pair<uint64_t, std::string>> checkpoints = db.checkpoints();

  // Slot 0 is compared with the definition, so it shows what the spawn added.
  Message previous;
  if (std::optional<Value> d = get_full(store, pid); d && d->is_map()) previous = d->as_map();
  for (int64_t s = 0;; ++s) {
    std::string prefix = pid + "/" + std::to_string(s);
    std::optional<Value> assignment = get_full(store, "assignments/" + prefix);
    if (!assignment || !assignment->is_map()) break;
    const Message& a = assignment->as_map();
    AuditedSlot slot;
    slot.slot = s;
    slot.assignment = message_id(*assignment, IdScope::kSigned);
    slot.timestamp = a.integer("timestamp").value_or(0);
    Message body = map_at(a, "body");
    slot.message = message_id(Value(body), IdScope::kSigned);
    slot.action = text_at(body, "action");
    for (const CommitmentCheck& c : check_commitments(body)) {
      if (c.verdict.is_ok() && !c.committer.empty()) {
        slot.from = c.committer;
        break;
      }
    }
    if (std::optional<Value> state = get_full(store, "process-state/" + prefix);
        state && state->is_map()) {
      const Message& st = state->as_map();
      slot.computed = true;
      slot.state = message_id(*state, IdScope::kUnsigned);
      Message results = map_at(st, "results");
      slot.output = text_at(map_at(results, "output"), "data");
      if (const Value* e = results.find("error")) {
        slot.error = e->is_map() ? text_at(e->as_map(), "body") : text_at(results, "error");
      }
      for (const auto& [k, m] : map_at(results, "outbox")) {
        (void)k;
        Message out = as_message(m);
        slot.outbox.push_back(text_at(out, "target") + " " + text_at(out, "action"));
      }
      slot.patched = patched_keys(previous, st);
      previous = st;
    }
    if (auto it = by_request.find(slot.assignment); it != by_request.end()) {
      slot.entries = it->second;
      uint64_t last = slot.entries.back();
      for (const auto& [size, note] : checkpoints) {
        (void)note;
        if (size > last && (!slot.checkpoint || size < *slot.checkpoint)) slot.checkpoint = size;
      }
    }
    audit.slots.push_back(std::move(slot));
  }
  return audit;
}

std::string audit_to_json(const ProcessAudit& audit) {
  nlohmann::json slots = nlohmann::json::array();
  for (const AuditedSlot& s : audit.slots) {
    nlohmann::json j{
        {"slot", s.slot},           {"assignment", s.assignment}, {"message", s.message},
        {"from", s.from},           {"action", s.action},         {"timestamp", s.timestamp},
        {"computed", s.computed},   {"state", s.state},           {"output", s.output},
        {"error", s.error},         {"outbox", s.outbox},         {"patched", s.patched},
        {"log-entries", s.entries}, {"checkpoint", nullptr}};
    if (s.checkpoint) j["checkpoint"] = *s.checkpoint;
    slots.push_back(std::move(j));
  }
  return nlohmann::json{{"process", audit.process}, {"slots", slots}}.dump(
             2, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

std::string audit_to_text(const ProcessAudit& a) {
  std::ostringstream out;
  out << "process " << a.process << "\n";
  for (const AuditedSlot& s : a.slots) {
    out << "slot " << s.slot << "  message " << s.message << "  from "
        << (s.from.empty() ? "(unsigned)" : s.from)
        << (s.action.empty() ? "" : "  action " + s.action) << "\n";
    out << "  assignment " << s.assignment << "  timestamp " << s.timestamp << "\n";
    if (!s.computed) {
      out << "  not computed yet\n";
      continue;
    }
    out << "  state " << s.state << "\n";
    if (!s.output.empty()) out << "  output: " << s.output << "\n";
    if (!s.error.empty()) out << "  error: " << s.error << "\n";
    for (const auto& m : s.outbox) out << "  sent: " << m << "\n";
    if (!s.patched.empty()) {
      out << "  patched:";
      for (const auto& k : s.patched) out << " " << k;
      out << "\n";
    }
    out << "  log entries:";
    for (uint64_t e : s.entries) out << " " << e;
    if (s.checkpoint) {
      out << "  (covered by checkpoint " << *s.checkpoint << ")";
    } else {
      out << "  (no checkpoint covers them yet)";
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace hashpath
