#include "engine/codec/flat.h"

#include <algorithm>
#include <vector>

#include "engine/codec/structured.h"
#include "engine/error.h"

namespace hashpath {
namespace {

constexpr const char* kCodec = "flat@1.0";

[[noreturn]] void fail(const std::string& what) { throw CodecError(kCodec, what); }

void flatten(const Message& m, const std::string& prefix, int depth, FlatMap& out) {
  if (depth > kMaxNestingDepth) fail("nesting deeper than " + std::to_string(kMaxNestingDepth));
  if (m.empty() && !prefix.empty()) {
    out.emplace_back(prefix + "/ao-types", "empty-message");
    return;
  }
  for (const auto& [key, v] : m) {
    if (key.empty()) fail("empty key under '" + prefix + "'");
    if (key.find('/') != std::string::npos) fail("key '" + key + "' contains '/'");
    std::string path = prefix.empty() ? key : prefix + "/" + key;
    if (v.is_binary()) {
      out.emplace_back(std::move(path), std::string(v.as_binary()));
    } else if (v.is_map()) {
      flatten(v.as_map(), path, depth + 1, out);
    } else {
      fail("'" + path + "' is a " + kind_name(v.kind()) + "; flat@1.0 takes a TABM");
    }
  }
}

// Inserts `value` at the `/`-separated `path` (empty segments are skipped).
void insert(Message& into, std::string_view path, const Value& value, const std::string& full,
            int depth) {
  if (depth > kMaxNestingDepth) fail("path '" + full + "' is nested too deeply");
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t slash = path.find('/');
  std::string_view head = path.substr(0, slash);
  std::string_view rest = slash == std::string_view::npos ? "" : path.substr(slash + 1);
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  if (head.empty()) fail("empty path");
  const Value* existing = into.find(head);
  if (rest.empty()) {
    if (existing != nullptr) fail("path '" + full + "' is both a value and a map");
    into.set(head, value);
    return;
  }
  Message child;
  if (existing != nullptr) {
    if (!existing->is_map()) fail("path '" + full + "' is both a value and a map");
    child = existing->as_map();
  }
  into.remove(head);  // drop our reference so the child is not shared and edits in place
  insert(child, rest, value, full, depth + 1);
  into.set(head, Value(std::move(child)));
}

}  // namespace

FlatMap flat_from_tabm(const Message& tabm) {
  FlatMap out;
  flatten(tabm, "", 0, out);
  std::sort(out.begin(), out.end());
  return out;
}

Message flat_to_tabm(const FlatMap& flat) {
  Message out;
  for (const auto& [path, v] : flat) insert(out, path, Value(v), path, 0);
  return out;
}

std::string flat_serialize(const FlatMap& flat) {
  std::string out;
  for (const auto& [path, value] : flat) {
    if (path.find('\n') != std::string::npos || path.find(": ") != std::string::npos) {
      fail("path '" + path + "' cannot be written as text");
    }
    if (value.find('\n') != std::string::npos || value.find('\r') != std::string::npos) {
      fail("the value of '" + path + "' contains a line break");
    }
    out.append(path).append(": ").append(value).push_back('\n');
  }
  return out;
}

FlatMap flat_parse(std::string_view text) {
  FlatMap entries;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      fail("line " + std::to_string(line_no) + ": expected 'path: value'");
    }
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    entries.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  std::sort(entries.begin(), entries.end());
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].first == entries[i - 1].first) {
      fail("path '" + entries[i].first + "' appears more than once");
    }
  }
  return entries;
}

std::string flat_encode(const Message& message) {
  return flat_serialize(flat_from_tabm(structured_to_tabm(Value(message))));
}

Message flat_decode(std::string_view text) {
  Value v = structured_from_tabm(flat_to_tabm(flat_parse(text)));
  if (!v.is_map()) fail("the document decodes to a list, not a message");
  return v.as_map();
}

}  // namespace hashpath
