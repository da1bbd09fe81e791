#include "engine/resolve/cache_control.h"

#include <string>
#include <vector>

#include "engine/message/key.h"

namespace hashpath {
namespace {

void collect_tokens(const Value& v, std::vector<std::string>& out) {
  if (v.is_list()) {
    for (const auto& item : v.as_list()) collect_tokens(item, out);
    return;
  }
  std::string_view text;
  if (v.is_binary()) {
    text = v.as_binary();
  } else if (v.is_atom()) {
    text = v.as_atom();
  } else {
    return;
  }
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view token = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (!token.empty()) out.push_back(ascii_lowercase(token));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
}

}  // namespace

CacheDirectives parse_cache_control(const Value* directives) {
  CacheDirectives d;
  if (directives == nullptr) return d;
  std::vector<std::string> tokens;
  collect_tokens(*directives, tokens);
  auto has = [&](std::string_view t) {
    for (const auto& token : tokens) {
      if (token == t) return true;
    }
    return false;
  };
  if (has("always")) {
    d.store = true;
    d.lookup = true;
  } else {
    if (has("no-store")) {
      d.store = false;
    } else if (has("store")) {
      d.store = true;
    }
    if (has("no-cache")) {
      d.lookup = false;
    } else if (has("cache")) {
      d.lookup = true;
    }
  }
  if (has("only-if-cached")) d.only_if_cached = true;
  return d;
}

CacheDirectives cache_control_of(const Message* m) {
  if (m == nullptr) return {};
  return parse_cache_control(m->find("cache-control"));
}

CacheSettings derive_cache_settings(std::initializer_list<CacheDirectives> sources,
                                    bool hashpath_ignore) {
  CacheSettings s;
  for (const auto& d : sources) {
    if (d.store) s.store = *d.store;
    if (d.lookup) s.lookup = *d.lookup;
    if (d.only_if_cached) s.only_if_cached = *d.only_if_cached;
  }
  if (hashpath_ignore) s.store = false;
  return s;
}

}  // namespace hashpath
