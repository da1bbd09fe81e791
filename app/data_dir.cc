#include "app/data_dir.h"

#include <cstdlib>

#include "engine/error.h"

namespace hashpath::app {
namespace {

std::string text_of(const Message& config, std::string_view key) {
  const Value* v = config.find(key);
  if (v == nullptr) return {};
  if (v->is_binary()) return std::string(v->as_binary());
  if (v->is_atom()) return v->as_atom();
  if (v->is_integer()) return std::to_string(v->as_integer());
  return {};
}

uint64_t number_of(const Message& config, std::string_view key, uint64_t fallback) {
  std::string t = text_of(config, key);
  if (t.empty()) return fallback;
  try {
    size_t used = 0;
    unsigned long long v = std::stoull(t, &used);
    if (used != t.size()) throw std::invalid_argument(t);
    return v;
  } catch (const std::exception&) {
    throw Error("configuration key '" + std::string(key) +
                "' must be a non-negative number, not '" + t + "'");
  }
}

}  // namespace

void DataDir::require_existing() const {
  if (!std::filesystem::exists(wallet_file())) {
    throw Error("'" + root.string() + "' is not a node data directory (no wallet.json)");
  }
  if (!std::filesystem::exists(log_file()))
    throw Error("'" + root.string() + "' has no log (log.db)");
}

uint64_t witness_quorum_from(const Message& config) {
  return number_of(config, "log-witness-quorum", 0);
}

bool log_enabled(const Message& config) { return text_of(config, "log") != "false"; }

LogOptions log_options_from(const Message& config) {
  LogOptions o;
  o.checkpoint_every = number_of(config, "log-checkpoint-every", o.checkpoint_every);
  o.checkpoint_interval_ms = number_of(config, "log-checkpoint-interval", o.checkpoint_interval_ms);
  std::string receipts = text_of(config, "log-receipts");
  if (!receipts.empty() && receipts != "true" && receipts != "false") {
    throw Error("configuration key 'log-receipts' must be true or false, not '" + receipts + "'");
  }
  o.receipts = receipts == "true";
  std::string sync = text_of(config, "log-sync");
  if (sync.empty() || sync == "normal") {
    o.sync = LogSync::kNormal;
  } else if (sync == "full") {
    o.sync = LogSync::kFull;
  } else if (sync == "off") {
    o.sync = LogSync::kOff;
  } else {
    throw Error("configuration key 'log-sync' must be off, normal or full, not '" + sync + "'");
  }
  return o;
}

void set_default_aot_cache(Message& config, const DataDir& dir) {
  if (config.find("wasm-aot-cache") != nullptr) return;
  const char* shared = std::getenv("HASHPATH_AOT_CACHE");
  config.set("wasm-aot-cache",
             Value(shared != nullptr && *shared != '\0' ? std::string(shared)
                                                        : (dir.root / "aot").string()));
}

}  // namespace hashpath::app
