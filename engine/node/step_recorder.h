// Records every resolution step in the hashpath log (docs/log-format.md §1) and
// puts its inputs and result in the store, so the log plus the store is
// self-contained for replay.
//
// Installed as the resolver's step observer. A step's messages are handed
// to the recorder before its entry is appended, and stored — all those of
// a batch in one transaction — by the log's before-commit hook, before the
// entries are written (a committed entry never names a message a crash
// could lose). The result logged is the result message: the value
// itself if it is a message, else {ao-result: body, body: value} (private
// keys are in neither its ID nor its stored record). Steps whose device is not deterministic (e.g.
// meta@1.0 reads node state) log their result as an oracle input as well.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "engine/log/hashpath_log.h"
#include "engine/resolve/resolver.h"
#include "engine/store/store.h"

namespace hashpath {

// The message a step's result is logged and stored as.
Message result_message(const Value& result);

class StepRecorder {
 public:
  StepRecorder(std::shared_ptr<HashpathLog> log, std::shared_ptr<Store> store);
  ~StepRecorder();  // stores what is pending and leaves the log

  // Appends the step's entry (its messages queued for the store); returns
  // its seq.
  uint64_t record(const StepRecord& step);

  HashpathLog& log() { return *log_; }

  // Writes `message` and the name `name` for it (Store::put_and_alias) with
  // the next commit's messages, in their transaction: a process state is
  // named with the steps that made it, in the same WAL commit, and is
  // durable when they are.
  void queue_named(const Message& message, std::string name, bool by_last_id);
  // queue_named, as a resolver's named writer.
  Resolver::NamedWriter named_writer();

 private:
  // Queues those of the messages (with their IDs) not queued before.
  void queue_unknown(const std::vector<std::pair<const Message*, std::string>>& messages);
  // Stores the queued messages (the log's before-commit hook).
  void flush();

  std::shared_ptr<HashpathLog> log_;
  std::shared_ptr<Store> store_;
  std::mutex known_mu_;
  std::unordered_set<std::string> known_;  // IDs queued or stored recently (bounded)
  std::vector<Message> queued_;            // guarded by known_mu_
  std::vector<Store::Named> named_;        // guarded by known_mu_
};

// The entries one request appends. The node gives each request its own
// Resolver whose step observer is this scope, so every step of the
// request counts — a device's nested resolutions and the hooks' included —
// and nothing else does. Not thread-safe: one request, one thread.
class RequestSteps {
 public:
  explicit RequestSteps(StepRecorder* recorder) : recorder_(recorder) {}

  void record(const StepRecord& step) { last_ = recorder_->record(step); }
  // A resolver for this request: `devices` and `store` as the node's, with
  // this scope observing every step and writing the names devices give to
  // what they computed (none without a recorder).
  Resolver resolver(const DeviceRegistry& devices, Store* store);
  // Makes every entry of the request durable and returns the last one's seq
  // (nullopt if it appended none, or there is no log). StoreWriteError if
  // they could not be written: then none is committed.
  std::optional<uint64_t> commit();

 private:
  StepRecorder* recorder_;
  std::optional<uint64_t> last_;
};

}  // namespace hashpath
