#include "engine/node/node_state.h"

namespace hashpath {

NodeState::NodeState(Wallet wallet, Message config) : wallet_(std::move(wallet)), config_(std::move(config)) {}

Message NodeState::config() const {
  std::lock_guard<std::mutex> lock(mu_);
  return config_;
}

std::string NodeState::operator_address() const {
  std::lock_guard<std::mutex> lock(mu_);
  const Value* op = config_.find("operator");
  return op != nullptr && op->is_binary() ? std::string(op->as_binary()) : wallet_.address();
}

size_t NodeState::apply_update(const Message& changes) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [k, v] : changes) config_.set(k, v);
  history_.push_back(changes);
  return history_.size();
}

void NodeState::replace_config(Message config) {
  std::lock_guard<std::mutex> lock(mu_);
  config_ = std::move(config);
}

size_t NodeState::history_length() const {
  std::lock_guard<std::mutex> lock(mu_);
  return history_.size();
}

}  // namespace hashpath
