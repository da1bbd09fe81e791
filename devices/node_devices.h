// The devices a Hashpath node has: the one list, used by `hashpath serve`,
// the offline log tools, the tests and the benchmarks, so that what a test
// calls "a node" is the node.
#pragma once

#include <memory>

#include "engine/log/checkpoint_witnesses.h"
#include "engine/log/hashpath_log.h"
#include "engine/node/node_state.h"
#include "engine/resolve/device.h"

namespace hashpath {

class WasmEngine;

// A registry with every device this build offers: message@1.0 (always),
// meta@1.0, lua@5.3a, patch@1.0, stack@1.0, dedup@1.0, json@1.0,
// scheduler@1.0, process@1.0, push@1.0, and log@1.0 when `log` is not null.
// Callers may add more (tests add their own) before serving. lua@5.3a keeps
// at most `lua-live-processes` (config; default 256) live Lua states.
// `witnesses` (may be null) are the log's, for `checkpoint?cosigned=k`.
// The WASM engine the configuration asks for: `wasm-engine` auto (the
// default: AOT when the toolchain is there, else the interpreter), aot (an
// error without the toolchain) or interpreter; the AOT cache is
// `wasm-aot-cache` (default default_aot_cache_dir()). docs/wasm.md §1.
std::shared_ptr<WasmEngine> wasm_engine_for(const Message& config);

std::shared_ptr<DeviceRegistry> node_devices(
    const std::shared_ptr<NodeState>& state, const std::shared_ptr<HashpathLog>& log,
    const std::shared_ptr<CheckpointWitnesses>& witnesses = nullptr);

}  // namespace hashpath
