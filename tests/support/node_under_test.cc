#include "tests/support/node_under_test.h"

#include <signal.h>

#include <cctype>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "engine/error.h"
#include "engine/http/client.h"
#include "engine/node/wallet_file.h"

namespace hashpath::testing {

std::string hashpath_binary() { return HASHPATH_BINARY; }

namespace {

// A 43-character message ID that begins with '-' (1 in 64 of them): a
// command line would read it as options.
bool is_dashed_id(const std::string& a) {
  if (a.size() != 43 || a[0] != '-') return false;
  for (char c : a)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

}  // namespace

std::vector<std::string> with_dashed_ids_protected(const std::vector<std::string>& args) {
  std::vector<std::string> out, positional;
  for (const std::string& a : args) {
    if (!is_dashed_id(a)) {
      out.push_back(a);
    } else if (!out.empty() && out.back().rfind("--", 0) == 0 &&
               out.back().find('=') == std::string::npos && out.back() != "--json") {
      out.back() += "=" + a;  // an option's value: attached
    } else {
      positional.push_back(a);  // a positional: after "--"
    }
  }
  if (!positional.empty()) {
    out.push_back("--");
    out.insert(out.end(), positional.begin(), positional.end());
  }
  return out;
}

ProcessResult run_hashpath(const std::vector<std::string>& args, const ProcessOptions& options) {
  std::vector<std::string> argv{hashpath_binary()};
  for (const std::string& a : with_dashed_ids_protected(args)) argv.push_back(a);
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
