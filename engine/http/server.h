// An asynchronous HTTP/1.1 server (Boost.Beast) that hands each request to
// a handler and writes back what it returns.
//
// Promises: keep-alive; one io thread per core by default; a request whose
// headers exceed `max_header_bytes` gets 431, whose body exceeds
// `max_body_bytes` gets 413, a malformed one 400 — each with a reason, and
// the server keeps serving. A client that does not finish sending its
// request within `read_timeout` (slow or idle) is disconnected. A
// Transfer-Encoding other than chunked is 501 and the connection closes.
//
// The handler never runs on an io thread: each request goes to the worker
// pool `pool_for` names (one per kind of work, so a slow kind cannot hold
// up another), and one whose pool already has `max_waiting` requests
// waiting gets 503 at once. The handler must be thread-safe. A worker
// whose pool has nothing waiting writes a small response (≤ 64 KiB)
// itself, without blocking, and starts the connection's next read: one
// thread wake-up fewer per request. Under load, or for a response the
// socket does not take at once, an io thread writes, as for a large one.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/http/http_types.h"

namespace hashpath {

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  struct Options {
    std::string address = "127.0.0.1";
    uint16_t port = 8734;  // 0: pick a free port (tests)
    unsigned threads = 0;  // 0: one per core
    size_t max_header_bytes = 16 * 1024;
    size_t max_body_bytes = 16 * 1024 * 1024;
    std::chrono::milliseconds read_timeout{30000};
    struct Pool {
      unsigned threads = 0;  // 0: one per core
      size_t max_waiting = 4096;
    };
    std::vector<Pool> pools;  // empty: one pool
    // The index of the pool a request runs in (clamped); null: pool 0.
    std::function<size_t(const HttpRequest&)> pool_for;
  };

  HttpServer(Options options, Handler handler);  // binds; Error if the port is taken
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;   // the bound port
  void start();            // returns at once; io threads serve in the background
  void stop_on_signals();  // SIGINT/SIGTERM stop the server
  void stop();             // closes the listener and connections; idempotent
  void wait();             // blocks until the io threads have finished

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hashpath
