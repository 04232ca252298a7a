// LD_PRELOAD library for the fault tests: makes the disk under LMDB's data file fail on demand, in
// a process that is otherwise untouched. While the file named by PTP_FAILING_DISK_FLAG exists, every
// write and sync of a file named data.mdb fails with PTP_FAILING_DISK_ERRNO ("ENOSPC": the disk is
// full, "EROFS": it was remounted read-only). With PTP_FAILING_DISK_META_ONLY=1 only the writes to
// LMDB's two meta pages fail: a commit's data pages land and its last write does not, which LMDB
// answers with MDB_PANIC until the environment is reopened. No privileges needed, unlike a full or
// read-only mount.
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdio>

namespace {

bool failing(int fd) {
  const char* flag = getenv("PTP_FAILING_DISK_FLAG");
  if (!flag || access(flag, F_OK) != 0) return false;
  char link[64], target[4096];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(link, target, sizeof target - 1);
  if (n <= 0) return false;
  target[n] = '\0';
  const char* name = strrchr(target, '/');
  return name && strcmp(name, "/data.mdb") == 0;
}

int injected_errno() {
  const char* e = getenv("PTP_FAILING_DISK_ERRNO");
  return e && strcmp(e, "EROFS") == 0 ? EROFS : ENOSPC;
}

template <class F>
F next(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t count) {
  static auto real = next<ssize_t (*)(int, const void*, size_t)>("write");
  if (failing(fd) && !getenv("PTP_FAILING_DISK_META_ONLY")) {
    errno = injected_errno();
    return -1;
  }
  return real(fd, buf, count);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  static auto real = next<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
  const char* meta_only = getenv("PTP_FAILING_DISK_META_ONLY");
  const bool meta = offset < 2 * static_cast<off_t>(sysconf(_SC_PAGESIZE));
  if (failing(fd) && (!meta_only || meta)) {
    errno = injected_errno();
    return -1;
  }
  return real(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  static auto real = next<ssize_t (*)(int, const struct iovec*, int)>("writev");
  if (failing(fd) && !getenv("PTP_FAILING_DISK_META_ONLY")) {
    errno = injected_errno();
    return -1;
  }
  return real(fd, iov, iovcnt);
}

int fdatasync(int fd) {
  static auto real = next<int (*)(int)>("fdatasync");
  if (failing(fd) && !getenv("PTP_FAILING_DISK_META_ONLY")) {
    errno = injected_errno();
    return -1;
  }
  return real(fd);
}

int fsync(int fd) {
  static auto real = next<int (*)(int)>("fsync");
  if (failing(fd) && !getenv("PTP_FAILING_DISK_META_ONLY")) {
    errno = injected_errno();
    return -1;
  }
  return real(fd);
}

}  // extern "C"
