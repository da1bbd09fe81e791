// An in-process node running one AOS process, as the process benchmarks
// drive it (bench/aos_bench.cc, bench/token_state_bench.cc): a SQLite store
// and hashpath log in `dir`, the AOS library stored, and a process whose
// definition the node wallet signs. Any failure prints FAIL and exits.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "engine/crypto/wallet.h"
#include "engine/log/hashpath_log.h"
#include "engine/node/node.h"
#include "engine/store/sqlite_store.h"

namespace hashpath::bench {

[[noreturn]] void fail(const std::string& why);

class AosBenchNode {
 public:
  // `logged` false: the node records nothing (the log still exists).
  // `wasm_module` (bytes, emscripten AOS) set: the process runs it through
  // genesis-wasm@1.0 instead of the Lua runtime (docs/wasm.md).
  AosBenchNode(const std::filesystem::path& dir, const Wallet& node_wallet, bool logged = true,
               const std::string& wasm_module = "");
  bool wasm() const { return wasm_; }

  const Message& definition() const { return definition_; }
  HashpathLog& log() { return *log_; }
  Resolver& resolver() { return node_->resolver(); }

  // Assigns the next slot to `m` (POST schedule).
  void schedule(const Message& m);
  // An Eval of `code`, signed by the node wallet.
  Message eval(const std::string& code) const;
  // The state after `slot`, the log committed (this is its only writer).
  Message compute(int64_t slot);

 private:
  Wallet wallet_;
  std::shared_ptr<NodeState> state_;
  std::shared_ptr<SqliteStore> store_;
  std::shared_ptr<HashpathLog> log_;
  std::unique_ptr<Node> node_;
  Message definition_;
  bool wasm_ = false;
};

}  // namespace hashpath::bench
