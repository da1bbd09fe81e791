#include "devices/meta.h"

#include "engine/codec/commitments.h"
#include "engine/message/key.h"
#include "hashpath/build_info.h"

namespace hashpath {
namespace {

std::string text_of(const Message& m, std::string_view key) {
  const Value* v = m.find(key);
  return v != nullptr && v->is_binary() ? std::string(v->as_binary())
         : v != nullptr && v->is_atom() ? v->as_atom()
                                        : std::string();
}

}  // namespace

ResolveResult MetaDevice::call(std::string_view key, const Message&, const Message& request,
                               Resolver&) {
  if (key == "build") {
    return ResolveResult::ok(
        Value(Message{{"node", "Hashpath"}, {"version", Value(std::string(kVersion))}}));
  }
  if (text_of(request, "method") == "POST") return update(request);
  return ResolveResult::ok(Value(node_->public_config()));
}

ResolveResult MetaDevice::update(const Message& request) {
  Message config = node_->config();
  if (text_of(config, "initialized") == "permanent") {
    return ResolveResult::error(
        400, "The node message of this machine is already permanent. It cannot be changed.");
  }
  std::string op = node_->operator_address();
  if (op != "unclaimed") {
    bool by_operator = false;
    for (const auto& check : check_commitments(request)) {
      if (check.verdict.is_ok() && check.committer == op) by_operator = true;
    }
    if (!by_operator) {
      return ResolveResult::error(
          400, "Unauthorized: configuration updates must be signed by the operator " + op);
    }
  }
  Message changes;
  for (const auto& [k, v] : request) {
    if (k == "commitments" || k == "path" || k == "method" || is_private_key(k)) continue;
    changes.set(k, v);
  }
  size_t n = node_->apply_update(changes);
  return ResolveResult::ok(Value(
      Message{{"body", Value("Node message updated. History: " + std::to_string(n) + " updates.")},
              {"history-length", Value::integer(static_cast<int64_t>(n))}}));
}

}  // namespace hashpath
