// The log side of witnessing (docs/verification.md §3): every new
// checkpoint is sent to the configured witnesses with C2SP tlog-witness
// `add-checkpoint`, and the cosignatures they return are verified and
// added to the stored note.
//
// Promises:
// * Appends never wait for a witness: submissions run on a thread of their
//   own, newest checkpoint first (an older one is never sent after a newer).
// * A 409 answer names the size the witness holds; the submission is made
//   again once from that size. A 4xx refusal is final for that checkpoint;
//   other failures (no connection, 5xx) are retried with the next
//   checkpoint, or after `retry_ms` if no new one comes.
// * Only cosignatures that verify against the witness's configured key are
//   kept.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/log/ed25519_note.h"
#include "engine/log/hashpath_log.h"
#include "engine/message/message.h"

namespace hashpath {

struct WitnessEndpoint {
  std::string url;  // the submission prefix: add-checkpoint is url + "/add-checkpoint"
  Ed25519NoteKey key;
};

// What one witness last answered, for `GET /~log@1.0/witnesses`.
struct WitnessStatus {
  std::string name;
  uint64_t cosigned_size = 0;  // the size of the newest checkpoint it cosigned for us
  std::string last_error;      // empty after a success
};

class CheckpointWitnesses {
 public:
  CheckpointWitnesses(std::shared_ptr<HashpathLog> log, std::vector<WitnessEndpoint> witnesses,
                      int timeout_seconds = 10, int retry_ms = 1000);
  ~CheckpointWitnesses();  // stops the submitter
  CheckpointWitnesses(const CheckpointWitnesses&) = delete;
  CheckpointWitnesses& operator=(const CheckpointWitnesses&) = delete;

  // Queues `note` (the newest wins); returns at once.
  void submit(const SignedNote& note);
  // The newest stored checkpoint with at least `k` valid cosignatures from
  // the configured witnesses.
  std::optional<SignedNote> newest_cosigned(size_t k);
  std::vector<WitnessStatus> status();
  size_t count() const { return witnesses_.size(); }
  // `log-witness-quorum`: what `checkpoint?cosigned=quorum` asks for.
  void set_quorum(uint64_t k) { quorum_ = k; }
  uint64_t quorum() const { return quorum_; }

 private:
  void loop();
  // One witness, one note; true if settled: cosigned, or refused for good.
  bool send(size_t index, const SignedNote& note, uint64_t size);
  size_t valid_cosignatures(const SignedNote& note) const;

  std::shared_ptr<HashpathLog> log_;
  const std::vector<WitnessEndpoint> witnesses_;
  const int timeout_seconds_;
  const int retry_ms_;
  std::atomic<uint64_t> quorum_{0};

  std::mutex mu_;  // everything below
  std::condition_variable wake_;
  std::optional<SignedNote> pending_;
  std::vector<WitnessStatus> status_;    // one per witness
  std::vector<uint64_t> witness_size_;   // the size each witness holds, as we last learned
  std::map<uint64_t, size_t> cosigned_;  // checkpoint size → valid cosignatures
  bool stopping_ = false;
  std::thread thread_;
};

// Parses the `log-witnesses` configuration value: a list of {url, vkey}
// messages, or text "URL VKEY[, URL VKEY ...]". LogFormatError naming the
// entry that is malformed.
std::vector<WitnessEndpoint> parse_witness_endpoints(const Value& value);

}  // namespace hashpath
