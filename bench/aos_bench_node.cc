#include "bench/aos_bench_node.h"

#include <cstdlib>
#include <iostream>

#include "devices/lua/aos_library.h"
#include "devices/node_devices.h"
#include "engine/codec/commitments.h"

namespace hashpath::bench {

void fail(const std::string& why) {
  std::cerr << "FAIL: " << why << "\n";
  std::exit(1);
}

AosBenchNode::AosBenchNode(const std::filesystem::path& dir, const Wallet& node_wallet, bool logged,
                           const std::string& wasm_module)
    : wallet_(node_wallet), wasm_(!wasm_module.empty()) {
  state_ = std::make_shared<NodeState>(wallet_, Message{});
  store_ = std::make_shared<SqliteStore>((dir / "store.db").string());
  log_ = std::make_shared<HashpathLog>((dir / "log.db").string(), wallet_, LogOptions{});
  node_ = std::make_unique<Node>(state_, store_, node_devices(state_, nullptr),
                                 logged ? log_ : nullptr);
  if (wasm_) {
    Message module =
        commit_httpsig(Message{{"content-type", "application/wasm"},
                               {"module-format", "wasm64-unknown-emscripten-draft_2024_02_15"},
                               {"memory-limit", "1-gb"},
                               {"body", Value(wasm_module)}},
                       wallet_);
    std::string id = store_->put(module).back();
    definition_ = commit_httpsig(Message{{"device", "process@1.0"},
                                         {"type", "Process"},
                                         {"scheduler", Value(wallet_.address())},
                                         {"authority", Value(wallet_.address())},
                                         {"execution-device", "genesis-wasm@1.0"},
                                         {"module", Value(id)}},
                                 wallet_);
    return;
  }
  std::string aos = store_->put(aos_library_module()).back();
  definition_ =
      commit_httpsig(aos_process_definition(wallet_.address(), List{Value(aos)}), wallet_);
}

void AosBenchNode::schedule(const Message& m) {
  ResolveResult r = resolver().resolve(
      definition_, Message{{"path", "schedule"}, {"method", "POST"}, {"body", Value(m)}});
  if (!r.is_ok()) fail("scheduling failed");
}

Message AosBenchNode::eval(const std::string& code) const {
  return commit_httpsig(Message{{"action", "Eval"}, {"data", Value(code)}}, wallet_);
}

Message AosBenchNode::compute(int64_t slot) {
  ResolveResult r =
      resolver().resolve(definition_, Message{{"path", "compute"}, {"slot", Value::integer(slot)}});
  if (!r.is_ok() || !r.value.is_map()) fail("compute of slot " + std::to_string(slot) + " failed");
  log_->commit();
  return r.value.as_map();
}

}  // namespace hashpath::bench
