// meta@1.0: the node describing and configuring itself
// (docs/devices.md §8).
//
//   GET  /~meta@1.0/info           the node message (private keys removed) + address
//   GET  /~meta@1.0/info/address   the node's address (plain text)
//   POST /~meta@1.0/info           merge the request's keys into the node message;
//                                  only when signed by the operator
//   GET  /~meta@1.0/build/<key>    node, version
//
// Hashpath is stricter than HyperBEAM: an update must carry a valid
// commitment by the operator (or the operator must be "unclaimed"), and
// transport keys (path, method) are never merged.
#pragma once

#include <memory>

#include "engine/node/node_state.h"
#include "engine/resolve/device.h"

namespace hashpath {

class MetaDevice : public Device {
 public:
  explicit MetaDevice(std::shared_ptr<NodeState> node) : node_(std::move(node)) {}
  std::string_view name() const override { return "meta@1.0"; }
  bool handles(std::string_view key) const override { return key == "info" || key == "build"; }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;

 private:
  ResolveResult update(const Message& request);
  std::shared_ptr<NodeState> node_;
};

}  // namespace hashpath
