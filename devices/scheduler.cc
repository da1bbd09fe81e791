#include "devices/scheduler.h"

#include "devices/scheduler_formats.h"

#include <algorithm>
#include <chrono>

#include "engine/codec/commitments.h"
#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/message_id.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/hash.h"
#include "engine/resolve/resolver.h"
#include "engine/store/store.h"

namespace hashpath {
namespace {

constexpr int64_t kMaxSlotsPerRead = 1000;

bool is_process(const Message& m) { return m.text("type").value_or("") == "Process"; }

std::string id_of(const Message& m) { return message_id(Value(m), IdScope::kSigned); }

// The process a request is about.
std::string process_id_for(const Message& base, const Message& request) {
  if (std::string t = request.text("target").value_or(""); !t.empty()) return t;
  if (is_process(request)) return id_of(request);
  if (const Value* p = base.find("process")) {
    if (p->is_map()) return id_of(p->as_map());
    if (p->is_binary()) return std::string(p->as_binary());
  }
  if (is_process(base)) return id_of(base);
  return id_of(request);
}

// What a POST schedules.
Message message_to_schedule(const Message& request) {
  std::string subject = request.text("subject").value_or("");
  if (subject == "self") return with_signed_path(request);
  if (!subject.empty()) {
    if (const Value* v = request.find(subject); v != nullptr && v->is_map()) return v->as_map();
  }
  if (const Value* body = request.find("body"); body != nullptr && body->is_map())
    return body->as_map();
  return with_signed_path(request);
}

std::vector<std::string> schedulers_of(const Message& process) {
  std::vector<std::string> out;
  auto add = [&](std::string_view s) {
    size_t start = 0;
    while (start <= s.size()) {
      size_t comma = s.find(',', start);
      std::string_view part =
          s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
      if (!part.empty()) out.emplace_back(part);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  };
  for (const char* key : {"scheduler", "scheduler-location"}) {
    const Value* v = process.find(key);
    if (v == nullptr) continue;
    if (v->is_binary()) add(v->as_binary());
    if (v->is_list()) {
      for (const Value& e : v->as_list()) {
        if (e.is_binary()) add(e.as_binary());
      }
    }
    if (!out.empty()) break;
  }
  return out;
}

std::string alias_of(const std::string& process, int64_t slot) {
  return "assignments/" + process + "/" + std::to_string(slot);
}

std::string next_chain(const std::string& previous_raw, const Message& message) {
  return sha256(previous_raw + message_id(Value(message), IdScope::kEveryCommitment));
}

ResolveResult bad(std::string reason) { return ResolveResult::error(400, std::move(reason)); }

}  // namespace

std::optional<Message> stored_assignment(Resolver& resolver, const std::string& process,
                                         int64_t slot) {
  if (resolver.store() == nullptr) return std::nullopt;
  std::optional<Value> v = get_full(*resolver.store(), alias_of(process, slot));
  if (!v || !v->is_map()) return std::nullopt;
  return v->as_map();
}

Status check_assignment(const Message& assignment, const std::string& process, int64_t slot,
                        const std::vector<std::string>& schedulers,
                        const std::string& previous_chain) {
  if (assignment.text("process").value_or("") != process)
    return Status::rejected("it is for another process");
  if (assignment.integer("slot") != slot)
    return Status::rejected("it is not for slot " + std::to_string(slot));
  bool signed_by_scheduler = false;
  for (const auto& check : check_commitments(assignment)) {
    for (const auto& s : schedulers)
      signed_by_scheduler = signed_by_scheduler || (check.verdict.is_ok() && check.committer == s);
  }
  if (!signed_by_scheduler)
    return Status::rejected("it is not signed by a scheduler of the process");
  const Value* body = assignment.find("body");
  if (body == nullptr || !body->is_map()) return Status::rejected("it has no message");
  std::string chain;
  try {
    chain = base64_decode(assignment.text("hash-chain").value_or(""));
  } catch (const std::exception&) {
    return Status::rejected("its hash-chain is not base64url");
  }
  if (chain != next_chain(previous_chain, body->as_map()))
    return Status::rejected("its hash chain does not follow the previous slot");
  return Status::ok();
}

std::shared_ptr<SchedulerDevice::Sequence> SchedulerDevice::sequence_of(
    const std::string& process) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& s = sequences_[process];
  if (!s) s = std::make_shared<Sequence>();
  return s;
}

ResolveResult SchedulerDevice::call(std::string_view key, const Message& base,
                                    const Message& request, Resolver& resolver) {
  if (key == "init" || key == "checkpoint") return ResolveResult::ok(Value(base));
  if (key == "status") {
    List processes;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [pid, s] : sequences_) processes.emplace_back(pid);
    }
    return ResolveResult::ok(Value(Message{{"address", Value(node_->address())},
                                           {"processes", Value(std::move(processes))},
                                           {"cache-control", "no-store"}}));
  }
  if (key == "next") return next(base, resolver);
  if (key == "slot") {
    std::string pid = process_id_for(base, request);
    int64_t current = current_slot(pid, resolver);
    return ResolveResult::ok(Value(Message{{"process", Value(pid)},
                                           {"current", Value::integer(current)},
                                           {"cache-control", "no-store"}}));
  }
  std::string method = request.text("method").value_or("");
  if (method == "POST") return post(base, request, resolver);
  return get(base, request, resolver);
}

