#include "tests/support/node_under_test.h"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "engine/error.h"
#include "engine/http/client.h"
#include "engine/node/wallet_file.h"

namespace hashpath::testing {

std::string hashpath_binary() { return HASHPATH_BINARY; }

ProcessResult run_hashpath(const std::vector<std::string>& args, const ProcessOptions& options) {
  std::vector<std::string> argv{hashpath_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, options);
}

NodeUnderTest::NodeUnderTest(Options options) : options_(std::move(options)) {
  // The node binds any free port itself and says which (--port-file): no
  // other test's node can take it in between.
  std::filesystem::create_directories(options_.data);
  std::filesystem::path port_file = options_.data / "port";
  std::filesystem::remove(port_file);
  std::vector<std::string> argv{hashpath_binary(), "serve",
                                "--port",          std::to_string(options_.port),
                                "--port-file",     port_file.string(),
                                "--data",          options_.data.string()};
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  process_ = std::make_unique<ChildProcess>(argv, options_.log_path, options_.env);
  for (int i = 0; i < 300 && process_->running(); ++i) {
    if (std::filesystem::exists(port_file)) {
      std::ifstream(port_file) >> port_;
      if (port_ > 0) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("hashpath serve did not start (its output: " + options_.log_path + ")");
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
