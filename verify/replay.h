// `hashpath replay`: re-executes logged steps from the stored inputs with
// the same device code and compares each result ID and hashpath with the
// log (docs/log-format.md §1).
//
// A step whose device is deterministic is run again through the resolver
// (exactly the code the server runs) with the logged base (carrying its
// logged hashpath) and request. A step answered by a device that reads
// the world (its result is logged as an oracle input) is not re-run: its
// stored result must hash to the logged ID. Either way the hashpath is
// recomputed. Replay reads only the log and the store: no network, no
// wall clock.
#pragma once

#include <cstdint>
#include <string>

#include "engine/log/log_database.h"
#include "engine/resolve/resolver.h"
#include "engine/status.h"

namespace hashpath {

struct ReplayReport {
  Status verdict;         // rejected naming the first diverging entry, and why
  uint64_t replayed = 0;  // re-executed
  uint64_t oracle = 0;    // checked against their recorded inputs
  uint64_t first_divergence = 0;
  std::string diff;  // logged vs replayed result, line by line
};

ReplayReport replay_log(LogDatabase& db, Store& store, const DeviceRegistry& devices, uint64_t from,
                        uint64_t to);

}  // namespace hashpath
