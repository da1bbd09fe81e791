// `hashpath audit PID`: a process's history from the node's store and log,
// one record per slot — who sent what, what it produced, which log entries
// computed it and which signed checkpoint covers them.
//
// Every field is read, nothing is trusted: the sender is the committer of a
// commitment that verifies, the checkpoint is one the log holds (`hashpath
// log verify` checks its signature and the entries under it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/log/log_database.h"
#include "engine/store/store.h"

namespace hashpath {

struct AuditedSlot {
  int64_t slot = 0;
  std::string assignment;              // signed ID (IdScope::kSigned) of the signed assignment
  std::string message;                 // ID of the scheduled message
  std::string from;                    // its verified committer; empty if unsigned
  std::string action;                  // its `action`, if any
  int64_t timestamp = 0;               // the assignment's (ms)
  bool computed = false;               // the node stored a state for the slot
  std::string state;                   // ID of that state
  std::string output;                  // results/output/data
  std::string error;                   // results/error (its body, or the text)
  std::vector<std::string> outbox;     // "target action" per message left in the outbox
  std::vector<std::string> patched;    // root keys the slot added or changed
  std::vector<uint64_t> entries;       // log entries whose request is the assignment
  std::optional<uint64_t> checkpoint;  // size of the first checkpoint covering them
};

struct ProcessAudit {
  std::string process;
  std::vector<AuditedSlot> slots;
};

// Reads slots 0.. until the first one without an assignment.
ProcessAudit audit_process(LogDatabase& db, Store& store, const std::string& pid);

// The audit as JSON (an object with `process` and `slots`).
std::string audit_to_json(const ProcessAudit& audit);
// The audit for a person: a few lines per slot.
std::string audit_to_text(const ProcessAudit& audit);

}  // namespace hashpath
