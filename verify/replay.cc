#include "verify/replay.h"

#include "verify/message_diff.h"

#include <sstream>
#include <vector>

#include "engine/codec/message_id.h"
#include "engine/codec/typed_json.h"
#include "engine/log/log_entry.h"
#include "engine/node/step_recorder.h"

namespace hashpath {
namespace {

struct Divergence {
  std::string problem;
  std::string diff;
};

std::optional<Message> load_message(Store& store, const std::string& raw_id) {
  std::optional<Value> v = get_full(store, id_from_bytes(raw_id));
  if (!v || !v->is_map()) return std::nullopt;
  return v->as_map();
}

}  // namespace

ReplayReport replay_log(LogDatabase& db, Store& store, const DeviceRegistry& devices, uint64_t from,
                        uint64_t to) {
  ReplayReport report;
  Resolver resolver(devices, &store);
  for (const StoredEntry& row : db.entries(from, to)) {
    std::string where;
    try {
      LogEntry e = LogEntry::decode(row.entry);
      where = "entry " + std::to_string(e.seq) + " (" + e.device + " " + e.key + ")";
      std::optional<Message> base = load_message(store, e.base);
      std::optional<Message> request = load_message(store, e.req);
      if (!base || !request)
        throw Divergence{where + ": its base or request is not in the store", ""};
      // A signed request's ID covers only its committed keys, so requests
      // differing in `path` alone share an ID: the logged key is the path.
      request->set("path", Value(e.key));
      if (e.prev != id_from_bytes(e.base)) {
        Message priv{{"hashpath", Value(e.prev)}};
        base->set("priv", Value(std::move(priv)));
      }
      std::string hashpath = step_hashpath(*base, *request, e.key);
      if (hashpath != e.hashpath) {
        throw Divergence{
            where + ": hashpath differs: logged " + e.hashpath + ", replayed " + hashpath, ""};
      }
      std::optional<Message> logged = load_message(store, e.result);
      if (!e.inputs.empty()) {
        // An oracle read: the recorded result is the input.
        if (!logged || message_id(Value(*logged), IdScope::kNone) != id_from_bytes(e.result)) {
          throw Divergence{where + ": the recorded oracle result is missing or altered", ""};
        }
        ++report.oracle;
        continue;
      }
      std::shared_ptr<Device> device = devices.find(e.device);
      if (device == nullptr)
        throw Divergence{where + ": device " + e.device + " is not in this build", ""};
      ResolveOptions options;
      ResolveResult r = resolver.step(*base, *request, options);
      Message replayed = result_message(r.value);
      std::string replayed_id = message_id(Value(replayed), IdScope::kNone);
      std::string status = status_name(r.status);
      if (replayed_id != id_from_bytes(e.result) || status != e.status) {
        throw Divergence{
            where + ": result differs: logged " + id_from_bytes(e.result) + " (" + e.status +
                "), replayed " + replayed_id + " (" + status + ")",
            logged ? message_diff(*logged, replayed) : "(the logged result is not in the store)\n"};
      }
      ++report.replayed;
    } catch (const Divergence& d) {
      report.ok = false;
      report.first_divergence = row.seq;
      report.problem = d.problem;
      report.diff = d.diff;
      return report;
    } catch (const std::exception& ex) {
      report.ok = false;
      report.first_divergence = row.seq;
      report.problem =
          (where.empty() ? "entry " + std::to_string(row.seq) : where) + ": " + ex.what();
      return report;
    }
  }
  return report;
}

}  // namespace hashpath
