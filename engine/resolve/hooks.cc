#include "engine/resolve/hooks.h"

#include "engine/message/key.h"

namespace hashpath {
namespace {

std::string text_or(const Message& m, std::string_view key, std::string fallback) {
  if (const Value* v = m.find(key); v != nullptr && v->is_binary() && !v->as_binary().empty()) {
    return std::string(v->as_binary());
  }
  return fallback;
}

// `hook/result` may be written as a nested message or as a flat key.
std::string result_mode(const Message& handler) {
  if (const Value* hook = handler.find("hook"); hook != nullptr && hook->is_map()) {
    return text_or(hook->as_map(), "result", "return");
  }
  return text_or(handler, "hook/result", "return");
}

}  // namespace

std::optional<Value> hook_handlers(const Message& node_message, std::string_view name) {
  const Value* on = node_message.find("on");
  if (on == nullptr || !on->is_map()) return std::nullopt;
  const Value* handlers = on->as_map().find(name);
  if (handlers == nullptr) return std::nullopt;
  return *handlers;
}

ResolveResult run_hook(Resolver& resolver, const Value& handlers, std::string_view name,
                       Message request) {
  List chain;
  if (handlers.is_list()) {
    chain = handlers.as_list();
  } else {
    chain.push_back(handlers);
  }
  ResolveOptions options;
  options.update_hashpath = false;
  for (const Value& h : chain) {
    if (!h.is_map()) {
      return {ResolveResult::Outcome::kFailure,
              Value(Message{{"status", Value::integer(500)},
                            {"body", Value("hook '" + std::string(name) +
                                           "' has a handler that is not a message")}})};
    }
    const Message& handler = h.as_map();
    Message req = request;
    req.set("path", Value(text_or(handler, "path", std::string(name))));
    req.set("method", Value(text_or(handler, "method", "GET")));
    ResolveResult r = resolver.resolve(handler, req, options);
    if (!r.is_ok()) return r;
    std::string mode = result_mode(handler);
    if (mode == "ignore") continue;
    if (mode == "error") {
      return ResolveResult::error(400, "hook '" + std::string(name) + "' refused the request");
    }
    if (!r.value.is_map()) {
      return {ResolveResult::Outcome::kFailure,
              Value(Message{
                  {"status", Value::integer(500)},
                  {"body", Value("hook '" + std::string(name) + "' returned " +
                                 std::string(kind_name(r.value.kind())) + ", not a message")}})};
    }
    request = r.value.as_map();
  }
  return ResolveResult::ok(Value(std::move(request)));
}

}  // namespace hashpath
