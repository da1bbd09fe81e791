#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace hashpath::testing {
namespace {

int exit_status_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// argv and the environment as exec wants them, built before fork (the
// child of a threaded test may only call async-signal-safe functions).
struct ExecArgs {
  std::vector<std::string> storage;
  std::vector<char*> argv, envp;
  ExecArgs(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    std::vector<std::string> merged = env;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry(*e);
      std::string name = entry.substr(0, entry.find('='));
      bool overridden = false;
      for (const std::string& x : env) overridden = overridden || x.rfind(name + "=", 0) == 0;
      if (!overridden) merged.push_back(entry);
    }
    storage = args;
    storage.insert(storage.end(), merged.begin(), merged.end());
    for (size_t i = 0; i < storage.size(); ++i) {
      (i < args.size() ? argv : envp).push_back(storage[i].data());
    }
    argv.push_back(nullptr);
    envp.push_back(nullptr);
  }
};

// In the child after fork: exec, or exit 127.
[[noreturn]] void exec_child(const ExecArgs& exec) {
  ::execve(exec.argv[0], exec.argv.data(), exec.envp.data());
  ::_exit(127);
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return exit_status_of(status);
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) throw std::invalid_argument("run_process: no program");
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
    throw std::runtime_error("run_process: pipe failed");
  ExecArgs exec(argv, options.env);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("run_process: fork failed");
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    exec_child(exec);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  // Feed standard input and drain both outputs together, so a program that
  // writes much before reading cannot deadlock against the test.
  ProcessResult r;
  size_t written = 0;
  int in_fd = in[1];
  if (options.input.empty()) {
    ::close(in_fd);
    in_fd = -1;
  }
  ::signal(SIGPIPE, SIG_IGN);
  int open_outputs = 2;
  while (open_outputs > 0 || in_fd >= 0) {
    pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in_fd, POLLOUT, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buf[8192];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        (i == 0 ? out[0] : err[0]) = -1;
        --open_outputs;
      }
    }
    if (in_fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      ssize_t n = ::write(in_fd, options.input.data() + written, options.input.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if (n < 0 || written == options.input.size()) {
        ::close(in_fd);
        in_fd = -1;
      }
    }
  }
  r.status = wait_for(pid);
  return r;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& log_path,
                           const std::vector<std::string>& env) {
  if (argv.empty()) throw std::invalid_argument("ChildProcess: no program");
  int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) throw std::runtime_error("ChildProcess: cannot open " + log_path);
  ExecArgs exec(argv, env);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("ChildProcess: fork failed");
  if (pid_ == 0) {
    int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    exec_child(exec);
  }
  ::close(log);
}

ChildProcess::~ChildProcess() {
  if (running()) stop(SIGKILL);
}

bool ChildProcess::running() {
  if (pid_ < 0) return false;
  int status = 0;
  pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done == 0) return true;
  if (done == pid_) status_ = exit_status_of(status);
  pid_ = -1;
  return false;
}

int ChildProcess::stop(int signal) {
  if (!running()) return status_;
  ::kill(pid_, signal);
  return wait();
}

int ChildProcess::wait() {
  if (pid_ < 0) return status_;
  status_ = wait_for(pid_);
  pid_ = -1;
  return status_;
}

int free_loopback_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (s >= 0) ::close(s);
    throw std::runtime_error("free_loopback_port: cannot bind 127.0.0.1:0");
  }
  ::close(s);
  return ntohs(addr.sin_port);
}

}  // namespace hashpath::testing
