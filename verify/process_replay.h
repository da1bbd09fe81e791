// `hashpath replay --process PID`: recompute a process from its signed
// assignments in a fresh state — fresh devices (no live Lua states), and a
// store overlay that hides every stored process state — slot by slot, and
// compare each slot's state with the one the node stored.
//
// A slot agrees when the recomputed state has the stored state's ID (every
// key: results, patched keys, at-slot). The first slot that does not is
// named and its `results` diffed. Needs only the store: assignments are
// read (and verified by scheduler@1.0 `next`) from it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/resolve/device.h"
#include "engine/status.h"
#include "engine/store/store.h"

namespace hashpath {

struct SlotReplay {
  int64_t slot = 0;
  std::string state_id;   // recomputed state (unsigned ID)
  std::string stored_id;  // the node's stored state, empty if none
  bool agrees = false;
};

struct ProcessReplayReport {
  Status verdict;  // rejected with the first diverging slot, explained
  std::vector<SlotReplay> slots;
  std::string diff;  // its stored vs recomputed results
};

// `devices` must be fresh (no live process state): the replay starts from
// slot -1. Recomputes slots 0..`to` (default: the latest assigned).
ProcessReplayReport replay_process(Store& store, const DeviceRegistry& devices,
                                   const std::string& pid, std::optional<int64_t> to = {});

}  // namespace hashpath