Status check_node_limits(const Message& definition, const Message& config) {
  struct Limit {
    const char* key;
    const char* policy;
    int64_t default_limit;
  };
  for (const Limit& l : {Limit{"instruction-budget", "lua-max-instruction-budget", 1'000'000'000},
                         Limit{"memory-limit", "lua-max-memory", int64_t{256} << 20}}) {
    std::optional<int64_t> asked = definition.integer(l.key);
    if (!asked) continue;
    int64_t allowed = config.integer(l.policy).value_or(l.default_limit);
    if (*asked > allowed) {
      return Status::rejected("the process asks for " + std::string(l.key) + " " +
                              std::to_string(*asked) + ", more than this node allows (" + l.policy +
                              " = " + std::to_string(allowed) + ")");
    }
  }
  return Status::ok();
}

ResolveResult SchedulerDevice::post(const Message& base, const Message& request,
                                    Resolver& resolver) {
  if (resolver.store() == nullptr) return ResolveResult::error(500, "scheduler@1.0 needs a store");
  Message message = message_to_schedule(request);
  message.remove("method");
  std::string pid = is_process(message) ? id_of(message) : message.text("target").value_or("");
  if (pid.empty()) pid = process_id_for(base, request);
  if (size_t hint = pid.find('?'); hint != std::string::npos) pid.resize(hint);

  Message process;
  if (is_process(message)) {
    if (Status s = check_node_limits(message, node_->config()); !s.is_ok()) return bad(s.reason());
    if (std::shared_ptr<Device> execution =
            resolver.devices().find(message.text("execution-device").value_or(""))) {
      Message definition = load_children(*resolver.store(), Value(message)).as_map();
      if (ResolveResult r = execution->check_definition(definition, resolver); !r.is_ok()) return r;
    }
    process = message;
    resolver.store()->put(process);
  } else if (std::optional<Value> p = get_full(*resolver.store(), pid); p && p->is_map()) {
    process = p->as_map();
  } else {
    return ResolveResult::not_found("process " + pid + " is not known to this node");
  }
  std::vector<std::string> schedulers = schedulers_of(process);
  if (schedulers.empty()) return bad("No scheduler information provided.");
  bool ours = false;
  for (const auto& s : schedulers) ours = ours || s == node_->address();
  if (!ours)
    return bad("process " + pid + " is scheduled by " + schedulers.front() + ", not by this node");

  std::shared_ptr<Sequence> seq = sequence_of(pid);
  std::lock_guard<std::mutex> lock(seq->mu);  // slots are allocated one at a time
  load(*seq, pid, resolver);
  // The message's path becomes the assignment's, unless its signature
  // covers it (hbsig signs @path): then it stays, or the message would no
  // longer be the one signed.
  std::string path;
  if (std::optional<std::set<std::string>> covered = keys_every_commitment_covers(message);
      !covered || covered->count("path") == 0) {
    path = message.text("path").value_or("");
    message.remove("path");
  }
  const int64_t slot = seq->slot + 1;
  const std::string chain = next_chain(seq->chain, message);
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  Message assignment{{"path", Value(path.empty() ? "compute" : path)},
                     {"data-protocol", "ao"},
                     {"variant", "ao.N.1"},
                     {"process", Value(pid)},
                     {"epoch", "0"},
                     {"slot", Value::integer(slot)},
                     {"block-height", Value::integer(0)},
                     {"block-hash", Value(base64url_encode(std::string(32, '\0')))},
                     {"block-timestamp", Value::integer(0)},
                     {"timestamp", Value::integer(static_cast<int64_t>(now.count()))},
                     {"hash-chain", Value(base64url_encode(chain))},
                     {"body", Value(message)}};
  assignment = commit_with_wallet(std::move(assignment), node_->wallet());
  resolver.store()->put_and_alias(assignment, alias_of(pid, slot), /*by_last_id=*/true);
  seq->slot = slot;
  seq->chain = chain;
  return ResolveResult::ok(Value(std::move(assignment)));
}

void SchedulerDevice::load(Sequence& seq, const std::string& pid, Resolver& resolver) {
  if (seq.loaded) return;
  // Once per process per run: afterwards this device is the only writer.
  while (std::optional<Message> a = stored_assignment(resolver, pid, seq.slot + 1)) {
    ++seq.slot;
    seq.chain = base64_decode(a->text("hash-chain").value_or(""));
  }
  seq.loaded = true;
}

int64_t SchedulerDevice::current_slot(const std::string& pid, Resolver& resolver) {
  std::shared_ptr<Sequence> seq;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = sequences_.find(pid); it != sequences_.end()) seq = it->second;
  }
  if (!seq) {
    // Not scheduled here in this run: read the store without registering it.
    Sequence probe;
    load(probe, pid, resolver);
    if (probe.slot < 0) return -1;
    seq = sequence_of(pid);
  }
  std::lock_guard<std::mutex> lock(seq->mu);
  load(*seq, pid, resolver);
  return seq->slot;
}

