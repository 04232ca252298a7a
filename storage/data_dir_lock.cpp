#include "storage/data_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "storage/lmdb_env.hpp"

namespace ptp::storage {

DataDirLock::DataDirLock(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw StorageError("cannot create the data directory " + dir + ": " + ec.message(), ec.value());
  const std::string path = dir + "/ptp-node.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) throw StorageError("cannot open " + path + ": " + std::strerror(errno), errno);
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char buf[32] = {};
    ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
    std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "unknown";
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      throw StorageError("another ptp-node (pid " + holder + ") is already running on the data directory " + dir +
                             "; stop it first or use another --data-dir",
                         err);
    throw StorageError("cannot lock " + path + ": " + std::strerror(err), err);
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) {
    ssize_t w = ::pwrite(fd_, pid.data(), pid.size(), 0);
    (void)w;  // the pid is informational; the flock is the lock
  }
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace ptp::storage
