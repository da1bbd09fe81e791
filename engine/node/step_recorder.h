// Records every resolution step in the hashpath log (DESIGN.md §4.1) and
// puts its inputs and result in the store, so the log plus the store is
// self-contained for replay.
//
// Installed as the resolver's step observer. A step's messages are stored
// before its entry is appended (an entry never names a message that a
// crash could lose). The result logged is the result message: the value
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

#include "engine/log/hashpath_log.h"
#include "engine/resolve/resolver.h"
#include "engine/store/store.h"

namespace hashpath {

// The message a step's result is logged and stored as.
Message result_message(const Value& result);

class StepRecorder {
 public:
  StepRecorder(std::shared_ptr<HashpathLog> log, std::shared_ptr<Store> store);

  void record(const StepRecord& step);

  // The seq of the last entry this thread appended since begin_request().
  static void begin_request();
  static std::optional<uint64_t> last_seq();

  HashpathLog& log() { return *log_; }

 private:
  // Puts `m` in the store unless it was put recently; returns its ID.
  void store_once(const Message& m, const std::string& id);

  std::shared_ptr<HashpathLog> log_;
  std::shared_ptr<Store> store_;
  std::mutex known_mu_;
  std::unordered_set<std::string> known_;  // IDs stored recently (bounded)
};

}  // namespace hashpath
