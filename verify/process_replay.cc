#include "verify/process_replay.h"

#include "verify/message_diff.h"

#include "engine/codec/message_id.h"
#include "engine/codec/typed_json.h"
#include "engine/resolve/resolver.h"
#include "engine/store/overlay_store.h"

namespace hashpath {
namespace {

// The two states' `results`, diffed; a note if only other keys differ.
std::string results_diff(const Message& stored, const Message& replayed) {
  auto results = [](const Message& m) {
    const Value* r = m.find("results");
    return r != nullptr ? as_message(*r) : Message{};
  };
  std::string out = message_diff(results(stored), results(replayed));
  return out.empty() ? "(results agree; other keys of the state differ)\n" : out;
}

}  // namespace

ProcessReplayReport replay_process(Store& store, const DeviceRegistry& devices,
                                   const std::string& pid, std::optional<int64_t> to) {
  ProcessReplayReport report;
  std::optional<Value> definition = get_full(store, pid);
  if (!definition || !definition->is_map()) {
    report.verdict = Status::rejected("process " + pid + " is not in the store");
    return report;
  }
  OverlayStore fresh(store, "process-state/");
  Resolver resolver(devices, &fresh);
  Message process = definition->as_map();
  ResolveResult slot = resolver.resolve(process, Message{{"path", "slot/current"}});
  if (!slot.is_ok() || !slot.value.is_integer()) {
    report.verdict = Status::rejected("process " + pid + ": cannot read its latest slot");
    return report;
  }
  int64_t last = to.value_or(slot.value.as_integer());
  for (int64_t s = 0; s <= last; ++s) {
    ResolveResult r =
        resolver.step(process, Message{{"path", "compute"}, {"slot", Value::integer(s)}});
    if (!r.is_ok() || !r.value.is_map()) {
      report.verdict =
          Status::rejected("slot " + std::to_string(s) + ": recomputing failed (" +
                           status_name(r.status) + "): " + typed_json_encode(as_message(r.value)));
      return report;
    }
    Message state = r.value.as_map();
    state.remove("priv");
    SlotReplay sr;
    sr.slot = s;
    sr.state_id = message_id(Value(state), IdScope::kUnsigned);
    std::optional<Value> stored = get_full(store, "process-state/" + pid + "/" + std::to_string(s));
    if (stored && stored->is_map()) sr.stored_id = message_id(*stored, IdScope::kUnsigned);
    sr.agrees = sr.stored_id.empty() || sr.stored_id == sr.state_id;
    report.slots.push_back(sr);
    if (!sr.agrees) {
      report.verdict = Status::rejected("slot " + std::to_string(s) + " diverges: stored state " +
                                        sr.stored_id + ", recomputed " + sr.state_id);
      report.diff = results_diff(stored->as_map(), state);
      return report;
    }
  }
  return report;
}

}  // namespace hashpath
