#include "engine/resolve/hyperpath.h"

#include <charconv>
#include <limits>
#include <map>

#include "engine/codec/structured.h"
#include "engine/crypto/bytes.h"
#include "engine/message/key.h"

namespace hashpath {
namespace {

[[noreturn]] void fail(const std::string& what) { throw PathError("hyperpath: " + what); }

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      int hi = i + 2 < s.size() ? hex_digit_value(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? hex_digit_value(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) fail("bad percent-escape in '" + std::string(s.substr(0, 80)) + "'");
      out.push_back(static_cast<char>((hi << 4) | lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Index of the first of `chars` outside parentheses, or npos.
size_t find_at_depth0(std::string_view s, std::string_view chars, size_t from = 0) {
  int depth = 0;
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] == '(') {
      ++depth;
    } else if (s[i] == ')') {
      --depth;
    } else if (depth == 0 && chars.find(s[i]) != std::string_view::npos) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::vector<std::string> split_at_depth0(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t at = find_at_depth0(s, std::string_view(&sep, 1), start);
    std::string_view piece =
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start);
    if (!piece.empty()) out.emplace_back(piece);
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

bool wrapped_in_parens(std::string_view s) {
  if (s.size() < 2 || s.front() != '(' || s.back() != ')') return false;
  // The opening parenthesis must close at the very end.
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '(') ++depth;
    if (s[i] == ')' && --depth == 0) return i == s.size() - 1;
  }
  return false;
}

PathList parse_path(std::string_view path, int depth);

std::shared_ptr<PathList> subpath(std::string_view text, int depth) {
  return std::make_shared<PathList>(parse_path(text, depth + 1));
}

// A value with an explicit type (docs/protocol.md §6 step 3): integer, float, atom, list, map.
// `resolve` is handled by the callers (it is a sub-path, not a value).
Value typed_value(std::string_view text, std::string type) {
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (type != "integer" && type != "float" && type != "atom" && type != "list" && type != "map") {
    fail("unexpected type '" + type + "' (want integer, float, atom, list, map or resolve)");
  }
  if (type == "float" && text.find('.') == std::string_view::npos) {
    fail("float '" + std::string(text) + "' needs a decimal point");
  }
  try {
    return decode_typed_value(text, type);
  } catch (const CodecError& e) {
    fail(std::string("bad ") + type + " value: " + e.what());
  }
}

// A key/value pair from an inline `&k=v` or a global key, with `+T` types
// and sub-paths applied, stored into `step`.
void apply_pair(PathStep& step, std::string key, std::string_view value, bool literal_true,
                int depth) {
  size_t plus = key.find_first_of("+ ");
  std::string type;
  if (plus != std::string::npos) {
    type = key.substr(plus + 1);
    key = key.substr(0, plus);
  }
  if (key.empty()) fail("empty key in an inline pair");
  std::string name = normalize_key(key);
  for (auto it = step.subpaths.begin(); it != step.subpaths.end();) {
    it = it->first == name ? step.subpaths.erase(it) : it + 1;
  }
  if (literal_true) {
    step.message.set(name, Value::boolean(true));
  } else if (type == "resolve" || (type.empty() && wrapped_in_parens(value))) {
    std::string_view inner = wrapped_in_parens(value) ? value.substr(1, value.size() - 2) : value;
    step.subpaths.emplace_back(name, subpath(inner, depth));
    step.message.set(name, Value(std::string(value)));
  } else if (!type.empty()) {
    step.message.set(name, typed_value(value, type));
  } else {
    step.message.set(name, Value(std::string(value)));
  }
}

void apply_inline_pairs(PathStep& step, std::string_view rest, int depth) {
  for (const auto& pair : split_at_depth0(rest, '&')) {
    size_t eq = find_at_depth0(pair, "=");
    if (eq == std::string::npos) {
      apply_pair(step, pair, "", /*literal_true=*/true, depth);
    } else {
      apply_pair(step, pair.substr(0, eq), std::string_view(pair).substr(eq + 1), false, depth);
    }
  }
}

PathStep parse_segment(const std::string& part, int depth) {
  PathStep step;
  if (looks_like_id(part)) {
    step.kind = PathStep::Kind::kId;
    step.id = part;
    return step;
  }
  if (wrapped_in_parens(part)) {
    step.kind = PathStep::Kind::kResolve;
    step.subpath = subpath(std::string_view(part).substr(1, part.size() - 2), depth);
    return step;
  }
  size_t at = find_at_depth0(part, "&~+ ");
  if (at == std::string::npos) {
    step.message.set("path", Value(part));
    return step;
  }
  if (part[at] == '+' || part[at] == ' ') {
    fail("'" + part + "': a '+' or space may only follow an inline key (k+type=v)");
  }
  step.message.set("path", Value(part.substr(0, at)));
  std::string_view rest = std::string_view(part).substr(at);
  if (rest.front() == '~') {
    rest.remove_prefix(1);
    size_t amp = find_at_depth0(rest, "&");
    std::string_view device = rest.substr(0, amp);
    if (device.empty()) fail("'" + part + "': '~' must name a device");
    step.kind = PathStep::Kind::kAs;
    if (wrapped_in_parens(device)) {
      step.subpath = subpath(device.substr(1, device.size() - 2), depth);
    } else {
      step.device = normalize_key(device);
    }
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp);
  }
  apply_inline_pairs(step, rest, depth);
  return step;
}

std::vector<std::string> checked_segments(std::string_view path) {
  int depth = 0;
  for (char c : path) {
    if (c == '(') ++depth;
    if (c == ')' && --depth < 0)
      fail("unbalanced ')' in '" + std::string(path.substr(0, 80)) + "'");
  }
  if (depth != 0) fail("unclosed '(' in '" + std::string(path.substr(0, 80)) + "'");
  std::vector<std::string> parts = split_path_segments(path);
  for (const auto& p : parts) {
    if (p.size() > kMaxPathSegmentBytes) {
      fail("a path segment is longer than " + std::to_string(kMaxPathSegmentBytes) + " bytes");
    }
  }
  return parts;
}

PathList parse_path(std::string_view path, int depth) {
  if (depth > 32) fail("sub-paths nested more than 32 deep");
  PathList list;
  for (const auto& raw : checked_segments(path)) {
    list.push_back(parse_segment(percent_decode(raw, false), depth));
  }
  // docs/protocol.md §6 step 4: a path that starts with a plain message gets an empty base.
  if (!list.empty() && list.front().kind == PathStep::Kind::kMessage) {
    list.insert(list.begin(), PathStep{});
  }
  return list;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> split_path_segments(std::string_view path) {
  return split_at_depth0(path, '/');
}

PathList parse_hyperpath(const Message& singleton) {
  const Value* path_value = singleton.find("path");
  std::string target = path_value != nullptr && path_value->is_binary()
                           ? std::string(path_value->as_binary())
                           : std::string();
  size_t q = target.find('?');
  std::string_view path = std::string_view(target).substr(0, q);
  std::string_view query =
      q == std::string::npos ? std::string_view() : std::string_view(target).substr(q + 1);

  // Global keys: every non-path key of the singleton, then the query (wins).
  std::vector<std::pair<std::string, Value>> globals;
  for (const auto& [k, v] : singleton) {
    if (k != "path") globals.emplace_back(k, v);
  }
  for (const auto& pair : split_at_depth0(query, '&')) {
    size_t eq = pair.find('=');
    std::string key = percent_decode(std::string_view(pair).substr(0, eq), true);
    if (normalize_key(key) == "path")
      continue;  // the target is the path; a query cannot replace it
    Value value = eq == std::string::npos
                      ? Value::boolean(true)
                      : Value(percent_decode(std::string_view(pair).substr(eq + 1), true));
    globals.emplace_back(std::move(key), std::move(value));
  }

  PathList list = parse_path(path, 0);

  // Scope and type the globals (docs/protocol.md §6 steps 5-6), then apply them.
  std::map<size_t, PathStep> scoped;  // element index → keys for it alone
  PathStep global;
  for (auto& [key, value] : globals) {
    std::string name = key;
    size_t target_index = std::string::npos;
    size_t dot = name.find('.');
    if (dot != std::string::npos && name.find('.', dot + 1) == std::string::npos &&
        all_digits(std::string_view(name).substr(0, dot))) {
      // A scope past the end of the list is dropped (docs/protocol.md §6 step 5), so
      // an index too large to parse is simply out of range.
      size_t n = 0;
      auto [end, ec] = std::from_chars(name.data(), name.data() + dot, n);
      target_index = ec == std::errc() ? n : std::numeric_limits<size_t>::max() - 1;
      name = name.substr(dot + 1);
    }
    PathStep& into = target_index == std::string::npos ? global : scoped[target_index];
    if (value.is_binary()) {
      apply_pair(into, name, value.as_binary(), false, 0);
    } else {
      into.message.set(name, value);
    }
  }
  for (size_t i = 0; i < list.size(); ++i) {
    PathStep& step = list[i];
    const Value* own_path = step.message.find("path");
    bool takes_globals = step.kind == PathStep::Kind::kMessage ||
                         (step.kind == PathStep::Kind::kAs && own_path != nullptr &&
                          own_path->is_binary() && own_path->as_binary().empty());
    if (!takes_globals) continue;
    for (const PathStep* source : {&global, scoped.count(i) ? &scoped[i] : nullptr}) {
      if (source == nullptr) continue;
      for (const auto& [k, v] : source->message)
        step.message.set(k, v);  // globals win (docs/protocol.md §6 step 6)
      for (const auto& sp : source->subpaths) {
        for (auto it = step.subpaths.begin(); it != step.subpaths.end();) {
          it = it->first == sp.first ? step.subpaths.erase(it) : it + 1;
        }
        step.subpaths.push_back(sp);
      }
    }
  }
  return list;
}

PathList parse_hyperpath(std::string_view target) {
  return parse_hyperpath(Message{{"path", Value(target)}});
}

bool PathStep::operator==(const PathStep& o) const {
  auto same_list = [](const std::shared_ptr<PathList>& a, const std::shared_ptr<PathList>& b) {
    if (!a || !b) return !a && !b;
    return *a == *b;
  };
  if (kind != o.kind || id != o.id || device != o.device || !(message == o.message)) return false;
  if (!same_list(subpath, o.subpath) || subpaths.size() != o.subpaths.size()) return false;
  for (size_t i = 0; i < subpaths.size(); ++i) {
    if (subpaths[i].first != o.subpaths[i].first ||
        !same_list(subpaths[i].second, o.subpaths[i].second)) {
      return false;
    }
  }
  return true;
}

std::string describe(const PathList& list) {
  std::string out = "[";
  for (size_t i = 0; i < list.size(); ++i) {
    const PathStep& s = list[i];
    if (i > 0) out += ", ";
    switch (s.kind) {
      case PathStep::Kind::kId:
        out += s.id;
        continue;
      case PathStep::Kind::kResolve:
        out += "resolve" + describe(*s.subpath);
        continue;
      case PathStep::Kind::kAs:
        out += "as(" + (s.subpath ? "resolve" + describe(*s.subpath) : s.device) + ")";
        break;
      case PathStep::Kind::kMessage:
        break;
    }
    out += "{";
    bool first = true;
    for (const auto& [k, v] : s.message) {
      out += (first ? "" : ", ") + k + ":";
      first = false;
      if (v.is_binary()) {
        out += "\"" + std::string(v.as_binary()) + "\"";
      } else if (v.is_integer()) {
        out += std::to_string(v.as_integer());
      } else if (v.is_atom()) {
        out += v.as_atom();
      } else {
        out += kind_name(v.kind());
      }
    }
    for (const auto& [k, sp] : s.subpaths) out += " " + k + "=resolve" + describe(*sp);
    out += "}";
  }
  return out + "]";
}

}  // namespace hashpath
