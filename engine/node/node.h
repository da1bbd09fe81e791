// A running node's request path: HTTP request → message → HyperPATH →
// resolution → HTTP response (spec/resolution-and-http.md §6.1, §6.3).
//
//   OPTIONS *        204 with CORS headers
//   GET /            302 to /~meta@1.0/info
//   anything else    decoded, parsed and resolved; every failure caused by
//                    the request is a 4xx whose body says why. A signed
//                    request message is stored, readable at /<id>.
//
// Hooks of the node message's `on` key (spec §6.3): `start` once, from
// start(); `request` before the path is parsed (its body replaces the
// request message: Hashpath hands hooks the request as one message, not
// HyperBEAM's parsed list); `step` in every step; `response` before the
// result is encoded. A hook's error is the response.
//
// One log line per request (spdlog, info level). Thread-safe.
#pragma once

#include <memory>

#include "engine/http/http_types.h"
#include "engine/node/node_state.h"
#include "engine/node/step_recorder.h"
#include "engine/resolve/resolver.h"
#include "engine/store/store.h"

namespace hashpath {

class Node {
 public:
  // With a log, every step is recorded (StepRecorder) and committed before
  // the response is returned; responses carry `log-seq`.
  Node(std::shared_ptr<NodeState> state, std::shared_ptr<Store> store,
       std::shared_ptr<DeviceRegistry> devices, std::shared_ptr<HashpathLog> log = nullptr);

  // Runs the `start` hook, whose result's body becomes the node message.
  // Throws Error with the hook's reason if it fails.
  void start();

  HttpResponse handle(const HttpRequest& request);

  Resolver& resolver() { return resolver_; }
  NodeState& state() { return *state_; }

 private:
  HttpResponse handle_resolution(const HttpRequest& request);

  std::shared_ptr<NodeState> state_;
  std::shared_ptr<Store> store_;
  std::shared_ptr<DeviceRegistry> devices_;
  std::unique_ptr<StepRecorder> recorder_;
  Resolver resolver_;
};

}  // namespace hashpath
