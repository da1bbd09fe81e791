// A node's data directory and what is built from it, shared by `serve`,
// `log` and `replay`:
//
//   DIR/wallet.json   the node wallet (RSA-4096, created by `serve`)
//   DIR/config.flat   optional configuration (or --config FILE, JSON too)
//   DIR/store.db      the message store (SQLite)
//   DIR/log.db        the hashpath log (SQLite)
//   DIR/checkpoint-key.ed25519   the log's Ed25519 checkpoint key (created by `serve`)
//   DIR/witness-key.ed25519, DIR/witness-reexecuting-key.ed25519
//                     the witness@1.0 cosigning keys (created by `serve`)
//   DIR/witness/      the witness's state/ and evidence/, and verifier/
//                     (what it re-executed)
//   DIR/aot/          WebAssembly modules compiled ahead of time (docs/wasm.md §1.2)
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "engine/log/hashpath_log.h"
#include "engine/node/node_state.h"
#include "engine/resolve/device.h"

namespace hashpath::app {

struct DataDir {
  std::filesystem::path root;
  std::filesystem::path wallet_file() const { return root / "wallet.json"; }
  std::filesystem::path store_file() const { return root / "store.db"; }
  std::filesystem::path log_file() const { return root / "log.db"; }
  std::filesystem::path config_file() const { return root / "config.flat"; }
  std::filesystem::path checkpoint_key_file() const { return root / "checkpoint-key.ed25519"; }
  std::filesystem::path witness_key_file() const { return root / "witness-key.ed25519"; }
  std::filesystem::path witness_reexecuting_key_file() const {
    return root / "witness-reexecuting-key.ed25519";
  }
  std::filesystem::path witness_dir() const { return root / "witness"; }

  // Error naming the directory if it has no wallet or no log (for commands
  // that read an existing node's data).
  void require_existing() const;
};

// Sets `wasm-aot-cache` if the configuration does not: $HASHPATH_AOT_CACHE
// (a cache several nodes share; tests use one), else DIR/aot.
void set_default_aot_cache(Message& config, const DataDir& dir);

// Configuration keys of the log: `log` (false turns it off),
// `log-checkpoint-every` (entries), `log-checkpoint-interval` (ms),
// `log-receipts` (true/false), `log-sync` (off | normal | full).
LogOptions log_options_from(const Message& config);
// `log-witness-quorum` (default 0: none).
uint64_t witness_quorum_from(const Message& config);
bool log_enabled(const Message& config);

}  // namespace hashpath::app
