// A store that reads through to another one and writes to memory: the
// base is never changed. Names starting with `hidden_prefix` are not read
// from the base, so a computation that would resume from them (stored
// process states, `process-state/...`) starts over instead.
#pragma once

#include <string>

#include "engine/store/sqlite_store.h"
#include "engine/store/store.h"

namespace hashpath {

class OverlayStore : public Store {
 public:
  OverlayStore(Store& base, std::string hidden_prefix)
      : base_(base), hidden_prefix_(std::move(hidden_prefix)), overlay_(":memory:") {}

  std::vector<std::string> put(const Message& message) override { return overlay_.put(message); }
  std::string put_binary(std::string_view bytes) override { return overlay_.put_binary(bytes); }
  std::optional<Value> get(std::string_view id) override;
  bool contains(std::string_view id) override;
  // An ID only the base has is copied into the overlay first.
  void alias(std::string_view name, std::string_view id) override;

 private:
  bool hidden(std::string_view id) const;

  Store& base_;
  std::string hidden_prefix_;
  SqliteStore overlay_;
};

}  // namespace hashpath
