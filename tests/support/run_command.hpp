// Runs a shell command to its end and keeps what it printed (stdout and stderr together): the
// binaries and foreign tools the tests drive as a user would (ptp-node, ptp-ctl, promtool, Node.js).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace ptp::test {

struct CommandRun {
  int exit_code = -1;  // -1: it did not exit normally
  std::string output;  // stdout and stderr
};

inline CommandRun run_command(const std::string& command) {
  const std::string cmd = command + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run: " + command);
  CommandRun r;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace ptp::test
