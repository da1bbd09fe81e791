#include "devices/node_devices.h"

#include "engine/error.h"

#include "devices/dedup.h"
#include "devices/green_zone.h"
#include "devices/json.h"
#include "devices/log.h"
#include "devices/lua/lua_device.h"
#include "devices/meta.h"
#include "devices/multipass.h"
#include "devices/patch.h"
#include "devices/process.h"
#include "devices/push.h"
#include "devices/scheduler.h"
#include "devices/snp.h"
#include "devices/stack.h"
#include "devices/wasm/aot_engine.h"
#include "devices/wasm/genesis_wasm_device.h"
#include "devices/wasm/json_iface_device.h"
#include "devices/wasm/wabt_interpreter.h"
#include "devices/wasm/wasi_device.h"
#include "devices/wasm/wasm64_device.h"

namespace hashpath {

std::shared_ptr<WasmEngine> wasm_engine_for(const Message& config) {
  auto interpreter = std::make_shared<WabtInterpreter>();
  const std::string engine = config.text("wasm-engine").value_or("auto");
  if (engine == "interpreter") return interpreter;
  if (engine != "auto" && engine != "aot")
    throw Error("wasm-engine must be auto, aot or interpreter, not '" + engine + "'");
  std::filesystem::path cache = default_aot_cache_dir();
  if (std::optional<std::string> dir = config.text("wasm-aot-cache"); dir && !dir->empty())
    cache = *dir;
  auto aot = std::make_shared<AotEngine>(cache, AotToolchain::of_this_build(), interpreter);
  if (engine == "aot" && !aot->available())
    throw Error("wasm-engine is aot, but the AOT toolchain is missing (docs/wasm.md §1.2)");
  return aot;
}

std::shared_ptr<DeviceRegistry> node_devices(
    const std::shared_ptr<NodeState>& state, const std::shared_ptr<HashpathLog>& log,
    const std::shared_ptr<CheckpointWitnesses>& witnesses) {
  auto registry = std::make_shared<DeviceRegistry>();
  registry->add(std::make_shared<MetaDevice>(state));
  size_t live = LuaDevice::kDefaultLiveProcesses;
  if (std::optional<int64_t> n = state->config().integer("lua-live-processes"); n && *n > 0)
    live = static_cast<size_t>(*n);
  registry->add(std::make_shared<LuaDevice>(live));
  registry->add(std::make_shared<PatchDevice>());
  registry->add(std::make_shared<StackDevice>());
  registry->add(std::make_shared<DedupDevice>());
  registry->add(std::make_shared<MultipassDevice>());
  // WASM processes: one set of live instances for the members that share
  // them (docs/wasm.md).
  auto wasm = std::make_shared<WasmProcesses>(wasm_engine_for(state->config()));
  registry->add(std::make_shared<WasiDevice>());
  registry->add(std::make_shared<JsonIfaceDevice>(wasm));
  registry->add(std::make_shared<Wasm64Device>(wasm));
  registry->add(std::make_shared<GenesisWasmDevice>());
  registry->add(std::make_shared<JsonDevice>());
  registry->add(std::make_shared<SchedulerDevice>(state));
  registry->add(std::make_shared<ProcessDevice>());
  registry->add(std::make_shared<PushDevice>(state));
  registry->add(std::make_shared<SnpDevice>(state, log));
  registry->add(std::make_shared<GreenZoneDevice>(state));
  if (log) registry->add(std::make_shared<LogDevice>(log, witnesses));
  return registry;
}

}  // namespace hashpath
