#include "devices/stack.h"

#include <algorithm>
#include <optional>

#include "engine/resolve/resolver.h"

namespace hashpath {
namespace {

Message members_of(const Message& base) {
  const Value* stack = base.find("device-stack");
  return stack == nullptr ? Message{} : as_message(*stack);
}

std::optional<Value> prefix_for(const Message& base, const char* table, const std::string& member) {
  const Value* t = base.find(table);
  if (t == nullptr) return std::nullopt;
  Message m = as_message(*t);
  if (const Value* p = m.find(member)) return *p;
  return std::nullopt;
}

// docs/devices.md §3: `m` activated as member `member`; nullopt if there is none.
std::optional<Message> transform(const Message& m, const std::string& member) {
  const Message members = members_of(m);  // owns what `device` points into
  const Value* device = members.find(member);
  if (device == nullptr) return std::nullopt;
  Message out = m;
  const Value* old_device = m.find("device");
  const Value* old_in = m.find("input-prefix");
  const Value* old_out = m.find("output-prefix");
  if (old_device != nullptr) out.set("previous-device", *old_device);
  if (old_in != nullptr) out.set("previous-input-prefix", *old_in);
  if (old_out != nullptr) out.set("previous-output-prefix", *old_out);
  out.set("device", *device);
  out.set("device-key", Value(member));
  if (auto p = prefix_for(m, "input-prefixes", member)) out.set("input-prefix", *p);
  if (auto p = prefix_for(m, "output-prefixes", member)) out.set("output-prefix", *p);
  return out;
}

constexpr int64_t kMaxPasses = 1000;  // a stack that passes forever is an error

// Members are invoked like internal calls: no hashpath per member.
ResolveOptions member_options() {
  ResolveOptions o;
  o.update_hashpath = false;
  return o;
}

ResolveResult fold(std::string_view key, const Message& base, const Message& request,
                   Resolver& resolver) {
  const Value* start_pass = base.find("pass");
  Message m = base;
  m.set("pass", Value::integer(1));
  Message req = request;
  req.set("path", Value(std::string(key)));
  const Message members = members_of(base);
  ResolveResult result = ResolveResult::ok(Value(m));
  size_t i = 0;
  std::vector<std::string> order;
  for (const auto& [k, v] : members) {
    (void)v;
    order.push_back(k);
  }
  // Members run in the numeric order of their keys ("1", "2", ..., "10").
  std::stable_sort(order.begin(), order.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  while (i < order.size()) {
    std::optional<Message> t = transform(m, order[i]);
    if (!t) break;
    ResolveResult r = resolver.step(*t, req, member_options());
    if (r.status == ResolveResult::Outcome::kNotFound) {
      m = *t;
      ++i;
      continue;
    }
    if (r.status == ResolveResult::Outcome::kOk && !r.value.is_map())
      return r;                       // a raw value ends the stack
    if (!r.value.is_map()) return r;  // an error
    if (r.status == ResolveResult::Outcome::kOk) {
      m = r.value.as_map();
      ++i;
      continue;
    }
    if (r.status == ResolveResult::Outcome::kSkip) {
      m = r.value.as_map();
      break;
    }
    if (r.status == ResolveResult::Outcome::kPass) {
      m = r.value.as_map();
      int64_t next = m.integer("pass").value_or(1) + 1;
      if (next > kMaxPasses) return ResolveResult::error(508, "stack@1.0: more than 1000 passes");
      m.set("pass", Value::integer(next));
      i = 0;
      continue;
    }
    return r;  // error, failure, ...: the stack fails with it
  }
  // Restore the stack's own view of itself .
  const Value* stack_device = base.find("device");
  if (stack_device != nullptr) m.set("device", *stack_device);
  if (const Value* p = m.find("previous-input-prefix")) {
    m.set("input-prefix", *p);
  }
  if (const Value* p = m.find("previous-output-prefix")) {
    m.set("output-prefix", *p);
  }
  m.remove("device-key");
  m.remove("device-stack-previous");
  if (start_pass != nullptr) {
    m.set("pass", *start_pass);
  } else {
    m.remove("pass");
  }
  return ResolveResult::ok(Value(std::move(m)));
}

ResolveResult map_mode(std::string_view key, const Message& base, const Message& request,
                       Resolver& resolver) {
  Message req = request;
  req.set("path", Value(std::string(key)));
  Message out;
  for (const auto& [member, device] : members_of(base)) {
    (void)device;
    if (member == "path" || member == "hashpath" || member == "priv") continue;
    std::optional<Message> t = transform(base, member);
    if (!t) continue;
    ResolveResult r = resolver.step(*t, req, member_options());
    if (r.status == ResolveResult::Outcome::kOk) out.set(member, r.value);
  }
  return ResolveResult::ok(Value(std::move(out)));
}

}  // namespace

ResolveResult StackDevice::call(std::string_view key, const Message& base, const Message& request,
                                Resolver& resolver) {
  if (const Value* only = base.find("stack-keys"); only != nullptr && only->is_list()) {
    bool listed = false;
    for (const Value& k : only->as_list())
      listed = listed || (k.is_binary() && k.as_binary() == key);
    if (!listed) return resolver.devices().message_device()->call(key, base, request, resolver);
  }
  if (!base.contains("device-stack"))
    return ResolveResult::error(400, "stack@1.0 needs a device-stack");
  if (key == "transform") {
    std::string member = request.text("device-key").value_or("");
    std::optional<Message> t = transform(base, member);
    if (!t) return ResolveResult::not_found("the stack has no member '" + member + "'");
    return ResolveResult::ok(Value(std::move(*t)));
  }
  std::string mode = request.text("mode").value_or(base.text("mode").value_or("Fold"));
  if (mode == "Map") return map_mode(key, base, request, resolver);
  if (mode != "Fold")
    return ResolveResult::error(400, "stack@1.0 mode must be Fold or Map, not '" + mode + "'");
  return fold(key, base, request, resolver);
}

}  // namespace hashpath
