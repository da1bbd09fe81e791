// A running node's request path: HTTP request → message → HyperPATH →
// resolution → HTTP response (docs/protocol.md §8).
//
//   OPTIONS *        204 with CORS headers
//   GET /            302 to /~meta@1.0/info
//   anything else    decoded, parsed and resolved; every failure caused by
//                    the request is a 4xx whose body says why. A signed
//                    request message is stored, readable at /<id>.
//
// Every reply to a resolution, whatever its status (a 404 key, a hook's
// error, a device that threw), is sent after the entries the request
// appended are committed, and names the last in `log-seq`. The exception
// is a write that failed (StoreWriteError: a full disk): the reply is 503
// without `log-seq`, and no entry naming what was not written is committed.
//
// Hooks of the node message's `on` key (docs/protocol.md §8.3): `start` once, from
// start(); `request` before the path is parsed (its body replaces the
// request message: Hashpath hands hooks the request as one message, not
// HyperBEAM's parsed list); `step` in every step; `response` before the
// result is encoded. A hook's error is the response.
//
// One access-log line per request (spdlog, info level; access_log.h).
// Thread-safe.
#pragma once

#include <memory>

#include "engine/http/http_types.h"
#include "engine/node/node_state.h"
#include "engine/node/step_recorder.h"
#include "engine/resolve/resolver.h"
#include "engine/store/store.h"

namespace hashpath {

// The kinds of work a node's requests are, each run by its own worker pool
// (HttpServer::Options::pools): the node's own surface (meta@1.0, log@1.0:
// what operators, verifiers and witnesses read) never waits behind
// executions.
enum class NodeWork : size_t { kNode = 0, kExecution = 1 };

class Node {
 public:
  static NodeWork work_kind(const HttpRequest& request);
  // A GET of log@1.0: the log's read path (checkpoints, tiles, proofs,
  // entries, message records), answered without being logged, so that
  // reading the log never grows it (docs/verification.md).
  static bool is_log_read(const HttpRequest& request);

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
  // The request scope: commits what the request appended on every exit.
  HttpResponse handle_resolution(const HttpRequest& request);
  // Decoding, hooks and resolution, through the request's own resolver.
  HttpResponse resolve_request(const HttpRequest& request, Resolver& resolver);

  std::shared_ptr<NodeState> state_;
  std::shared_ptr<Store> store_;
  std::shared_ptr<DeviceRegistry> devices_;
  std::unique_ptr<StepRecorder> recorder_;
  Resolver resolver_;
};

}  // namespace hashpath
