// Records every resolution step in the hashpath log (DESIGN.md §4.1) and
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

  void record(const StepRecord& step);

  // The seq of the last entry this thread appended since begin_request().
  static void begin_request();
  static std::optional<uint64_t> last_seq();

  HashpathLog& log() { return *log_; }

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
};

}  // namespace hashpath