ResolveResult SchedulerDevice::get(const Message& base, const Message& request,
                                   Resolver& resolver) {
  std::string pid = process_id_for(base, request);
  int64_t from = std::max<int64_t>(0, request.integer("from").value_or(0));
  int64_t last = current_slot(pid, resolver);
  int64_t to = std::min(request.integer("to").value_or(last), from + kMaxSlotsPerRead - 1);
  Message assignments;
  for (int64_t s = from; s <= to; ++s) {
    std::optional<Message> a = stored_assignment(resolver, pid, s);
    if (!a) break;  // stop at the first gap
    assignments.set(std::to_string(s), Value(std::move(*a)));
  }
  bool continues = last > to;
  std::string accept = request.text("accept").value_or("application/http");
  if (accept == "application/aos-2" || accept == "application%2Faos-2") {
    SchedulePage page;
    page.process = pid;
    page.has_next_page = continues;
    page.block_hash = base64url_encode(std::string(32, '\0'));
    for (const auto& [slot, a] : assignments)
      page.assignments.emplace_back(std::stoll(slot), a.as_map());
    std::sort(page.assignments.begin(), page.assignments.end(),
              [](const auto& x, const auto& y) { return x.first < y.first; });
    return ResolveResult::ok(Value(
        Message{{"content-type", "application/json"}, {"body", Value(aos2_schedule_json(page))}}));
  }
  return ResolveResult::ok(Value(Message{{"type", "schedule"},
                                         {"process", Value(pid)},
                                         {"continues", Value::boolean(continues)},
                                         {"assignments", Value(std::move(assignments))}}));
}

ResolveResult SchedulerDevice::next(const Message& state, Resolver& resolver) {
  const Value* p = state.find("process");
  if (p == nullptr || !p->is_map()) return bad("the state has no process definition");
  const Message& process = p->as_map();
  std::string pid = id_of(process);
  int64_t at = state.integer("at-slot").value_or(-1);
  std::string previous;
  if (at >= 0) {
    std::optional<Message> last = stored_assignment(resolver, pid, at);
    if (!last)
      return ResolveResult::not_found("the assignment of slot " + std::to_string(at) +
                                      " is missing");
    previous = base64_decode(last->text("hash-chain").value_or(""));
  }
  std::optional<Message> a = stored_assignment(resolver, pid, at + 1);
  if (!a) {
    return {ResolveResult::Outcome::kNotFound,
            Value(Message{{"status", Value::integer(404)},
                          {"body", "Requested slot not yet available in schedule."}})};
  }
  Status s = check_assignment(*a, pid, at + 1, schedulers_of(process), previous);
  if (!s.is_ok()) {
    return bad("the assignment of slot " + std::to_string(at + 1) + " is refused: " + s.reason());
  }
  return ResolveResult::ok(Value(Message{{"body", Value(std::move(*a))}}));
}

}  // namespace hashpath
