// One node per data directory: an exclusive flock on <dir>/ptp-node.lock, held for the process's
// life and released by the kernel even on SIGKILL (so a crashed node never blocks a restart).
#pragma once

#include <string>

namespace ptp::storage {

class DataDirLock {
 public:
  // Throws StorageError naming the directory and the holder's pid when another process holds it.
  explicit DataDirLock(const std::string& dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace ptp::storage
