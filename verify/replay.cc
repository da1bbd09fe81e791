#include "verify/replay.h"

#include "verify/logged_request.h"
#include "verify/message_diff.h"

#include <sstream>
#include <vector>

#include "engine/codec/message_id.h"
#include "engine/codec/typed_json.h"
#include "engine/log/log_entry.h"
#include "engine/node/step_recorder.h"

namespace hashpath {
namespace {

std::optional<Message> load_message(Store& store, const std::string& raw_id) {
  std::optional<Value> v = get_full(store, id_from_bytes(raw_id));
  if (!v || !v->is_map()) return std::nullopt;
  return v->as_map();
}

// What replaying one entry found: ok, or the divergence and the diff of the
// logged and replayed results.
struct EntryReplay {
  Status verdict;
  std::string diff;
  bool oracle = false;  // checked against its recorded input, not re-run
};

EntryReplay replay_entry(const LogEntry& e, const std::string& where, Store& store,
                         const DeviceRegistry& devices, Resolver& resolver) {
  auto diverged = [&](std::string why, std::string diff = {}) {
    return EntryReplay{Status::rejected(where + ": " + why), std::move(diff)};
  };
  std::optional<Message> base(std::in_place);
  if (Status s = load_logged_base(store, e, *base); !s.is_ok()) return diverged(s.reason());
  std::optional<Message> request(std::in_place);
  if (Status s = load_logged_request(store, e, *request); !s.is_ok()) return diverged(s.reason());
  // A signed request's ID covers only its committed keys, so requests
  // differing in `path` alone share an ID: the logged key is the path.
  request->set("path", Value(e.key));
  if (e.prev != id_from_bytes(e.base)) {
    Message priv{{"hashpath", Value(e.prev)}};
    base->set("priv", Value(std::move(priv)));
  }
  std::string hashpath = step_hashpath(*base, *request, e.key);
  if (hashpath != e.hashpath) {
    return diverged("hashpath differs: logged " + e.hashpath + ", replayed " + hashpath);
  }
  std::optional<Message> logged = load_message(store, e.result);
  if (!e.inputs.empty()) {
    // An oracle read: the recorded result is the input.
    if (!logged || message_id(Value(*logged), IdScope::kUnsigned) != id_from_bytes(e.result)) {
      return diverged("the recorded oracle result is missing or altered");
    }
    return EntryReplay{Status::ok(), "", true};
  }
  if (devices.find(e.device) == nullptr)
    return diverged("device " + e.device + " is not in this build");
  ResolveOptions options;
  ResolveResult r = resolver.step(*base, *request, options);
  Message replayed = result_message(r.value);
  std::string replayed_id = message_id(Value(replayed), IdScope::kUnsigned);
  std::string status = status_name(r.status);
  if (replayed_id != id_from_bytes(e.result) || status != e.status) {
    return diverged(
        "result differs: logged " + id_from_bytes(e.result) + " (" + e.status + "), replayed " +
            replayed_id + " (" + status + ")",
        logged ? message_diff(*logged, replayed) : "(the logged result is not in the store)\n");
  }
  return EntryReplay{};
}

}  // namespace

ReplayReport replay_log(LogDatabase& db, Store& store, const DeviceRegistry& devices, uint64_t from,
                        uint64_t to) {
  ReplayReport report;
  Resolver resolver(devices, &store);
  for (const StoredEntry& row : db.entries(from, to)) {
    std::string where = "entry " + std::to_string(row.seq);
    EntryReplay one;
    try {
      LogEntry e = LogEntry::decode(row.entry);
      where = "entry " + std::to_string(e.seq) + " (" + e.device + " " + e.key + ")";
      one = replay_entry(e, where, store, devices, resolver);
    } catch (const std::exception& ex) {
      // Bytes that do not decode, a store that cannot be read.
      one.verdict = Status::rejected(where + ": " + ex.what());
    }
    if (!one.verdict.is_ok()) {
      report.verdict = one.verdict;
      report.first_divergence = row.seq;
      report.diff = one.diff;
      return report;
    }
    ++(one.oracle ? report.oracle : report.replayed);
  }
  return report;
}

}  // namespace hashpath
