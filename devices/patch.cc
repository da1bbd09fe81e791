#include "devices/patch.h"

#include <optional>
#include <vector>

#include "engine/resolve/hyperpath.h"
#include "engine/resolve/message_device.h"

namespace hashpath {
namespace {

constexpr const char* kUnsettable[] = {"commitments", "id",  "committers", "keys",
                                       "path",        "set", "remove",     "verify"};

std::string first_of(const Message& request, const Message& base, const char* primary,
                     const char* secondary) {
  for (const char* key : {primary, secondary}) {
    for (const Message* m : {&request, &base}) {
      if (auto t = m->text(key)) return *t;
    }
  }
  return "/";
}

std::optional<Value> read_at(const Message& m, const std::vector<std::string>& path) {
  Value current(m);
  for (const auto& part : path) {
    if (!current.is_map() && !current.is_list()) return std::nullopt;
    Message here = as_message(current);
    const Value* next = here.find(part);
    if (next == nullptr) return std::nullopt;
    current = *next;
  }
  return current;
}

// `m` with the value at `path` replaced by `value`, or removed if none;
// the root itself cannot be removed, only emptied.
Message replace_at(const Message& m, const std::vector<std::string>& path, size_t i,
                   const std::optional<Value>& value) {
  if (i == path.size()) return value ? as_message(*value) : Message{};
  Message out = m;
  if (i + 1 == path.size()) {
    if (value) {
      out.set(path[i], *value);
    } else {
      out.remove(path[i]);
    }
    return out;
  }
  Message child;
  if (const Value* c = m.find(path[i])) child = as_message(*c);
  out.set(path[i], Value(replace_at(child, path, i + 1, value)));
  return out;
}

// Deep-merges `changes` into `m` at `path`, creating messages on the way.
Message merge_at(const Message& m, const std::vector<std::string>& path, size_t i,
                 const Message& changes) {
  if (i == path.size()) return merge_messages(m, changes, false);
  Message child;
  if (const Value* c = m.find(path[i])) child = as_message(*c);
  Message out = m;
  out.set(path[i], Value(merge_at(child, path, i + 1, changes)));
  return out;
}

Message settable(Message patch) {
  for (const char* k : kUnsettable) patch.remove(k);
  return patch;
}

bool is_patch(const Value& v) {
  if (!v.is_map()) return false;
  auto method = v.as_map().text("method");
  auto device = v.as_map().text("device");
  return (method && *method == "PATCH") || (device && *device == "patch@1.0");
}

}  // namespace

ResolveResult PatchDevice::call(std::string_view key, const Message& base, const Message& request,
                                Resolver&) {
  if (key == "init" || key == "normalize" || key == "snapshot")
    return ResolveResult::ok(Value(base));
  const bool all = key == "all";

  std::string from_spec = first_of(request, base, "patch-from", "from");
  std::string to_spec = first_of(request, base, "patch-to", "to");
  std::vector<std::string> from = split_path_segments(from_spec);
  const Message* source_message = &base;
  if (!from.empty() && (from.front() == "req:" || from.front() == "base:")) {
    source_message = from.front() == "req:" ? &request : &base;
    from.erase(from.begin());
  }
  std::vector<std::string> to = split_path_segments(to_spec);
  const Message& f = *source_message;

  std::optional<Value> source = read_at(f, from);
  if (!source || (!source->is_map() && !source->is_list())) {
    return ResolveResult::not_found("patch@1.0: nothing to patch at '" + from_spec + "'");
  }
  Message src = as_message(*source);

  Message combined;
  std::optional<Value> new_source;
  if (all) {
    combined = settable(src);
  } else {
    Message remaining;
    for (const auto& [k, msg] : src) {  // byte order of the keys
      if (is_patch(msg)) {
        Message patch = msg.as_map();
        patch.remove("method");
        combined = merge_messages(combined, settable(std::move(patch)), false);
      } else {
        remaining.set(k, msg);
      }
    }
    new_source = Value(std::move(remaining));
  }
  Message f2 = replace_at(f, from, 0, new_source);
  return ResolveResult::ok(Value(merge_at(f2, to, 0, combined)));
}

}  // namespace hashpath
