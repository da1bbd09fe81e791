// A real `hashpath serve` on a loopback port, for tests that drive the node
// as its users do: over HTTP, with the real CLI, and stopped by a real
// signal (SIGTERM for a clean stop, SIGKILL for a crash).
#pragma once

#include <csignal>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/http/http_types.h"
#include "tests/support/subprocess.h"

namespace hashpath::testing {

// The hashpath program under test (built by CMake; HASHPATH_BINARY).
std::string hashpath_binary();

// `args` as a user types them when a message ID begins with '-' (one in
// 64 does): an option's value attached with '=', a positional after "--"
// (README: "IDs that begin with a dash").
std::vector<std::string> with_dashed_ids_protected(const std::vector<std::string>& args);

// Runs the hashpath program with `args` (with_dashed_ids_protected).
ProcessResult run_hashpath(const std::vector<std::string>& args,
                           const ProcessOptions& options = {});

class NodeUnderTest {
 public:
  struct Options {
    std::filesystem::path data;           // --data
    std::vector<std::string> extra_args;  // e.g. {"--config", file}
    std::string log_path = "/dev/null";   // the node's own output
    std::vector<std::string> env = {"SPDLOG_LEVEL=warn"};
    int port = 0;  // --port (0: any free port, reported back)
  };
  // Starts the node and waits (up to 15 s) until it answers HTTP; throws
  // naming the log if it does not.
  explicit NodeUnderTest(Options options);

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // "--node URL --wallet DATA/wallet.json": how the CLI's client commands reach it.
  std::vector<std::string> client_args() const;

  HttpResponse get(const std::string& target) const;
  HttpResponse send(const HttpRequest& request) const;

  bool running() { return process_->running(); }
  int stop() { return process_->stop(SIGTERM); }  // the exit status
  int kill() { return process_->stop(SIGKILL); }

 private:
  Options options_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace hashpath::testing
