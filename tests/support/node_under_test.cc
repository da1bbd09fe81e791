#include "tests/support/node_under_test.h"

#include <signal.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "engine/http/client.h"

namespace hashpath::testing {

std::string hashpath_binary() { return HASHPATH_BINARY; }

ProcessResult run_hashpath(const std::vector<std::string>& args, const ProcessOptions& options) {
  std::vector<std::string> argv{hashpath_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, options);
}

NodeUnderTest::NodeUnderTest(Options options) : options_(std::move(options)) {
  port_ = free_loopback_port();
  std::vector<std::string> argv{hashpath_binary(),     "serve",  "--port",
                                std::to_string(port_), "--data", options_.data.string()};
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  process_ = std::make_unique<ChildProcess>(argv, options_.log_path, options_.env);
  for (int i = 0; i < 150; ++i) {
    if (!process_->running()) break;
    try {
      (void)get("/~meta@1.0/info/address");
      return;
    } catch (const HttpClientError&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  throw std::runtime_error("hashpath serve did not start on port " + std::to_string(port_) +
                           " (its output: " + options_.log_path + ")");
}

std::vector<std::string> NodeUnderTest::client_args() const {
  return {"--node", url(), "--wallet", (options_.data / "wallet.json").string()};
}

HttpResponse NodeUnderTest::get(const std::string& target) const {
  return send(HttpRequest{"GET", target, {}, "", ""});
}

HttpResponse NodeUnderTest::send(const HttpRequest& request) const {
  return http_fetch(url(), request, 60);
}

}  // namespace hashpath::testing
