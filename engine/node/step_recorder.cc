#include "engine/node/step_recorder.h"

#include <chrono>
#include <optional>
#include <set>

#include "engine/codec/commitments.h"
#include "engine/codec/message_id.h"

namespace hashpath {
namespace {

constexpr size_t kKnownLimit = 1 << 16;

// True if `m` has keys its commitments do not cover (for a request, `path`
// aside, which replay takes from the entry's key): then its commitment IDs
// also name copies without them, and the entry names this copy too
// (`req-full`, `base-full`).
bool has_uncovered_keys(const Message& m, bool path_is_the_key) {
  if (!m.contains("commitments")) return false;
  std::optional<std::set<std::string>> covered = keys_every_commitment_covers(m);
  if (!covered) return false;
  for (const auto& [k, v] : m) {
    (void)v;
    if (k == "priv" || k == "commitments" || (path_is_the_key && k == "path")) continue;
    if (covered->count(k) == 0) return true;
  }
  return false;
}

}  // namespace

Message result_message(const Value& result) {
  // Private keys are in neither the ID nor the stored record, so a message
  // result is used as it is (its memoised IDs with it).
  if (result.is_map()) return result.as_map();
  return Message{{"ao-result", "body"}, {"body", result}};
}

StepRecorder::StepRecorder(std::shared_ptr<HashpathLog> log, std::shared_ptr<Store> store)
    : log_(std::move(log)), store_(std::move(store)) {
  log_->set_before_commit([this] { flush(); });
}

void StepRecorder::queue_unknown(
    const std::vector<std::pair<const Message*, std::string>>& messages) {
  std::lock_guard<std::mutex> lock(known_mu_);
  if (known_.size() >= kKnownLimit) known_.clear();
  for (const auto& [m, id] : messages) {
    if (known_.insert(id).second) queued_.push_back(*m);
  }
}

void StepRecorder::queue_named(const Message& message, std::string name, bool by_last_id) {
  std::lock_guard<std::mutex> lock(known_mu_);
  named_.push_back(Store::Named{message, std::move(name), by_last_id});
}

Resolver::NamedWriter StepRecorder::named_writer() {
  return [this](const Message& m, std::string name, bool by_last_id) {
    queue_named(m, std::move(name), by_last_id);
  };
}

void StepRecorder::flush() {
  std::vector<Message> batch;
  std::vector<Store::Named> named;
  {
    std::lock_guard<std::mutex> lock(known_mu_);
    batch.swap(queued_);
    named.swap(named_);
  }
  if (batch.empty() && named.empty()) return;
  try {
    store_->put_all_and_name(batch, named);  // one transaction
  } catch (...) {
    std::lock_guard<std::mutex> lock(known_mu_);
    known_.clear();  // what failed is not stored: queue it again when seen
    queued_.insert(queued_.begin(), batch.begin(), batch.end());
    named_.insert(named_.begin(), named.begin(), named.end());
    throw;
  }
}

StepRecorder::~StepRecorder() {
  log_->set_before_commit(nullptr);
  try {
    flush();
  } catch (const std::exception&) {
    // The entries naming these messages are not committed either.
  }
}

uint64_t StepRecorder::record(const StepRecord& step) {
  const Message& base = step.base;  // private keys are not part of IDs or records
  Message result = result_message(step.result.value);
  LogEntry e;
  std::string base_id = message_id(Value(base), IdScope::kEveryCommitment);
  std::string req_id = message_id(Value(step.request), IdScope::kSigned);
  std::string result_id = message_id(Value(result), IdScope::kUnsigned);
  std::string req_full_id, base_full_id;
  if (has_uncovered_keys(step.request, true)) {
    req_full_id = message_id(Value(step.request), IdScope::kUnsigned);
    e.version = LogEntry::kFullRequestVersion;
    e.req_full = id_to_bytes(req_full_id);
  }
  if (has_uncovered_keys(base, false)) {
    base_full_id = message_id(Value(base), IdScope::kUnsigned);
    e.version = LogEntry::kFullRequestVersion;
    e.base_full = id_to_bytes(base_full_id);
  }
  queue_unknown({{&base, base_full_id.empty() ? base_id : base_full_id},
                 {&step.request, req_full_id.empty() ? req_id : req_full_id},
                 {&result, result_id}});
  e.base = id_to_bytes(base_id);
  e.req = id_to_bytes(req_id);
  e.result = id_to_bytes(result_id);
  e.prev = hashpath_of(step.base);
  e.hashpath = step.step_hashpath;
  e.device = step.device;
  e.key = step.key;
  e.route = step.cache_hit ? "cache" : key_route_name(step.route);
  e.status = status_name(step.result.status);
  if (!step.deterministic) e.inputs.push_back(e.result);
  e.time = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  return log_->append(std::move(e));
}

Resolver RequestSteps::resolver(const DeviceRegistry& devices, Store* store) {
  Resolver r(devices, store);
  if (recorder_ != nullptr) {
    r.set_step_observer([this](const StepRecord& s) { record(s); });
    r.set_named_writer(recorder_->named_writer());
  }
  return r;
}

std::optional<uint64_t> RequestSteps::commit() {
  if (recorder_ == nullptr || !last_) return std::nullopt;
  recorder_->log().commit_through(*last_);
  return last_;
}

}  // namespace hashpath
