#include "engine/store/overlay_store.h"

namespace hashpath {

bool OverlayStore::hidden(std::string_view id) const {
  return !hidden_prefix_.empty() && id.substr(0, hidden_prefix_.size()) == hidden_prefix_;
}

std::optional<Value> OverlayStore::get(std::string_view id) {
  if (std::optional<Value> v = overlay_.get(id)) return v;
  if (hidden(id)) return std::nullopt;
  return base_.get(id);
}

bool OverlayStore::contains(std::string_view id) {
  return overlay_.contains(id) || (!hidden(id) && base_.contains(id));
}

void OverlayStore::alias(std::string_view name, std::string_view id) {
  if (!overlay_.contains(id)) {
    std::optional<Value> v = get_full(base_, id);
    if (!v)
      throw StoreError("cannot alias '" + std::string(name) + "': " + std::string(id) +
                       " is not stored");
    if (v->is_binary()) {
      overlay_.put_binary(v->as_binary());
    } else {
      overlay_.put(v->as_map());
    }
  }
  overlay_.alias(name, id);
}

}  // namespace hashpath
