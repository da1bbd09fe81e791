// What a running node is: its wallet and its node message (configuration),
// with the history of signed configuration changes. Shared by the request
// handler and the devices that expose or change it (meta@1.0).
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/crypto/wallet.h"
#include "engine/message/message.h"

namespace hashpath {

class NodeState {
 public:
  NodeState(Wallet wallet, Message config);

  const Wallet& wallet() const { return wallet_; }
  std::string address() const { return wallet_.address(); }

  Message config() const;  // a snapshot
  // The node message as anyone may see it: without private keys, with
  // `address`. Built once per configuration change, so its IDs are
  // computed once too.
  Message public_config() const;
  // Who may change the configuration: `operator`, default the node address;
  // "unclaimed" means anyone.
  std::string operator_address() const;
  // Merges `changes` into the configuration and appends them to the history.
  // Returns the new history length.
  size_t apply_update(const Message& changes);
  size_t history_length() const;
  // Replaces the configuration at boot (the `start` hook's result); not an
  // update, so not in the history.
  void replace_config(Message config);

 private:
  Wallet wallet_;
  mutable std::mutex mu_;
  Message config_;
  mutable std::optional<Message> public_config_;  // cleared on every change
  std::vector<Message> history_;
};

}  // namespace hashpath
