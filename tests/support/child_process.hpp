// A real child process (the ptp-node binary) that a test starts, kills with SIGKILL or stops with
// SIGTERM. Its stdout and stderr are appended to a log file the test can show when it fails.
// kill_now() may be called from another thread (a server's I/O thread, at the exact request the
// test wants the process to die on).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
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
  // Starts `argv` with the current environment plus `extra_env` ("NAME=value", replacing a variable
  // of that name), output to `log_path`.
  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
               const std::string& log_path)
      : log_path_(log_path) {
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
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("posix_spawn " + argv.at(0) + " failed: " + std::to_string(rc));
    pid_ = pid;
  }
  ~ChildProcess() { kill_now(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

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

  std::string log() const {
    std::ifstream in(log_path_);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }

 private:
  std::atomic<pid_t> pid_{0};
  std::string log_path_;
};

}  // namespace ptp::test
