// Real OS processes for tests: run a program to completion, or keep one
// running in the background (a node) and stop it with a real signal.
//
// Programs are started with fork + execv from an argument vector: no shell,
// so no quoting, and a path with a space is just an argument.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace hashpath::testing {

struct ProcessOptions {
  std::string input;             // written to the program's standard input, then closed
  std::vector<std::string> env;  // "NAME=value" added to the test's environment
};

struct ProcessResult {
  int status = -1;  // the exit status; 128 + N if killed by signal N
  std::string out;  // standard output
  std::string err;  // standard error
};

// Runs argv[0] (a path) with argv and waits for it.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// A program running in the background until stopped; its output goes to
// `log_path`. The destructor SIGKILLs it if it is still running, so a
// failed assertion never leaves a node behind.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path,
               const std::vector<std::string>& env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Sends `signal` and waits; returns the exit status as run_process does.
  int stop(int signal);
  // Waits for the program to exit on its own.
  int wait();

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_loopback_port();

}  // namespace hashpath::testing
