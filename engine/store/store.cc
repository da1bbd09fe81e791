#include "engine/store/store.h"

namespace hashpath {
namespace {

Value load_children_at(Store& store, const Value& value, int depth) {
  if (depth > kMaxNestingDepth) return value;
  if (value.is_link()) {
    std::optional<Value> child = store.get(value.as_link().id);
    return child ? load_children_at(store, *child, depth + 1) : value;
  }
  if (value.is_map()) {
    Message out = value.as_map();
    value.as_map().for_each_nested([&](const std::string& k, const Value& v) {
      out.set(k, load_children_at(store, v, depth + 1));
    });
    return Value(std::move(out));
  }
  if (value.is_list()) {
    List out;
    out.reserve(value.as_list().size());
    for (const auto& v : value.as_list()) out.push_back(load_children_at(store, v, depth + 1));
    return Value(std::move(out));
  }
  return value;
}

}  // namespace

Value load_children(Store& store, const Value& value) { return load_children_at(store, value, 0); }

std::optional<Value> get_full(Store& store, std::string_view id) {
  std::optional<Value> v = store.get(id);
  if (!v) return v;
  return load_children(store, *v);
}

}  // namespace hashpath
