// A real child process (the ptp-node binary) that a test starts, kills with SIGKILL or stops with
// SIGTERM. Its stdout and stderr are appended to a log file the test can show when it fails, or go
// to a pipe the test reads line by line as they are written (`Piped`). kill_now() may be called
// from another thread (a server's I/O thread, at the exact request the test wants the process to
// die on).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <utility>
#include <thread>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace ptp::test {

class ChildProcess {
 public:
  struct Piped {};

  // Starts `argv` with the current environment plus `extra_env` ("NAME=value", replacing a variable
  // of that name), output to `log_path` (or, with Piped, to a pipe read by next_line()).
  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
               const std::string& log_path)
      : log_path_(log_path) {
    spawn(argv, extra_env, [&](posix_spawn_file_actions_t& actions) {
      posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    });
  }

  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env, Piped) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    spawn(argv, extra_env, [&](posix_spawn_file_actions_t& actions) {
      posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
      posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
      posix_spawn_file_actions_addclose(&actions, fds[0]);
    });
    ::close(fds[1]);
    out_fd_ = fds[0];
  }
  ~ChildProcess() {
    kill_now();
    if (out_fd_ >= 0) ::close(out_fd_);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Piped: the next line of output (with its newline) as soon as it is written; nullopt once the
  // process closed its output, or at `deadline`.
  std::optional<std::string> next_line(std::chrono::steady_clock::time_point deadline) {
    while (true) {
      if (const auto nl = pending_.find('\n'); nl != std::string::npos) {
        std::string line = pending_.substr(0, nl + 1);
        pending_.erase(0, nl + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{out_fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;  // a timeout: the deadline check ends it
      char buf[4096];
      const ssize_t n = ::read(out_fd_, buf, sizeof buf);
      if (n <= 0) {
        if (pending_.empty()) return std::nullopt;
        return std::exchange(pending_, std::string());
      }
      pending_.append(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  template <class Redirect>
  void spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env, Redirect redirect) {
    std::vector<std::string> env_strings;
    auto name_of = [](const std::string& e) { return e.substr(0, e.find('=') + 1); };
    for (char** e = environ; *e; ++e) {
      const std::string var = *e;
      bool replaced = false;
      for (const auto& x : extra_env) replaced = replaced || name_of(x) == name_of(var);
      if (!replaced) env_strings.push_back(var);
    }
    for (const auto& e : extra_env) env_strings.push_back(e);
    std::vector<char*> env, args;
    for (auto& e : env_strings) env.push_back(e.data());
    env.push_back(nullptr);
    std::vector<std::string> argv_copy = argv;
    for (auto& a : argv_copy) args.push_back(a.data());
    args.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    redirect(actions);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("posix_spawn " + argv.at(0) + " failed: " + std::to_string(rc));
    pid_ = pid;
  }

 public:

  // SIGKILL and reap: when this returns the process is gone (no cleanup of any kind ran).
  // Returns false when it had already been killed or stopped.
  bool kill_now() {
    const pid_t pid = pid_.exchange(0);
    if (pid == 0) return false;
    ::kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    return true;
  }

  // SIGTERM and wait: the exit code of a clean stop (-1 if killed by a signal or already gone).
  int stop() {
    const pid_t pid = pid_.exchange(0);
    if (pid == 0) return -1;
    ::kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // Waits for the process to exit by itself: its exit code, or -1 when it was killed by a signal
  // (also by this, after `deadline`, if it had not exited by then).
  int wait_exit(std::chrono::milliseconds deadline) {
    const pid_t pid = pid_.exchange(0);
    if (pid == 0) return -1;
    std::mutex mu;
    std::condition_variable cv;
    bool exited = false;
    std::thread watchdog([&] {
      std::unique_lock lock(mu);
      if (!cv.wait_for(lock, deadline, [&] { return exited; })) ::kill(pid, SIGKILL);
    });
    int status = 0;
    waitpid(pid, &status, 0);
    {
      std::lock_guard lock(mu);
      exited = true;
    }
    cv.notify_all();
    watchdog.join();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  bool running() const { return pid_.load() != 0; }
  pid_t pid() const { return pid_.load(); }  // 0 once killed, stopped or reaped

  std::string log() const {
    std::ifstream in(log_path_);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }

 private:
  std::atomic<pid_t> pid_{0};
  std::string log_path_;
  int out_fd_ = -1;      // Piped: the read end
  std::string pending_;  // Piped: read, not yet returned
};

}  // namespace ptp::test
