#include "engine/node/node_state.h"

#include "engine/message/key.h"

namespace hashpath {

NodeState::NodeState(Wallet wallet, Message config)
    : wallet_(std::move(wallet)), config_(std::move(config)) {}

Message NodeState::config() const {
  std::lock_guard<std::mutex> lock(mu_);
  return config_;
}

namespace {
Message without_private(const Message& m) {
  Message out;
  for (const auto& [k, v] : m) {
    if (is_private_key(k)) continue;
    out.set(k, v.is_map() ? Value(without_private(v.as_map())) : v);
  }
  return out;
}
}  // namespace

Message NodeState::public_config() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!public_config_) {
    Message info = without_private(config_);
    info.set("address", Value(wallet_.address()));
    public_config_ = std::move(info);
  }
  return *public_config_;
}

std::string NodeState::operator_address() const {
  std::lock_guard<std::mutex> lock(mu_);
  const Value* op = config_.find("operator");
  return op != nullptr && op->is_binary() ? std::string(op->as_binary()) : wallet_.address();
}

size_t NodeState::apply_update(const Message& changes) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [k, v] : changes) config_.set(k, v);
  public_config_.reset();
  history_.push_back(changes);
  return history_.size();
}

void NodeState::replace_config(Message config) {
  std::lock_guard<std::mutex> lock(mu_);
  config_ = std::move(config);
  public_config_.reset();
}

size_t NodeState::history_length() const {
  std::lock_guard<std::mutex> lock(mu_);
  return history_.size();
}

}  // namespace hashpath
